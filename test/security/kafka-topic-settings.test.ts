// Topic settings that reach past a learner's own topic: tiny segments run the broker out of file
// descriptors (and it stays down), huge records fill its heap, unlimited retention fills its disk.
// The brokers' policies refuse them on create and on alter; each hostile program runs beside a
// benign learner's producer, which must succeed, and Kafka must still answer afterwards.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { LearnerClient } from "../support/sandbox-client.ts";
import { benignBeside, hostilePreamble } from "../support/hostile-learners.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { testStateDir } from "../support/test-kafka.ts";
import { probeKafka } from "../../sandbox-server/src/kafka/index.ts";
import { learnerTopicBounds } from "../../sandbox-server/src/kafka/index.ts";
import { loadConfig } from "../../sandbox-server/src/config.ts";

const kafka = inject("kafkaAccess");
const bounds = learnerTopicBounds(loadConfig().kafka.learnerQuotas);
let sandbox: TestServer;
let bystander: LearnerClient;
const besideBenign = benignBeside(() => bystander);

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
  bystander = sandbox.learner();
});

afterAll(async () => {
  await sandbox?.close();
});

/** A program that creates topic `name` with `settings`, printing "<label>: allowed|refused …". */
const create = (label: string, name: string, settings: Record<string, string>, partitions = 1) =>
  `await attempt(${JSON.stringify(label)}, () => admin.createTopics({ topics: [{ topic: topic(${JSON.stringify(name)}), numPartitions: ${partitions}, ` +
  `configEntries: ${JSON.stringify(Object.entries(settings).map(([name, value]) => ({ name, value })))} }], waitForLeaders: true }));\n`;
/** A program that changes the settings of topic `name` in place (kafkajs's AlterConfigs). */
const alter = (label: string, name: string, settings: Record<string, string>) =>
  `await attempt(${JSON.stringify(label)}, () => admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic(${JSON.stringify(name)}), ` +
  `configEntries: ${JSON.stringify(Object.entries(settings).map(([name, value]) => ({ name, value })))} }] }));\n`;
const withAdmin = (body: string) => `${hostilePreamble}
const admin = kafka.admin(); await admin.connect();
${body}
await admin.disconnect();
console.log("done");`;

/** Segment files of each partition of a learner's topic, on the test broker's disk. */
async function segmentFiles(topicName: string): Promise<number[]> {
  const dataDir = path.join(testStateDir, "kafka", "single", "node-1", "data");
  const partitions = (await readdir(dataDir)).filter((dir) => dir.startsWith(`${topicName}-`));
  return Promise.all(partitions.map(async (dir) => (await readdir(path.join(dataDir, dir))).filter((f) => f.endsWith(".log")).length));
}

