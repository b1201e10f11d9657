// Numbers the messages from 0 to 9 instead of 1 to 10.
// The checkpoint says: no message "message 10"
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
const messages = Array.from({ length: 10 }, (_, i) => ({ key: String(i), value: `message ${i}` }));
const [result] = await producer.send({ topic: MESSAGES, messages });
console.log(`Sent ${messages.length} messages to partition ${result?.partition}, from offset ${result?.baseOffset}.`);
await producer.disconnect();
