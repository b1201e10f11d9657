// Keeps the starter's last line: disconnects right after consumer.run, before any message is handled.
// The checkpoint says: do not disconnect right after consumer.run
import { Kafka, logLevel } from "kafkajs";
import { connection, topic, group } from "tributary";

// The course hands your program its brokers and credentials, and a namespace of its own:
// topic("messages") is your topic called messages, group("message-readers") your group.
const kafka = new Kafka({ clientId: "first-consumer", ...connection, logLevel: logLevel.WARN });
const MESSAGES = topic("messages");

// Step 1 (done for you): a consumer can only subscribe to a topic that exists, so create
// `messages` if the producer has not yet.
const admin = kafka.admin();
await admin.connect();
if (!(await admin.listTopics()).includes(MESSAGES)) {
  await admin.createTopics({ topics: [{ topic: MESSAGES, numPartitions: 1 }], waitForLeaders: true });
  console.log("Created the topic messages.");
}
await admin.disconnect();

// Step 2: join the group and read. Consumers that share a groupId share the work;
// Kafka remembers how far the group has read.
const consumer = kafka.consumer({ groupId: group("message-readers") });
await consumer.connect();
consumer.on(consumer.events.GROUP_JOIN, () => console.log("Joined group message-readers; waiting for messages…"));
// Stop sends SIGTERM: leave the group cleanly, so the next run does not wait for this one's session to expire.
process.once("SIGTERM", () => void consumer.disconnect().then(() => process.exit(0)));

await consumer.subscribe({ topic: MESSAGES, fromBeginning: true });
await consumer.run({
  // kafkajs commits the offsets of the messages this function has handled.
  eachMessage: async ({ partition, message }) => {
    console.log(`[partition ${partition}, offset ${message.offset}] ${message.key?.toString()}: ${message.value?.toString()}`);
  },
});
console.log("Done reading.");
await consumer.disconnect();
