// What a Check sees of the broker: one snapshot read with the server's own Kafka client, against the real
// test broker. Records are read without joining a consumer group, transactions neither stall the read
// nor leak aborted records, and a cluster that cannot answer is an outage, never an empty picture.
import { randomBytes } from "node:crypto";
import { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BrokerInspector, KafkaUnavailable, type SnapshotRequest } from "../../sandbox-server/src/kafka/index.ts";
import { kafkajsConfig } from "../support/kafkajs-config.ts";

const access = inject("kafkaAccess");
const kafka = new Kafka(kafkajsConfig(access, "snapshot-test"));
const admin = kafka.admin();
const inspector = new BrokerInspector(access);
/** A namespace of this file's own, shaped like a learner's. */
const namespace = `l${randomBytes(10).toString("hex")}-`;

const request = (overrides: Partial<SnapshotRequest> = {}): SnapshotRequest => ({
  topics: ["orders"],
  records: ["orders"],
  groups: [{ group: "readers", topic: "orders" }],
  configs: [{ topic: "orders", config: "retention.ms" }],
  recordCap: 1000,
  ...overrides,
});

async function groupIds(): Promise<string[]> {
  return (await admin.listGroups()).groups.map((g) => g.groupId);
}

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: `${namespace}orders`, numPartitions: 3 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: `${namespace}orders`,
    messages: Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { n: String(i) } })),
  });
  await producer.disconnect();
});

afterAll(async () => {
  const mine = (await admin.listTopics()).filter((name) => name.startsWith(namespace));
  if (mine.length) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
});

describe("a snapshot of the broker", () => {
  it("gives each topic's id, and per partition its leader, replicas and in-sync replicas by broker id", async () => {
    const snapshot = await inspector.snapshot(namespace, request());
    const orders = snapshot.topics.get("orders")!;
    const { topics } = await admin.fetchTopicMetadata({ topics: [`${namespace}orders`] });
    expect(orders.topicId).toMatch(/^[0-9a-f-]{36}$/);
    expect(snapshot.brokerCount).toBe(1);
    expect(orders.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    for (const p of orders.partitions) {
      const expected = topics[0]!.partitions.find((m) => m.partitionId === p.partition)!;
      expect(p).toMatchObject({ leader: expected.leader, replicaIds: expected.replicas, isrIds: expected.isr, replicas: 1, inSync: 1 });
    }
    expect(orders.partitions.reduce((sum, p) => sum + p.high - p.low, 0)).toBe(12);
    expect(orders.config["retention.ms"]).toBe("604800000");
  });

  it("reads every record up to the snapshot's end, in partition and offset order, with keys, values and headers", async () => {
    const orders = (await inspector.snapshot(namespace, request())).topics.get("orders")!;
    expect(orders.records).toHaveLength(12);
    expect(orders.truncated).toBe(false);
    expect(new Set(orders.records!.map((r) => r.key))).toEqual(new Set(Array.from({ length: 12 }, (_, i) => `k${i}`)));
    for (const record of orders.records!) expect(record.headers).toEqual({ n: record.key!.slice(1) });
    const order = orders.records!.map((r) => [r.partition, r.offset]);
    expect(order).toEqual([...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
  });

  it("reads at most the cap from a topic, and says it stopped short", async () => {
    const orders = (await inspector.snapshot(namespace, request({ recordCap: 5 }))).topics.get("orders")!;
    expect(orders.records).toHaveLength(5);
    expect(orders.truncated).toBe(true);
  });

  it("joins no consumer group to read, so nothing of the server's is left on the broker", async () => {
    const before = await groupIds();
    await Promise.all([inspector.snapshot(namespace, request()), inspector.snapshot(namespace, request())]);
    expect((await groupIds()).filter((id) => !before.includes(id))).toEqual([]);
  });

  it("leaves out aborted transactions' records, and is not stalled by control records or a transaction still open", async () => {
    const producer = kafka.producer({ transactionalId: `${namespace}tx`, maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    const topic = `${namespace}ledger`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    let transaction = await producer.transaction();
    await transaction.send({ topic, messages: [{ key: "aborted", value: "x" }] });
    await transaction.abort();
    transaction = await producer.transaction();
    await transaction.send({ topic, messages: [{ key: "committed", value: "y" }] });
    await transaction.commit();
    // A transaction left open: its record is not committed, so a read_committed reader stops before it.
    transaction = await producer.transaction();
    await transaction.send({ topic, messages: [{ key: "open", value: "z" }] });
    try {
      const started = performance.now();
      const ledger = (await inspector.snapshot(namespace, request({ topics: ["ledger"], records: ["ledger"], groups: [], configs: [] }))).topics.get(
        "ledger",
      )!;
      expect(ledger.records!.map((r) => r.key)).toEqual(["committed"]);
      // Offsets: aborted record, its marker, committed record, its marker, the open one.
      expect(ledger.partitions[0]!.high).toBe(5);
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      await transaction.abort();
      await producer.disconnect();
    }
  });

  it("tells a group's committed offsets, state and members, and a group that never existed as Dead", async () => {
    const consumer = kafka.consumer({ groupId: `${namespace}readers` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${namespace}orders`, fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve) => void consumer.run({ eachMessage: async () => void (++seen === 12 && resolve()) }));
    await consumer.commitOffsets([0, 1, 2].map((partition) => ({ topic: `${namespace}orders`, partition, offset: "1" })));
    const live = (await inspector.snapshot(namespace, request())).groups.get("readers/orders")!;
    expect(live).toMatchObject({ state: "Stable", members: 1 });
    expect([...live.committed.keys()].sort()).toEqual([0, 1, 2]);
    await consumer.disconnect();
    const left = (await inspector.snapshot(namespace, request())).groups.get("readers/orders")!;
    expect(left).toMatchObject({ state: "Empty", members: 0 });
    const never = (await inspector.snapshot(namespace, request({ groups: [{ group: "nobody", topic: "orders" }] }))).groups.get("nobody/orders")!;
    expect(never).toMatchObject({ state: "Dead", members: 0, committed: new Map() });
  });

  it("leaves out a topic that does not exist, and gives a topic made again under its name a new id", async () => {
    const topic = `${namespace}again`;
    const ask = request({ topics: ["again", "missing"], records: ["again"], groups: [], configs: [] });
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const first = await inspector.snapshot(namespace, ask);
    expect([...first.topics.keys()]).toEqual(["again"]);
    await admin.deleteTopics({ topics: [topic] });
    // The controller answers before every broker's metadata has caught up: the snapshot follows the brokers.
    let left = (await inspector.snapshot(namespace, ask)).topics.size;
    for (const deadline = Date.now() + 10_000; left > 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = (await inspector.snapshot(namespace, ask)).topics.size;
    }
    expect(left).toBe(0);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const second = await inspector.snapshot(namespace, ask);
    expect(second.topics.get("again")!.topicId).not.toBe(first.topics.get("again")!.topicId);
  });

  it("is an outage, never an empty picture, when no broker answers", async () => {
    // A loopback port below the ephemeral range that no broker of the tests uses.
    const nowhere = new BrokerInspector({ bootstrap: ["127.0.0.1:1"], admin: access.admin });
    const failure = await nowhere.snapshot(namespace, request()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KafkaUnavailable);
    expect((failure as Error).message).toMatch(/No broker of the cluster answers/);
  });
});
