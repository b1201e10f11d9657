import { Kafka, logLevel } from "kafkajs";
import { connection, topic, group } from "tributary";

const kafka = new Kafka({ clientId: "manual-commit", ...connection, logLevel: logLevel.WARN });
const PAYMENTS = topic("payments");

const admin = kafka.admin();
await admin.connect();
if (!(await admin.listTopics()).includes(PAYMENTS)) {
  await admin.createTopics({ topics: [{ topic: PAYMENTS, numPartitions: 1 }], waitForLeaders: true });
}

// Done for you: twenty payments arrive.
const producer = kafka.producer();
await producer.connect();
const payments = Array.from({ length: 20 }, (_, i) => ({ key: `payment-${i + 1}`, value: String((i + 1) * 5) }));
await producer.send({ topic: PAYMENTS, messages: payments });
await producer.disconnect();
// Where the topic ends now: the consumer books every payment up to here, however far an earlier run got.
const end = Number((await admin.fetchTopicOffsets(PAYMENTS))[0]!.high);
await admin.disconnect();

const consumer = kafka.consumer({ groupId: group("bookkeeping") });
await consumer.connect();
// Stop sends SIGTERM: leave the group cleanly, so the next run does not wait for this one's session to expire.
process.once("SIGTERM", () => void consumer.disconnect().then(() => process.exit(0)));
await consumer.subscribe({ topic: PAYMENTS, fromBeginning: true });
let booked = 0;
await new Promise<void>((done) => {
  void consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic: name, partition, message }) => {
      console.log(`booked ${message.key?.toString()}: ${message.value?.toString()} EUR (offset ${message.offset})`);
      // The work is done; now tell Kafka. The committed offset is the next one to read.
      await consumer.commitOffsets([{ topic: name, partition, offset: String(Number(message.offset) + 1) }]);
      booked++;
      if (Number(message.offset) + 1 >= end) done(); // caught up
    },
  });
});
await consumer.disconnect();
console.log(`${booked} payments booked and committed.`);
