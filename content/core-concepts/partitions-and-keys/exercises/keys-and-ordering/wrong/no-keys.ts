// Three partitions, but the events have no keys: a ride's events scatter over the partitions.
// The checkpoint says: have no key
import { Kafka, logLevel } from "kafkajs";
import { connection, topic, group } from "tributary";

const kafka = new Kafka({ clientId: "keys-and-ordering", ...connection, logLevel: logLevel.WARN });
const RIDES = topic("rides");
const PARTITIONS = 3;

// Every run starts with no topic `rides`: the program creates it. (Partitions can be added but never removed,
// and adding them moves keys to other partitions: a topic's partitions are chosen when it is created.)
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: RIDES, numPartitions: PARTITIONS }], waitForLeaders: false });
// A new topic's partitions take Kafka a moment to get ready: a send before that could be retried and written twice.
await untilReady(RIDES);

const producer = kafka.producer();
await producer.connect();
for (const step of ["requested", "picked up", "dropped off"]) {
  const messages = Array.from({ length: 10 }, (_, i) => ({ value: `ride-${i + 1} ${step}` }));
  // acks: -1 waits until every in-sync copy holds the message.
  await producer.send({ topic: RIDES, acks: -1, messages });
}
await producer.disconnect();
console.log("Sent 30 ride events; reading them back to see where they went…");

// Read the whole topic back and note which partition(s) each ride's events are in.
const offsets = await admin.fetchTopicOffsets(RIDES);
await admin.disconnect();
const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
const partitionsByKey = new Map<string, Set<number>>();
const consumer = kafka.consumer({ groupId: group("rides-audit") });
await consumer.connect();
await consumer.subscribe({ topic: RIDES, fromBeginning: true });
let seen = 0;
await new Promise<void>((done) => {
  void consumer.run({
    eachMessage: async ({ partition, message }) => {
      const key = message.key?.toString() ?? "(no key)";
      partitionsByKey.set(key, (partitionsByKey.get(key) ?? new Set()).add(partition));
      if (++seen === total) done();
    },
  });
});
await consumer.disconnect();
const byKey = [...partitionsByKey].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));
for (const [key, partitions] of byKey) console.log(`key ${key}: partition(s) ${[...partitions].join(", ")}`);

/** Done for you: waits until each partition of a new topic has a leader that answers. */
async function untilReady(name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.fetchTopicOffsets(name);
      return;
    } catch (error) {
      if (attempt === 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
