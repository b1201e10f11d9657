// `npm run kafka -- multi | status | stop`, run as a user would, on ports of its own.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { kafkajsConfig, type ClusterRecord } from "../../sandbox-server/src/broker/index.ts";

const root = loadConfig().projectRoot;
const PORT_BASE = 29092;
let stateDir: string;
let foreground: ChildProcess | undefined;

function kafkaCommand(args: string[]) {
  const child = spawn("bash", [path.join(root, "scripts/node.sh"), path.join(root, "scripts/kafka.ts"), ...args], {
    cwd: root,
    env: { ...process.env, TRIBUTARY_STATE_DIR: stateDir, TRIBUTARY_KAFKA_PORT: String(PORT_BASE), TRIBUTARY_KAFKA_RUNTIME: "jvm" },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  return { child, output: () => output, exited };
}

async function until(condition: () => boolean, timeoutMs: number, what: string, output: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. Output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-cli-"));
});

afterAll(async () => {
  if (foreground && foreground.exitCode === null) foreground.kill("SIGINT");
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe("npm run kafka", () => {
  it("explains its commands when given an unknown one", async () => {
    const command = kafkaCommand(["triple"]);
    expect(await command.exited).toBe(2);
    expect(command.output()).toContain('Unknown command "triple".');
    expect(command.output()).toContain("multi    start three brokers");
  });

  it("starts three brokers with `multi`, where a topic gets replication factor 3, then stops them with `stop`", { timeout: 240_000 }, async () => {
    const multi = kafkaCommand(["multi"]);
    foreground = multi.child;
    await until(() => multi.output().includes("Kafka is ready"), 150_000, "three brokers", multi.output);
    expect(multi.output()).toContain(`bootstrap 127.0.0.1:${PORT_BASE},127.0.0.1:${PORT_BASE + 2},127.0.0.1:${PORT_BASE + 4}`);

    // The brokers take only authenticated clients; the command recorded the super user, for its owner's eyes only.
    const recordFile = path.join(stateDir, "kafka", "cluster.json");
    expect((await stat(recordFile)).mode & 0o077).toBe(0);
    const record = JSON.parse(await readFile(recordFile, "utf8")) as ClusterRecord;
    const anonymous = new Kafka(kafkajsConfig({ bootstrap: record.bootstrap }, "cli-test", { retry: { retries: 0 }, connectionTimeout: 2000, requestTimeout: 2000 })).admin();
    await expect(anonymous.connect().then(() => anonymous.describeCluster())).rejects.toThrow();
    await anonymous.disconnect().catch(() => {});
    const admin = new Kafka(kafkajsConfig({ bootstrap: record.bootstrap, admin: record.admin }, "cli-test")).admin();
    await admin.connect();
    try {
      expect((await admin.describeCluster()).brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
      await admin.createTopics({ topics: [{ topic: "replicated" }], waitForLeaders: true });
      const { topics } = await admin.fetchTopicMetadata({ topics: ["replicated"] });
      for (const partition of topics[0]!.partitions) {
        expect(partition.replicas).toHaveLength(3);
        expect(partition.isr).toHaveLength(3);
      }
      const configs = await admin.describeConfigs({ resources: [{ type: 2, name: "replicated", configNames: ["min.insync.replicas"] }], includeSynonyms: false });
      expect(configs.resources[0]?.configEntries[0]).toMatchObject({ configName: "min.insync.replicas", configValue: "2" });
    } finally {
      await admin.disconnect();
    }

    const status = kafkaCommand(["status"]);
    expect(await status.exited).toBe(0);
    expect(status.output()).toContain("Kafka answers: 3 broker(s)");
    expect(status.output()).toContain("Processes alive: 3 of 3");

    const stop = kafkaCommand(["stop"]);
    expect(await stop.exited).toBe(0);
    expect(stop.output()).toContain("Kafka stopped.");
    expect(await multi.exited).toBe(0);
    expect(multi.output()).toContain("Kafka was stopped.");

    const after = kafkaCommand(["status"]);
    expect(await after.exited).toBe(1);
    expect(after.output()).toContain("Kafka does not answer.");
  });
});
