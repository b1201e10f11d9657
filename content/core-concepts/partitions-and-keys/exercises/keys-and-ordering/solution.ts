import { Kafka, logLevel } from "kafkajs";
import { connection, topic, group } from "tributary";

const kafka = new Kafka({ clientId: "keys-and-ordering", ...connection, logLevel: logLevel.WARN });
const RIDES = topic("rides");
const PARTITIONS = 3;

const admin = kafka.admin();
await admin.connect();
if (!(await admin.listTopics()).includes(RIDES)) {
  await admin.createTopics({ topics: [{ topic: RIDES, numPartitions: PARTITIONS }], waitForLeaders: true });
} else {
  // A topic created earlier with fewer partitions can grow (it can never shrink).
  const { topics } = await admin.fetchTopicMetadata({ topics: [RIDES] });
  const current = topics[0]?.partitions.length ?? 0;
  if (current < PARTITIONS) await admin.createPartitions({ topicPartitions: [{ topic: RIDES, count: PARTITIONS }] });
}
await admin.disconnect();

const producer = kafka.producer();
await producer.connect();
const steps = ["requested", "picked up", "dropped off"];
const placed = new Map<string, Set<number>>();
for (const step of steps) {
  const messages = Array.from({ length: 10 }, (_, i) => ({ key: `ride-${i + 1}`, value: step }));
  // acks: -1 waits until every in-sync copy holds the message.
  await producer.send({ topic: RIDES, acks: -1, messages });
}
await producer.disconnect();

// Read back where each ride's events landed, with the admin client's offsets and a consumer.
const consumer = kafka.consumer({ groupId: group(`rides-audit-${Date.now()}`) });
await consumer.connect();
await consumer.subscribe({ topic: RIDES, fromBeginning: true });
const expected = await countRecords();
let seen = 0;
await new Promise<void>((done) => {
  void consumer.run({
    eachMessage: async ({ partition, message }) => {
      const ride = message.key?.toString() ?? "(no key)";
      placed.set(ride, (placed.get(ride) ?? new Set()).add(partition));
      if (++seen === expected) done();
    },
  });
});
await consumer.disconnect();
for (const [ride, partitions] of [...placed].sort()) console.log(`${ride}: partition(s) ${[...partitions].join(", ")}`);

async function countRecords(): Promise<number> {
  const a = kafka.admin();
  await a.connect();
  const offsets = await a.fetchTopicOffsets(RIDES);
  await a.disconnect();
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}
