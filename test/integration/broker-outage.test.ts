// Kafka stops while learners work: runs fail with a message that says so, the server stays up,
// and the next run works once Kafka is back. Uses a broker of its own, so stopping it harms no other test.
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { startJvmCluster, clusterTopology, type RunningCluster } from "../../sandbox-server/src/provisioning/index.ts";
import { exerciseFile } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { testStateDir, TEST_KAFKA_PORT } from "../support/test-kafka.ts";

// A broker of its own, 4 ports above the shared test broker (19096 by default): below the kernel's
// ephemeral range, like every broker port.
const PORT = Number(process.env.TRIBUTARY_TEST_OUTAGE_PORT ?? TEST_KAFKA_PORT + 4);
const homeDir = path.join(testStateDir, "outage-kafka");
const startBroker = () =>
  startJvmCluster({
    topology: clusterTopology("single", PORT),
    homeDir,
    pomPath: path.join(loadConfig().projectRoot, "kafka", "pom.xml"),
    learnerLimits: loadConfig().kafka.learnerQuotas,
    portSetting: "TRIBUTARY_TEST_OUTAGE_PORT",
    onProgress: () => {},
  });

let cluster: RunningCluster | undefined;
let sandbox: TestServer;

beforeAll(async () => {
  await rm(path.join(homeDir, "single"), { recursive: true, force: true });
  cluster = await startBroker();
  sandbox = await startTestServer({ bootstrap: cluster.bootstrap, admin: cluster.admin });
});

afterAll(async () => {
  await sandbox?.close();
  await cluster?.stop();
});

describe("when Kafka stops during the course", () => {
  it("ends a failing run with a message that names Kafka, keeps serving, and runs again once Kafka is back", async () => {
    const learner = sandbox.learner();
    const producer = await exerciseFile("first-producer", "solution");
    expect((await learner.run("first-producer", producer)).exit.code).toBe(0);

    await cluster!.stop();
    cluster = undefined;
    const failed = await learner.run("first-producer", producer);
    expect(failed.exit).toMatchObject({ reason: "kafka-unavailable" });
    // Either the program gave up by itself, or the server saw Kafka gone first and ended it.
    expect(failed.exit.message).toMatch(/^(Your program exited with code \d+|Stopped): Kafka stopped answering/);
    const health = await learner.json<{ status: string }>("GET", "/api/health");
    expect(health).toMatchObject({ status: 503, body: { status: "degraded", kafka: { reachable: false, brokers: 0, nodes: [{ up: false }] } } });
    const verdict = await learner.json<{ status: string; message: string }>("POST", "/api/exercises/first-producer/grade");
    expect(verdict.body).toMatchObject({ status: "error", message: expect.stringContaining("Kafka did not answer") });

    cluster = await startBroker();
    const again = await learner.run("first-producer", producer);
    expect(again.exit).toMatchObject({ reason: "exited", code: 0 });
    const passed = await learner.json<{ status: string }>("POST", "/api/exercises/first-producer/grade");
    expect(passed.body.status).toBe("pass");
  });

  it("ends a consumer that was running when Kafka stopped within seconds, with the course's message and one line of kafkajs noise", {
    timeout: 120_000,
  }, async () => {
    cluster ??= await startBroker();
    const learner = sandbox.learner();
    const consumer = await learner.startRun("first-consumer", await exerciseFile("first-consumer", "solution"));
    await learner.readRun(consumer.eventsUrl, (out) => out.stdout.includes("Joined group"));
    const ending = learner.readRun(consumer.eventsUrl);
    const stopped = performance.now();
    await cluster!.stop();
    cluster = undefined;
    const { exit, stderr } = await ending;
    const seconds = (performance.now() - stopped) / 1000;
    expect(exit).toMatchObject({ reason: "kafka-unavailable" });
    expect(exit.message).toMatch(/Kafka stopped answering/);
    // The time limit of this exercise is 300 s; the server noticed Kafka was gone long before.
    expect(seconds).toBeLessThan(20);
    const kafkajsLines = stderr.split("\n").filter((line) => line.includes("kafkajs") || line.includes('"logger"'));
    expect(kafkajsLines.length).toBeLessThanOrEqual(1);
    cluster = await startBroker();
  });
});
