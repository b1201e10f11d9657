import { Kafka, logLevel } from "kafkajs";
import { connection, topic, group } from "tributary";

const kafka = new Kafka({ clientId: "two-targets", ...connection, logLevel: logLevel.WARN });
const ORDERS = topic("orders");

// The source: five orders go into Kafka, once.
const admin = kafka.admin();
await admin.connect();
if (!(await admin.listTopics()).includes(ORDERS)) {
  await admin.createTopics({ topics: [{ topic: ORDERS, numPartitions: 1 }], waitForLeaders: true });
}
await admin.disconnect();
const producer = kafka.producer();
await producer.connect();
const orders = ["book", "lamp", "kettle", "chair", "plant"].map((item, i) => ({ key: `order-${i + 1}`, value: item }));
await producer.send({ topic: ORDERS, messages: orders });
await producer.disconnect();
console.log(`source: wrote ${orders.length} orders`);

/** One target: a consumer in its own group reads `count` new orders, then leaves. */
async function target(groupName: string, count: number): Promise<void> {
  const consumer = kafka.consumer({ groupId: group(groupName) });
  await consumer.connect();
  await consumer.subscribe({ topic: ORDERS, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((done) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        console.log(`${groupName}: ${message.key?.toString()} ${message.value?.toString()}`);
        if (++seen === count) done();
      },
    });
  });
  await consumer.disconnect(); // commits how far this group has read
}

await target("billing", orders.length);
await target("shipping", orders.length);
console.log("Both targets read every order.");
