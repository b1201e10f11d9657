import { Kafka, logLevel } from "kafkajs";
import { connection, topic, group } from "tributary";

const kafka = new Kafka({ clientId: "keys-and-ordering", ...connection, logLevel: logLevel.WARN });
const RIDES = topic("rides");
const PARTITIONS = 3;

const admin = kafka.admin();
await admin.connect();
// Every run starts from a fresh topic, so only this run's rides are in it. (Partitions can be
// added but never removed, and adding them moves keys to other partitions: make the topic afresh.)
if ((await admin.listTopics()).includes(RIDES)) {
  await admin.deleteTopics({ topics: [RIDES] });
  // Deleting takes Kafka a moment: wait until it no longer lists the topic.
  for (let waited = 0; (await admin.listTopics()).includes(RIDES); waited += 200) {
    if (waited >= 30_000) throw new Error("Kafka has not finished deleting the old topic after 30 s; run the program again.");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
for (let attempt = 1; ; attempt++) {
  try {
    await admin.createTopics({ topics: [{ topic: RIDES, numPartitions: PARTITIONS }], waitForLeaders: true });
    // Kafka may still have been finishing the deletion ("already exists"): check what it holds now.
    const [held] = (await admin.fetchTopicMetadata({ topics: [RIDES] })).topics;
    if (held?.partitions.length === PARTITIONS) break;
    throw new Error(`Kafka holds ${RIDES} with ${held?.partitions.length ?? 0} partition(s), not ${PARTITIONS}.`);
  } catch (error) {
    // A new topic can take Kafka a moment to announce: try again.
    if (attempt === 10) throw error;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const producer = kafka.producer();
await producer.connect();
for (const step of ["requested", "picked up", "dropped off"]) {
  const messages = Array.from({ length: 10 }, (_, i) => ({ key: `ride-${i + 1}`, value: step }));
  // acks: -1 waits until every in-sync copy holds the message.
  await producer.send({ topic: RIDES, acks: -1, messages });
}
await producer.disconnect();
console.log("Sent 30 ride events; reading them back to see where they went…");

// Read the whole topic back and note which partition(s) each ride's events are in.
const offsets = await admin.fetchTopicOffsets(RIDES);
await admin.disconnect();
const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
const partitionsByRide = new Map<string, Set<number>>();
const consumer = kafka.consumer({ groupId: group(`rides-audit-${Date.now()}`) });
await consumer.connect();
await consumer.subscribe({ topic: RIDES, fromBeginning: true });
let seen = 0;
await new Promise<void>((done) => {
  void consumer.run({
    eachMessage: async ({ partition, message }) => {
      const ride = message.key?.toString() ?? "(no key)";
      partitionsByRide.set(ride, (partitionsByRide.get(ride) ?? new Set()).add(partition));
      if (++seen === total) done();
    },
  });
});
await consumer.disconnect();
const byRide = [...partitionsByRide].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));
for (const [ride, partitions] of byRide) console.log(`${ride}: partition(s) ${[...partitions].join(", ")}`);
