// A learner presses Stop on a consumer, fixes a line and runs it again: the new run must join its group at
// once. A consumer that is killed stays a member until the broker times it out (10 s for kafka-python, 30 s
// for kafkajs), and the next run's join waits that long, or a program that reads with a timeout reads nothing.
// So a stopped program's consumers leave their groups in the stop's grace, in every language, unless the
// program handles SIGTERM itself.
import { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { kafkajsConfig } from "../support/kafkajs-config.ts";
import type { LearnerClient } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
let sandbox: TestServer;
const admin = new Kafka(kafkajsConfig(kafka, "stopped-consumers-test")).admin();

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
  await sandbox?.close();
});

const consumers = {
  typescript: {
    entry: "main.ts",
    code: `import { Kafka } from "kafkajs";
import { connection, group, topic } from "tributary";

const consumer = new Kafka({ clientId: "stop-test", ...connection }).consumer({ groupId: group("stop-test") });
await consumer.connect();
await consumer.subscribe({ topics: [topic("stop-test")], fromBeginning: true });
consumer.on(consumer.events.GROUP_JOIN, () => console.log("joined"));
await consumer.run({ eachMessage: async () => {} });
`,
  },
  python: {
    entry: "main.py",
    // The wait for an assignment sleeps between polls: in one full run, on a busy machine, this consumer spent its
    // 30 s of CPU time polling before it joined, with nothing on stderr. How kafka-python spun there is not known.
    code: `import time
from kafka import KafkaConsumer
from tributary import connection, group, topic

consumer = KafkaConsumer(topic("stop-test"), group_id=group("stop-test"), client_id="stop-test", **connection)
while not consumer.assignment():
    consumer.poll(timeout_ms=200)
    time.sleep(0.05)
print("joined", flush=True)
while True:
    consumer.poll(timeout_ms=200)
`,
  },
} as const;

/** Runs `code` until it has joined its group, presses Stop, and returns the group as the broker describes it once the run has ended. */
async function stopAfterJoining(learner: LearnerClient, entry: string, code: string) {
  const namespace = await learner.namespace();
  await admin.createTopics({ topics: [{ topic: `${namespace}stop-test`, numPartitions: 1 }], waitForLeaders: true });
  const run = await learner.startRun("first-consumer", code, entry);
  const joined = await learner.readRun(run.eventsUrl, (output) => output.stdout.includes("joined"));
  expect(joined.stdout, `${joined.stderr}${joined.exit?.message ?? "(still running)"}`).toContain("joined");
  await learner.request("DELETE", `/api/runs/${run.id}`);
  const ended = await learner.readRun(run.eventsUrl);
  expect(ended.exit.reason).toBe("stopped");
  const { groups } = await admin.describeGroups([`${namespace}stop-test`]);
  return groups[0]!;
}

describe("a stopped consumer", () => {
  it.each(["typescript", "python"] as const)("in %s leaves its group before its run ends", async (language) => {
    const { entry, code } = consumers[language];
    const group = await stopAfterJoining(sandbox.learner(), entry, code);
    expect(group).toMatchObject({ state: "Empty", members: [] });
  });

  it("stays a member until the broker times it out when the program handles SIGTERM itself and ignores it", async () => {
    const { entry, code } = consumers.typescript;
    const ignoring = code.replace('import { Kafka } from "kafkajs";', 'import { Kafka } from "kafkajs";\nprocess.on("SIGTERM", () => {});');
    const group = await stopAfterJoining(sandbox.learner(), entry, ignoring);
    expect(group.state).not.toBe("Empty");
    expect(group.members).toHaveLength(1);
  });
});