describe("a learner's topic settings", () => {
  it("refuses segment.ms=1 on create and on alter, so a produce loop over 12 partitions rolls no segments, and Kafka stays up", async () => {
    const roller = sandbox.learner();
    const { stdout, stderr } = await besideBenign(
      roller.run(
        "first-producer",
        withAdmin(`
${create("create with segment.ms=1", "rolls", { "segment.ms": "1" }, 12)}
${create("create plain", "plain", {}, 12)}
${alter("alter segment.ms=1", "plain", { "segment.ms": "1" })}
${alter("alter segment.bytes=14", "plain", { "segment.bytes": "14" })}
${alter("alter segment.bytes=1GiB", "plain", { "segment.bytes": String(1024 ** 3) })}
${alter("alter segment.index.bytes=16", "plain", { "segment.index.bytes": "16" })}
// Retries, unlike the preamble's client: the loop must not end on a passing hiccup.
const producer = new Kafka({ clientId: "roller", ...connection, logLevel: logLevel.NOTHING }).producer(); await producer.connect();
let requests = 0;
for (const until = Date.now() + 8000; Date.now() < until; requests++) {
  await producer.send({ topic: topic("plain"), messages: Array.from({ length: 12 }, (_, partition) => ({ partition, value: "x" })) });
}
await producer.disconnect();
console.log("produce requests: " + requests);`),
      ),
    );
    expect(stdout, stderr).toContain("done");
    expect(stdout).toContain("create with segment.ms=1: refused POLICY_VIOLATION");
    expect(stdout).toContain("create plain: allowed true");
    for (const label of ["alter segment.ms=1", "alter segment.bytes=1GiB", "alter segment.index.bytes=16"]) {
      expect(stdout).toContain(`${label}: refused POLICY_VIOLATION`);
    }
    // Below 1 MiB Kafka refuses segment.bytes itself.
    expect(stdout).toMatch(/alter segment.bytes=14: refused (POLICY_VIOLATION|INVALID_CONFIG)/);
    expect(Number(/produce requests: (\d+)/.exec(stdout)?.[1])).toBeGreaterThan(10);
    // One segment per partition: nothing rolled, whatever the loop sent.
    const segments = await segmentFiles(`${await roller.namespace()}plain`);
    expect(segments).toEqual(Array(12).fill(1));
    expect((await probeKafka(kafka)).reachable).toBe(true);
  });

  it("refuses records and max.message.bytes above the cap, so no record can fill the broker's heap", async () => {
    const hoarder = sandbox.learner();
    const { stdout } = await besideBenign(
      hoarder.run(
        "first-producer",
        withAdmin(`
${create("create with max.message.bytes=100MiB", "huge", { "max.message.bytes": String(100 * 1024 * 1024) })}
${create("create plain", "records", {})}
${alter("alter max.message.bytes=100MiB", "records", { "max.message.bytes": String(100 * 1024 * 1024) })}
const producer = kafka.producer(); await producer.connect();
await attempt("send a 5 MiB record", () => producer.send({ topic: topic("records"), messages: [{ value: Buffer.alloc(5 * 1024 * 1024) }] }));
await producer.disconnect();`),
      ),
    );
    expect(stdout).toContain("create with max.message.bytes=100MiB: refused POLICY_VIOLATION");
    expect(stdout).toContain("alter max.message.bytes=100MiB: refused POLICY_VIOLATION");
    expect(stdout).toMatch(/send a 5 MiB record: refused (MESSAGE_TOO_LARGE|.*)/);
    expect(stdout).not.toContain("send a 5 MiB record: allowed");
    expect((await probeKafka(kafka)).reachable).toBe(true);
  });

  it("keeps retention within the learner's budget: no unlimited retention, and every topic gets the per-partition cap", async () => {
    const keeper = sandbox.learner();
    const { stdout } = await besideBenign(
      keeper.run(
        "first-producer",
        withAdmin(`
${create("retention.ms=-1", "forever", { "retention.ms": "-1" })}
${create("retention.bytes=-1", "unbounded", { "retention.bytes": "-1" })}
${create("retention.bytes=2GiB", "large", { "retention.bytes": String(2 * 1024 ** 3) })}
${create("retention.ms=30 days", "ledger", { "retention.ms": String(30 * 86_400_000) })}
${create("cleanup.policy=compact", "compacted", { "cleanup.policy": "compact" })}
${create("cleanup.policy=compact,delete", "both", { "cleanup.policy": "compact,delete" })}
${alter("alter retention.bytes=-1", "ledger", { "retention.bytes": "-1" })}
const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic("ledger"), configNames: ["retention.bytes", "retention.ms"] }] });
for (const entry of described.resources[0].configEntries) console.log("ledger " + entry.configName + "=" + entry.configValue);`),
      ),
    );
    for (const label of ["retention.ms=-1", "retention.bytes=-1", "retention.bytes=2GiB", "cleanup.policy=compact", "alter retention.bytes=-1"]) {
      expect(stdout).toContain(`${label}: refused POLICY_VIOLATION`);
    }
    // What a course exercise does (durable-topic) still works.
    expect(stdout).toContain("retention.ms=30 days: allowed true");
    expect(stdout).toContain("cleanup.policy=compact,delete: allowed true");
    expect(stdout).toContain(`ledger retention.bytes=${bounds.maxRetentionBytes}`);
    expect(stdout).toContain(`ledger retention.ms=${30 * 86_400_000}`);
  });

  it("refuses settings a learner does not need, and says why when the program fails of it", async () => {
    const tinkerer = sandbox.learner();
    const { stdout, exit } = await besideBenign(
      tinkerer.run(
        "first-producer",
        withAdmin(`
${create("preallocate=true", "prealloc", { preallocate: "true" })}
${create("index.interval.bytes=1", "dense", { "index.interval.bytes": "1" })}
${create("flush.messages=1", "flushing", { "flush.messages": "1" })}
${create("compression.type=gzip", "zipped", { "compression.type": "gzip" })}
// Uncaught, as a learner's program would: the run ends with the reason.
await admin.createTopics({ topics: [{ topic: topic("rolls"), configEntries: [{ name: "segment.ms", value: "1" }] }] });`),
      ),
    );
    for (const label of ["preallocate=true", "index.interval.bytes=1", "flush.messages=1"]) {
      expect(stdout).toContain(`${label}: refused POLICY_VIOLATION`);
    }
    expect(stdout).toContain("compression.type=gzip: allowed true");
    expect(exit).toMatchObject({ reason: "kafka-limit" });
    expect(exit.message).toContain("Kafka refused a topic or its settings");
    expect(exit.message).toContain("segment.ms from 7 days");
    expect(exit.message).toContain("retention.bytes up to 1 MiB per partition (never -1)");
  });
});
