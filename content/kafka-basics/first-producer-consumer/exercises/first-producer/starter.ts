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
// TODO: connect the producer.
// TODO: send ten messages, from { key: "1", value: "message 1" } to { key: "10", value: "message 10" }.
// TODO: disconnect the producer, so the program can end.
console.log("Nothing sent yet: fill in the TODOs.");
