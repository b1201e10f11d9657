// Names the second group Shipping, with a capital S: group names are case-sensitive, so shipping reads nothing.
// The checkpoint says: No consumer has joined group `shipping`
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
const producer = kafka.producer();
await producer.connect();
const orders = ["book", "lamp", "kettle", "chair", "plant"].map((item, i) => ({ key: `order-${i + 1}`, value: item }));
await producer.send({ topic: ORDERS, messages: orders });
await producer.disconnect();
console.log(`source: wrote ${orders.length} orders`);
// Where the topic ends now. Each target reads up to here, however far its group had read before.
const end = Number((await admin.fetchTopicOffsets(ORDERS))[0]!.high);
await admin.disconnect();

/** One target: a consumer in its own group reads every order it has not read yet, then leaves. */
async function target(groupName: string): Promise<void> {
  const consumer = kafka.consumer({ groupId: group(groupName) });
  await consumer.connect();
  // Stop sends SIGTERM: leave the group cleanly, so the next run does not wait for this one's session to expire.
  const leave = () => void consumer.disconnect().then(() => process.exit(0));
  process.once("SIGTERM", leave);
  await consumer.subscribe({ topic: ORDERS, fromBeginning: true });
  await new Promise<void>((done) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        console.log(`${groupName}: ${message.key?.toString()} ${message.value?.toString()}`);
        if (Number(message.offset) + 1 >= end) done(); // caught up
      },
    });
  });
  process.off("SIGTERM", leave);
  await consumer.disconnect(); // commits how far this group has read
}

await target("billing");
await target("Shipping");
console.log("Both targets read every order.");
