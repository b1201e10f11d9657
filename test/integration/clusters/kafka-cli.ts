// `npm run kafka -- multi | status | stop-node | start-node | stop | single`, run as a host would, on
// ports of their own (TRIBUTARY_TEST_CLUSTER_PORT, 29092 by default). The three-broker cluster must keep
// serving learners while any one broker is down, and say so truthfully when it cannot.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Connection, describeQuorumV2 } from "@platformatic/kafka";
import { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../sandbox-server/src/config.ts";
import { connectTo, SCRAM_MECHANISM } from "../../../sandbox-server/src/kafka/index.ts";
import {
  clusterTopology,
  processAlive,
  refuseEphemeralBrokerPorts,
  startKafka,
  stopOwnKafka,
  type ClusterRecord,
} from "../../../sandbox-server/src/provisioning/index.ts";
import { kafkajsConfig } from "../../support/kafkajs-config.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

const root = loadConfig().projectRoot;
const PORT_BASE = Number(process.env.TRIBUTARY_TEST_CLUSTER_PORT ?? 29092);
let stateDir: string;
let foreground: ChildProcess | undefined;
let multi: ReturnType<typeof kafkaCommand>;

function kafkaCommand(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn("bash", [path.join(root, "scripts/node.sh"), path.join(root, "scripts/kafka.ts"), ...args], {
    cwd: root,
    env: { ...process.env, TRIBUTARY_STATE_DIR: stateDir, TRIBUTARY_KAFKA_PORT: String(PORT_BASE), TRIBUTARY_KAFKA_RUNTIME: "jvm", ...env },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  return { child, output: () => output, exited };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string, output: () => string = () => "") {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. Output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const recordFile = () => path.join(stateDir, "kafka", "cluster.json");
const readRecord = async () => JSON.parse(await readFile(recordFile(), "utf8")) as ClusterRecord;

/** The node id of the cluster's active controller, as the metadata quorum tells. */
async function activeController(record: ClusterRecord): Promise<number> {
  const connection = new Connection("cli-test", { sasl: { mechanism: SCRAM_MECHANISM, ...record.admin! } });
  await connectTo(connection, record.bootstrap[0]!);
  try {
    const quorum = await describeQuorumV2.api.async(connection, [{ topicName: "__cluster_metadata", partitions: [{ partitionIndex: 0 }] }]);
    return quorum.topics[0]!.partitions[0]!.leaderId;
  } finally {
    await connection.close();
  }
}

interface Health {
  status: string;
  kafka: { reachable: boolean; brokers: number; nodes: { address: string; up: boolean }[] };
}

/** Whether a port of this machine's loopback can be bound now: nothing holds it. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Java processes whose command line names this test's state folder: brokers of its clusters. */
function brokerProcesses(): string[] {
  const listing = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return listing.split("\n").filter((line) => line.includes("kafka.Kafka") && line.includes(stateDir));
}

/** A learner's producer: `count` records with acks=all, one every 100 ms, printing each acknowledged key. */
const steadyProducer = (count: number) => `
import { Kafka } from "kafkajs";
import { connection, topic } from "tributary";
const kafka = new Kafka({ clientId: "steady-producer", ...connection });
const admin = kafka.admin();
await admin.connect();
if (!(await admin.listTopics()).includes(topic("steady"))) {
  await admin.createTopics({ topics: [{ topic: topic("steady"), numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
}
await admin.disconnect();
const producer = kafka.producer();
await producer.connect();
const round = Date.now().toString(36);
for (let i = 0; i < ${count}; i++) {
  await producer.send({ topic: topic("steady"), acks: -1, messages: [{ key: round + "-" + i, value: "v" }] });
  console.log("acked " + round + "-" + i);
  await new Promise((resolve) => setTimeout(resolve, 100));
}
await producer.disconnect();
`;

/** The suite: one CLI cluster after another, on ports of its own; test/integration/clusters.test.ts runs it. */
export function kafkaCliSuite(): void {
  beforeAll(async () => {
    refuseEphemeralBrokerPorts(clusterTopology("multi", PORT_BASE), "TRIBUTARY_TEST_CLUSTER_PORT");
    stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-cli-"));
    // Kafka's jars and the compiler, from the project's own cache when it has them: Maven is slow to copy them again.
    const cache = path.join(root, ".tributary", "kafka");
    for (const name of existsSync(cache) ? await readdir(cache) : []) {
      if (name.startsWith("lib-") || name === "tools") await cp(path.join(cache, name), path.join(stateDir, "kafka", name), { recursive: true });
    }
  });

  afterAll(async () => {
    if (existsSync(recordFile())) await kafkaCommand(["stop"]).exited;
    if (foreground && foreground.exitCode === null) {
      const exited = new Promise((resolve) => foreground!.once("close", resolve));
      foreground.kill("SIGINT");
      await exited;
    }
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  describe("npm run kafka", () => {
    it("explains its commands when given an unknown one", async () => {
      const command = kafkaCommand(["triple"]);
      expect(await command.exited).toBe(2);
      expect(command.output()).toContain('Unknown command "triple".');
      expect(command.output()).toContain("multi         start three brokers");
      expect(command.output()).toContain("stop-node N");
    });

    it("refuses broker ports in the kernel's ephemeral range, in one line naming the setting and the range", async () => {
      const [low, high] = (await readFile("/proc/sys/net/ipv4/ip_local_port_range", "utf8")).trim().split(/\s+/);
      const command = kafkaCommand(["single"], { TRIBUTARY_KAFKA_PORT: String(Number(low) + 100) });
      expect(await command.exited).toBe(1);
      const lines = command.output().trim().split("\n");
      expect(lines.at(-1)).toMatch(
        new RegExp(`^✗ TRIBUTARY_KAFKA_PORT=${Number(low) + 100} puts Kafka's ports .* ephemeral port range ${low}–${high} `),
      );
      expect(existsSync(recordFile())).toBe(false);
    });

    it("starts three brokers with `multi`, where a topic gets replication factor 3", { timeout: 480_000 }, async () => {
      multi = kafkaCommand(["multi"]);
      foreground = multi.child;
      await until(() => multi.output().includes("Kafka is ready"), 400_000, "three brokers", multi.output);
      expect(multi.output()).toContain(`bootstrap 127.0.0.1:${PORT_BASE},127.0.0.1:${PORT_BASE + 2},127.0.0.1:${PORT_BASE + 4}`);

      // The brokers take only authenticated clients; the command recorded the super user, for its owner's eyes only.
      expect((await stat(recordFile())).mode & 0o077).toBe(0);
      const record = await readRecord();
      const anonymous = new Kafka(
        kafkajsConfig({ bootstrap: record.bootstrap }, "cli-test", { retry: { retries: 0 }, connectionTimeout: 2000, requestTimeout: 2000 }),
      ).admin();
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
        const configs = await admin.describeConfigs({
          resources: [{ type: 2, name: "replicated", configNames: ["min.insync.replicas"] }],
          includeSynonyms: false,
        });
        expect(configs.resources[0]?.configEntries[0]).toMatchObject({ configName: "min.insync.replicas", configValue: "2" });
      } finally {
        await admin.disconnect();
      }
    });

    it("keeps learners' producers and Checks going while each broker in turn is killed, and heals after start-node", {
      timeout: 900_000,
    }, async () => {
      const record = await readRecord();
      const server: TestServer = await startTestServer(
        { bootstrap: record.bootstrap, admin: record.admin },
        { env: { TRIBUTARY_RUN_WALL_SECONDS: "120" } },
      );
      const admin = new Kafka(kafkajsConfig({ bootstrap: record.bootstrap, admin: record.admin }, "cli-test")).admin();
      await admin.connect();
      try {
        const learner = server.learner();
        const steady = `${await learner.namespace()}steady`;
        const acknowledged: string[] = [];
        for (const node of [1, 2, 3]) {
          const pid = (await readRecord()).pids[node - 1]!;
          const { eventsUrl } = await learner.startRun("first-producer", steadyProducer(60));
          await learner.readRun(eventsUrl, (out) => (out.stdout.match(/acked/g)?.length ?? 0) >= 10);
          process.kill(pid, "SIGKILL");
          const run = await learner.readRun(eventsUrl);
          expect(run.exit, `node ${node} killed:\n${run.stderr}`).toMatchObject({ reason: "exited", code: 0 });
          const keys = [...run.stdout.matchAll(/acked (\S+)/g)].map((m) => m[1]!);
          expect(keys).toHaveLength(60);
          acknowledged.push(...keys);

          // The launcher reports the death and keeps the others; health names the broker that is down.
          await until(() => multi.output().includes(`Kafka node ${node} stopped unexpectedly`), 10_000, "the death report", multi.output);
          expect(multi.child.exitCode).toBeNull();
          const health = await learner.json<{ status: string; kafka: { nodes: { address: string; up: boolean }[] } }>("GET", "/api/health");
          expect(health.status).toBe(200);
          expect(health.body.kafka.nodes.map((n) => n.up)).toEqual([1, 2, 3].map((id) => id !== node));
          const verdict = await learner.json<{ status: string }>("POST", "/api/exercises/first-producer/grade");
          expect(verdict.body.status).not.toBe("error");

          const restarted = kafkaCommand(["start-node", String(node)]);
          expect(await restarted.exited, restarted.output()).toBe(0);
          expect(restarted.output()).toContain(`Kafka node ${node} runs again`);
          await until(
            async () => {
              const { topics } = await admin.fetchTopicMetadata({ topics: [steady] });
              return topics[0]!.partitions.every((p) => p.isr.length === 3);
            },
            90_000,
            `the ISR of ${steady} to heal after node ${node} restarted`,
          );
        }

        // Every acknowledged record is on the brokers.
        const consumer = new Kafka(kafkajsConfig({ bootstrap: record.bootstrap, admin: record.admin }, "cli-test")).consumer({
          groupId: `cli-test-${Date.now()}`,
        });
        const seen = new Set<string>();
        await consumer.connect();
        await consumer.subscribe({ topic: steady, fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => void seen.add(message.key!.toString()) });
        await until(
          () => acknowledged.every((key) => seen.has(key)),
          60_000,
          "every acknowledged record",
          () => `${seen.size} of ${acknowledged.length} seen`,
        );
        await consumer.disconnect();
      } finally {
        await admin.disconnect();
        await server.close();
      }
    });

    it("stops and starts one node on request, and tells each node's state in `status`", { timeout: 400_000 }, async () => {
      const stopNode = kafkaCommand(["stop-node", "2"]);
      expect(await stopNode.exited, stopNode.output()).toBe(0);
      await until(
        () => multi.output().includes("Kafka node 2 was stopped (stop-node); the other 2 brokers keep serving"),
        10_000,
        "the stop report",
        multi.output,
      );
      const status = kafkaCommand(["status"]);
      expect(await status.exited).toBe(0);
      expect(status.output()).toContain("Processes alive: 2 of 3");
      expect(status.output()).toContain(`node 2 (127.0.0.1:${PORT_BASE + 2}): stopped (stop-node)`);
      const bad = kafkaCommand(["stop-node", "4"]);
      expect(await bad.exited).toBe(1);
      expect(bad.output()).toContain('there is no node "4"');
      const startNode = kafkaCommand(["start-node", "2"]);
      expect(await startNode.exited, startNode.output()).toBe(0);
      const after = kafkaCommand(["status"]);
      expect(await after.exited).toBe(0);
      expect(after.output()).toContain("Processes alive: 3 of 3");
      expect(after.output()).toContain("Kafka answers: 3 broker(s)");
    });

    it("answers health with 200 through the seconds after the active controller is killed, counting only the brokers that answer", {
      timeout: 300_000,
    }, async () => {
      const record = await readRecord();
      const controller = await activeController(record);
      const server = await startTestServer({ bootstrap: record.bootstrap, admin: record.admin });
      try {
        const learner = server.learner();
        const pid = record.pids[controller - 1]!;
        const samples: { status: number; body: Health }[] = [];
        process.kill(pid, "SIGKILL");
        const until = Date.now() + 10_000;
        while (Date.now() < until) {
          samples.push(await learner.json<Health>("GET", "/api/health"));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const refused = samples.filter((sample) => sample.status !== 200);
        expect(refused, `health during the controller's failover: ${JSON.stringify(refused.slice(0, 3))}`).toEqual([]);
        for (const { body } of samples) {
          expect(body.kafka.brokers).toBe(2);
          expect(body.kafka.nodes.map((n) => n.up)).toEqual([1, 2, 3].map((id) => id !== controller));
        }
      } finally {
        await server.close();
      }
      const restarted = kafkaCommand(["start-node", String(controller)]);
      expect(await restarted.exited, restarted.output()).toBe(0);
    });

    it("with two brokers of three down, says one broker answers, is degraded, and gives a fresh learner's Check an outage error", {
      timeout: 400_000,
    }, async () => {
      const record = await readRecord();
      const server = await startTestServer({ bootstrap: record.bootstrap, admin: record.admin });
      try {
        const learner = server.learner();
        await learner.namespace();
        for (const node of [2, 3]) {
          const stopped = kafkaCommand(["stop-node", String(node)]);
          expect(await stopped.exited, stopped.output()).toBe(0);
        }
        const health = await learner.json<Health>("GET", "/api/health");
        expect(health.status).toBe(503);
        expect(health.body).toMatchObject({ status: "degraded", kafka: { reachable: true, brokers: 1 } });
        expect(health.body.kafka.nodes.map((n) => n.up)).toEqual([true, false, false]);
        const verdict = await learner.json<{ status: string; message: string }>("POST", "/api/exercises/first-producer/grade");
        expect(verdict.body.status).toBe("error");
        expect(verdict.body.message).not.toContain("There is no topic");
      } finally {
        await server.close();
        for (const node of [2, 3]) {
          const started = kafkaCommand(["start-node", String(node)]);
          expect(await started.exited, started.output()).toBe(0);
        }
      }
    });

    it("is stopped from another terminal with `stop`, every node (restarted ones too) with it", { timeout: 120_000 }, async () => {
      const pids = (await readRecord()).pids;
      const stop = kafkaCommand(["stop"]);
      expect(await stop.exited).toBe(0);
      expect(stop.output()).toContain("Kafka stopped.");
      expect(await multi.exited).toBe(0);
      expect(multi.output()).toContain("Kafka was stopped.");
      expect(pids.filter(processAlive)).toEqual([]);
      expect(existsSync(recordFile())).toBe(false);

      const after = kafkaCommand(["status"]);
      expect(await after.exited).toBe(1);
      expect(after.output()).toContain("Kafka does not answer.");
    });

    it("records one broker when two `start-node` run at once, and leaves no broker running after a Ctrl-C of the cluster's command", {
      timeout: 600_000,
    }, async () => {
      multi = kafkaCommand(["multi"]);
      foreground = multi.child;
      await until(() => multi.output().includes("Kafka is ready"), 400_000, "three brokers", multi.output);
      const stopped = kafkaCommand(["stop-node", "1"]);
      expect(await stopped.exited, stopped.output()).toBe(0);

      const twice = [kafkaCommand(["start-node", "1"]), kafkaCommand(["start-node", "1"])];
      const codes = await Promise.all(twice.map((command) => command.exited));
      const outputs = twice.map((command) => command.output()).join("\n---\n");
      expect([...codes].sort(), outputs).toEqual([0, 1]);
      expect(outputs).toMatch(/Kafka node 1 already runs \(pid \d+\)/);
      const record = await readRecord();
      expect(record.pids.map(processAlive)).toEqual([true, true, true]);
      const status = kafkaCommand(["status"]);
      expect(await status.exited).toBe(0);
      expect(status.output()).toContain("Processes alive: 3 of 3");

      multi.child.kill("SIGINT");
      expect(await multi.exited).toBe(0);
      expect(record.pids.filter(processAlive)).toEqual([]);
      expect(brokerProcesses()).toEqual([]);
      const ports = clusterTopology("multi", PORT_BASE).nodes.flatMap((node) => [node.clientPort, node.controllerPort]);
      for (const port of ports) expect(await portFree(port), `port ${port}`).toBe(true);
      expect(existsSync(recordFile())).toBe(false);
    });

    it("keeps the record of a Kafka started after the first one's broker was killed, and stops on Ctrl-C without calling it unexpected", {
      timeout: 600_000,
    }, async () => {
      // The first start: as `npm start` does it, in this process.
      const config = loadConfig({ TRIBUTARY_STATE_DIR: stateDir, TRIBUTARY_KAFKA_PORT: String(PORT_BASE), TRIBUTARY_KAFKA_RUNTIME: "jvm" });
      const first = await startKafka(config, "single", () => {});
      const firstPid = first.pids[0]!;
      process.kill(firstPid, "SIGKILL");
      await until(() => !processAlive(firstPid), 10_000, "the first broker to die");

      // A second start in another terminal, then the first command's Ctrl-C: the record is the second's.
      const single = kafkaCommand(["single"]);
      foreground = single.child;
      await until(() => single.output().includes("Kafka is ready"), 300_000, "one broker", single.output);
      const second = await readRecord();
      await stopOwnKafka(config, first);
      expect(await readRecord()).toEqual(second);
      const status = kafkaCommand(["status"]);
      expect(await status.exited).toBe(0);
      expect(status.output()).toContain("Processes alive: 1 of 1");

      // A third start refuses to write over a Kafka this project runs, and says how to find it.
      const third = kafkaCommand(["multi"]);
      expect(await third.exited).toBe(1);
      expect(third.output()).toContain("A Kafka started by Tributary still runs");
      expect(await readRecord()).toEqual(second);

      single.child.kill("SIGINT");
      expect(await single.exited).toBe(0);
      expect(single.output()).toContain("Kafka stopped.");
      expect(single.output()).not.toContain("unexpectedly");
      expect(second.pids.filter(processAlive)).toEqual([]);
      expect(existsSync(recordFile())).toBe(false);
    });
  });
}
