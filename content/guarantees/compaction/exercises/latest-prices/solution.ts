import { Kafka, logLevel, type Admin, type Producer } from "kafkajs";
import { connection, group, topic } from "tributary";

const PRICES = topic("product-prices");

// ─── Your part: the topic that keeps the latest price of each product, and how an update is sent. ───

/** Creates `product-prices` so that Kafka keeps, in time, only the latest record of each key. */
async function createPricesTopic(admin: Admin): Promise<void> {
  // compact: Kafka may drop a record once a later one has the same key. This course's Kafka keeps delete beside it
  // (old data still ages out), so the policy is compact,delete.
  await admin.createTopics({
    topics: [{ topic: PRICES, numPartitions: 1, configEntries: [{ name: "cleanup.policy", value: "compact,delete" }] }],
    waitForLeaders: true,
  });
}

/** Sends one product's new price; a price of null means the product was withdrawn. */
async function sendPrice(producer: Producer, product: string, price: string | null): Promise<void> {
  // The product is the key: compaction keeps the latest record per key. A null value is a tombstone: it deletes
  // the key, and in time compaction drops the key's earlier records and then the tombstone itself.
  await producer.send({ topic: PRICES, messages: [{ key: product, value: price }] });
}

// ─── Done for you from here on: the price updates, and a reader that rebuilds the table. ───

// Price updates in the order they happened (EUR). p-3 is withdrawn from sale at the end.
const UPDATES: [string, string | null][] = [
  ["p-1", "10.00"],
  ["p-2", "5.00"],
  ["p-3", "7.50"],
  ["p-4", "3.00"],
  ["p-1", "12.00"],
  ["p-4", "3.50"],
  ["p-3", null],
  ["p-4", "4.00"],
];

// Every run starts without the topic `product-prices`: the program creates it.
const kafka = new Kafka({ clientId: "latest-prices", ...connection, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await createPricesTopic(admin);
const producer = kafka.producer();
await producer.connect();
try {
  for (const [product, price] of UPDATES) await sendPrice(producer, product, price);
  console.log(`Sent ${UPDATES.length} price updates.`);
} catch (error) {
  console.log(`✗ Sending the updates stopped at an error: ${(error as Error).message}`);
}
await producer.disconnect();

// A reader that rebuilds the table from the beginning, as a new service would: the latest price per product,
// a tombstone removing its product.
const end = Number((await admin.fetchTopicOffsets(PRICES))[0]?.high ?? 0);
await admin.disconnect();
const table = new Map<string, string>();
if (end > 0) {
  const reader = kafka.consumer({ groupId: group("price-table") });
  await reader.connect();
  await reader.subscribe({ topic: PRICES, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    reader
      .run({
        eachMessage: async ({ message }) => {
          const product = message.key?.toString() ?? "(no key)";
          if (message.value === null) table.delete(product);
          else table.set(product, message.value.toString());
          if (Number(message.offset) + 1 >= end) resolve();
        },
      })
      .catch(reject);
  });
  await reader.disconnect();
}
console.log("The price table rebuilt from the topic:");
for (const [product, price] of [...table].sort()) console.log(`  ${product}: ${price} EUR`);
