// A Check reads at most so many bytes of one record and of one snapshot, against the real broker: past
// either cap the snapshot stops reading that partition and says, in a sentence for the learner, what was too big.
import { randomBytes } from "node:crypto";
import { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BrokerInspector, type SnapshotRequest } from "../../sandbox-server/src/kafka/index.ts";
import { kafkajsConfig } from "../support/kafkajs-config.ts";

const access = inject("kafkaAccess");
const kafka = new Kafka(kafkajsConfig(access, "size-caps-test"));
const admin = kafka.admin();
const namespace = `l${randomBytes(10).toString("hex")}-`;

const request: SnapshotRequest = { topics: ["views"], records: ["views"], groups: [], configs: [], recordCap: 1000 };

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: `${namespace}views`, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  // Four records of 1 KB, then one of 10 KB, then one more small one.
  const small = (i: number) => ({ key: `k${i}`, value: "x".repeat(1000) });
  await producer.send({ topic: `${namespace}views`, messages: [0, 1, 2, 3].map(small) });
  await producer.send({ topic: `${namespace}views`, messages: [{ key: "big", value: "y".repeat(10_000) }, small(5)] });
  await producer.disconnect();
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [`${namespace}views`] });
  await admin.disconnect();
});

describe("size caps on what a Check reads", () => {
  it("stops at a record over the per-record cap and names its offset and size", async () => {
    const inspector = new BrokerInspector(access, 6, { recordBytes: 5000, snapshotBytes: 1_000_000 });
    const views = (await inspector.snapshot(namespace, request)).topics.get("views")!;
    expect(views.records!.map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    expect(views.truncated).toBe(true);
    expect(views.tooBig).toMatch(/^The message at offset 4 of partition 0 of `views` is 10 KB, more than the 5 KB a Check reads of one message/);
  });

  it("stops once the snapshot's records would pass the snapshot cap, and says how many were checked", async () => {
    const inspector = new BrokerInspector(access, 6, { recordBytes: 1_000_000, snapshotBytes: 2500 });
    const views = (await inspector.snapshot(namespace, request)).topics.get("views")!;
    expect(views.records).toHaveLength(2);
    expect(views.tooBig).toContain("only the first 2 of partition 0 were checked");
  });

  it("reads everything, saying nothing, within the default caps", async () => {
    const views = (await new BrokerInspector(access).snapshot(namespace, request)).topics.get("views")!;
    expect(views.records).toHaveLength(6);
    expect(views.truncated).toBe(false);
    expect(views.tooBig).toBeUndefined();
  });
});
