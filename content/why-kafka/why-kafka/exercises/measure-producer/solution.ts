import { Kafka, logLevel } from "kafkajs";
import { connection, topic } from "tributary";

const kafka = new Kafka({ clientId: "measure-producer", ...connection, logLevel: logLevel.WARN });
const BENCH = topic("bench");
const MESSAGES = 3000;
const BATCH = 100;

// Every benchmark starts from an empty topic, so the checkpoint judges this run's messages only.
await freshTopic(BENCH, 3);

const producer = kafka.producer();
await producer.connect();
const latencies: number[] = [];
const started = performance.now();
for (let sent = 0; sent < MESSAGES; sent += BATCH) {
  const messages = Array.from({ length: BATCH }, (_, i) => ({
    // Thirty sensors: the partitioner hashes each key to a partition, spreading them over all three.
    key: `sensor-${(sent + i) % 30}`,
    value: JSON.stringify({ reading: sent + i, at: Date.now() }),
  }));
  const before = performance.now();
  await producer.send({ topic: BENCH, acks: -1, messages });
  latencies.push(performance.now() - before);
}
const seconds = (performance.now() - started) / 1000;
await producer.disconnect();

latencies.sort((a, b) => a - b);
const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
console.log(`${MESSAGES} messages in ${seconds.toFixed(2)} s: ${Math.round(MESSAGES / seconds)} messages/s`);
console.log(`batch latency (send to acknowledgement): p50 ${percentile(50)} ms, p95 ${percentile(95)} ms`);

/** Done for you: deletes the topic an earlier run left, and creates it anew. */
async function freshTopic(name: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  if ((await admin.listTopics()).includes(name)) {
    await admin.deleteTopics({ topics: [name] });
    // Deleting takes Kafka a moment: wait until it no longer lists the topic.
    for (let waited = 0; (await admin.listTopics()).includes(name); waited += 200) {
      if (waited >= 30_000) throw new Error("Kafka has not finished deleting the old topic after 30 s; run the program again.");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.createTopics({ topics: [{ topic: name, numPartitions }], waitForLeaders: true });
      break;
    } catch (error) {
      // A new topic can take Kafka a moment to announce: try again.
      if (attempt === 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  await admin.disconnect();
}
