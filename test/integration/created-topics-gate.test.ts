// The bridge between sandboxes and brokers holds a broker's answer to CreateTopics until that broker lists
// the topics it created: the controller answers first and tells the brokers a moment later, and kafkajs's
// `waitForLeaders` takes the "unknown topic" a broker gives meanwhile as final. Against the real test broker,
// through a real bridge, with kafkajs as learners' programs use it.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { untilBrokerListsTopics } from "../../sandbox-server/src/kafka/index.ts";
import { startKafkaBridge, type KafkaBridge } from "../../sandbox-server/src/runs/containment/index.ts";
import { kafkajsConfig } from "../support/kafkajs-config.ts";

const access = inject("kafkaAccess");
const namespace = `l${randomBytes(10).toString("hex")}-`;
/** What the bridge asked to wait for, and how long the test made it wait. */
const waitedFor: { address: string; topics: string[] }[] = [];
let holdMs = 0;
let dir: string;
let bridge: KafkaBridge;
let kafka: Kafka;
const direct = new Kafka(kafkajsConfig(access, "gate-test-direct"));

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "tributary-gate-"));
  bridge = await startKafkaBridge(path.join(dir, "kafka"), access.bootstrap, async (address, topics) => {
    waitedFor.push({ address, topics });
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    await untilBrokerListsTopics(access, address, topics);
  });
  // As in a sandbox: every broker address leads to that broker's socket.
  kafka = new Kafka({
    ...kafkajsConfig(access, "gate-test"),
    socketFactory: ({ port, onConnect }) => net.connect({ path: path.join(bridge.dir, `${port}.sock`) }, onConnect),
  });
});

afterAll(async () => {
  const admin = direct.admin();
  await admin.connect();
  const mine = (await admin.listTopics()).filter((name) => name.startsWith(namespace));
  if (mine.length) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
  await bridge.close();
  await rm(dir, { recursive: true, force: true });
});

describe("a CreateTopics answer through the bridge", () => {
  it("reaches the program only once the broker lists the topics, and the program can use them at once", async () => {
    const admin = kafka.admin();
    await admin.connect();
    waitedFor.length = 0;
    holdMs = 400;
    const started = Date.now();
    const names = [`${namespace}orders`, `${namespace}payments`];
    expect(await admin.createTopics({ topics: names.map((topic) => ({ topic, numPartitions: 2 })), waitForLeaders: true })).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(holdMs);
    expect(waitedFor).toHaveLength(1);
    expect(waitedFor[0]!.topics.sort()).toEqual(names);
    expect(access.bootstrap).toContain(waitedFor[0]!.address);
    // The connection still carries everything else, in order, after the held answer.
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: names[0]!, messages: [{ key: "k", value: "v" }] });
    await producer.disconnect();
    expect((await admin.fetchTopicOffsets(names[0]!)).reduce((sum, p) => sum + Number(p.high), 0)).toBe(1);
    await admin.disconnect();
  });

  it("does not wait for topics that were refused or only validated", async () => {
    const admin = kafka.admin();
    await admin.connect();
    holdMs = 0;
    const existing = `${namespace}existing`;
    await admin.createTopics({ topics: [{ topic: existing }], waitForLeaders: true });
    waitedFor.length = 0;
    // Already there: kafkajs reports it by answering false.
    expect(await admin.createTopics({ topics: [{ topic: existing }], waitForLeaders: true })).toBe(false);
    const checked = `${namespace}validated`;
    await admin.createTopics({ topics: [{ topic: checked }], validateOnly: true, waitForLeaders: false });
    expect(waitedFor).toEqual([]);
    expect(await admin.listTopics()).not.toContain(checked);
    await admin.disconnect();
  });

  it("creates topic after topic in a row, each usable the moment it is answered", async () => {
    const admin = kafka.admin();
    await admin.connect();
    holdMs = 0;
    for (let i = 0; i < 15; i++) {
      const topic = `${namespace}row-${i}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(topics[0]!.partitions).toHaveLength(3);
    }
    await admin.disconnect();
  });
});

describe("waiting for a broker to list topics", () => {
  it("gives up after its time for a topic that was never created, and at once for a broker that does not answer", async () => {
    let started = Date.now();
    await untilBrokerListsTopics(access, access.bootstrap[0]!, [`${namespace}never`], 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    started = Date.now();
    await untilBrokerListsTopics(access, "127.0.0.1:1", [`${namespace}never`]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
