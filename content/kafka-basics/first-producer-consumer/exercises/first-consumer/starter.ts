import { Kafka } from "kafkajs";

const kafka = new Kafka({
  clientId: "first-consumer",
  brokers: (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(","),
});

// Consumers that share a groupId share the work; Kafka remembers how far the group has read.
const consumer = kafka.consumer({ groupId: "message-readers" });
await consumer.connect();
consumer.on(consumer.events.GROUP_JOIN, () => console.log("Joined group message-readers; waiting for messages…"));

// TODO: subscribe to the topic "messages", reading from the beginning.
// TODO: run the consumer, printing each message's key and value as it arrives.
console.log("Not reading anything yet: fill in the TODOs.");
await consumer.disconnect();
