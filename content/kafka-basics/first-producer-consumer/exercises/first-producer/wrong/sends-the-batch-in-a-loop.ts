// Loops ten times around a send of the whole array of ten messages: every message is sent ten times.
// The checkpoint says: 10 times
import { Kafka, logLevel } from "kafkajs";
import { connection, topic } from "tributary";

// The course hands your program its brokers and credentials, and a namespace of its own:
// topic("messages") is your topic called messages.
const kafka = new Kafka({ clientId: "first-producer", ...connection, logLevel: logLevel.WARN });
const MESSAGES = topic("messages");

// Step 1 (done for you): create the topic `messages` if it does not exist yet.
const admin = kafka.admin();
await admin.connect();
if ((await admin.listTopics()).includes(MESSAGES)) {
  console.log("The topic messages already exists.");
} else {
  await admin.createTopics({ topics: [{ topic: MESSAGES, numPartitions: 1 }], waitForLeaders: true });
  console.log("Created the topic messages.");
}
await admin.disconnect();

// Step 2: send ten messages to `messages`.
const producer = kafka.producer();
await producer.connect();
const messages = Array.from({ length: 10 }, (_, i) => ({ key: String(i + 1), value: `message ${i + 1}` }));
for (let i = 1; i <= 10; i++) {
  const [result] = await producer.send({ topic: MESSAGES, messages });
  console.log(`Sent message ${i} to partition ${result?.partition}, offset ${result?.baseOffset}.`);
}
await producer.disconnect();
