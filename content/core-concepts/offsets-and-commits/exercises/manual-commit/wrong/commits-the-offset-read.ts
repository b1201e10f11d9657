// Commits the offset of the payment it booked, not the next one to read.
// The checkpoint says: Number(message.offset) + 1
import { Kafka, logLevel, type Consumer, type EachMessagePayload, type KafkaMessage } from "kafkajs";
import { connection, topic, group } from "tributary";

const kafka = new Kafka({ clientId: "manual-commit", ...connection, logLevel: logLevel.WARN });
const PAYMENTS = topic("payments");
const BOOKINGS = topic("bookings");

/** Your part: what the bookkeeping service does with each payment. Auto-commit is off. */
async function handlePayment(consumer: Consumer, { topic: name, partition, message }: EachMessagePayload): Promise<void> {
  await book(message);
  await consumer.commitOffsets([{ topic: name, partition, offset: message.offset }]);
}

// ─── Done for you from here on: the payments, the booking, and a crash. ───

// Twenty payments arrive. Every run starts from a clean slate: fresh topics, no committed offsets.
const PAYMENT_COUNT = 20;
const producer = kafka.producer();
await producer.connect();
const payments = Array.from({ length: PAYMENT_COUNT }, (_, i) => ({ key: `payment-${i + 1}`, value: String((i + 1) * 5) }));
await producer.send({ topic: PAYMENTS, messages: payments });

// What Kafka has confirmed as group bookkeeping's committed offset: kafkajs reports each commit once Kafka has
// acknowledged it, so a commit still on its way does not count yet.
let confirmed: number | null = null;
let restarted = false;
let crashed = false;
class ServiceCrash extends Error {}

/** Books a payment: writes it to `bookings` with the offset Kafka had confirmed as committed when the booking began. */
async function book(message: KafkaMessage): Promise<void> {
  const payment = message.key?.toString() ?? "";
  const committedWhenBooked = confirmed;
  if (payment === "payment-7" && !crashed) {
    crashed = true;
    console.log(`💥 The service crashed while booking ${payment}.`);
    throw new ServiceCrash();
  }
  const booking = { payment, amount: Number(message.value), offset: Number(message.offset), committedWhenBooked, restarted };
  await producer.send({ topic: BOOKINGS, messages: [{ key: payment, value: JSON.stringify(booking) }] });
  console.log(`booked ${payment} (offset ${message.offset}): ${message.value} EUR; the group's committed offset was ${committedWhenBooked ?? "none"}`);
}

/** One life of the bookkeeping service: a consumer in group bookkeeping that handles payments until the last one, or a crash. */
async function runService(): Promise<void> {
  const consumer = kafka.consumer({ groupId: group("bookkeeping") });
  consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
    const committed = payload.topics.find((t) => t.topic === PAYMENTS)?.partitions.find((p) => Number(p.partition) === 0);
    if (committed) confirmed = Number(String(committed.offset));
  });
  await consumer.connect();
  // Stop sends SIGTERM: leave the group cleanly, so the next run does not wait for this one's session to expire.
  const stop = () => void consumer.disconnect().finally(() => process.exit(0));
  process.once("SIGTERM", stop);
  await consumer.subscribe({ topic: PAYMENTS, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async (payload) => {
            try {
              await handlePayment(consumer, payload);
            } catch (error) {
              payload.pause(); // a crashed service handles nothing more
              return error instanceof ServiceCrash ? resolve() : reject(error);
            }
            if (Number(payload.message.offset) + 1 >= PAYMENT_COUNT) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    process.off("SIGTERM", stop);
  }
}

await runService();
if (crashed) {
  // Started again, the service resumes at the group's committed offset (the first payment when none is committed).
  restarted = true;
  console.log(`The service starts again, at the group's committed offset: ${confirmed ?? "none, so at the first payment"}.`);
  if ((confirmed ?? 0) < PAYMENT_COUNT) await runService();
}
await producer.disconnect();
