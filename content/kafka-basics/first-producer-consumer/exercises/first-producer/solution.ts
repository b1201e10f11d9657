import { Kafka, logLevel } from "kafkajs";

// The sandbox tells your program where the brokers are.
const kafka = new Kafka({
  clientId: "first-producer",
  brokers: (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(","),
  logLevel: logLevel.WARN,
});

// Step 1 (done for you): create the topic `messages` if it does not exist yet.
const admin = kafka.admin();
await admin.connect();
if ((await admin.listTopics()).includes("messages")) {
  console.log("The topic messages already exists.");
} else {
  await admin.createTopics({ topics: [{ topic: "messages", numPartitions: 1 }], waitForLeaders: true });
  console.log("Created the topic messages.");
}
await admin.disconnect();

// Step 2: send ten messages to `messages`.
const producer = kafka.producer();
await producer.connect();
const messages = Array.from({ length: 10 }, (_, i) => ({ key: String(i + 1), value: `message ${i + 1}` }));
const [result] = await producer.send({ topic: "messages", messages });
console.log(`Sent ${messages.length} messages to partition ${result?.partition}, from offset ${result?.baseOffset}.`);
await producer.disconnect();
