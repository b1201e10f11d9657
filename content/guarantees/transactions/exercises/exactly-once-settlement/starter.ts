import { Kafka, logLevel, type Consumer, type KafkaMessage, type Message, type Producer, type ProducerConfig } from "kafkajs";
import { connection, group, topic, transactionalId } from "tributary";

const PAYMENTS = topic("fx-payments");
const SETTLED = topic("settled-payments");

// ─── Your part: the processor's producer, and what it does with each batch of payments. ───

/** The processor's producer. A restarted processor must finish, or undo, what the crashed one left half done. */
function createProducer(kafka: Kafka): Producer {
  // TODO: a plain producer: what a crashed processor sent stays in `settled-payments`. Make it transactional, with a
  // transactional id of your namespace that every processor shares: transactionalId("settler").
  return kafka.producer();
}

/** Settles a batch of payments: each one in euros to `settled-payments`, and the batch marked as read, all or nothing. */
async function settleBatch(producer: Producer, consumer: Consumer, { topic: name, partition, messages }: PaymentBatch): Promise<void> {
  // TODO: the settled payments and the commit of their offsets are separate steps, so a crash between them settles
  // payments twice. Send both in one transaction: producer.transaction(), transaction.send, transaction.sendOffsets,
  // transaction.commit().
  for (const message of messages) {
    await producer.send({ topic: SETTLED, messages: [await settle(message)] });
  }
  await consumer.commitOffsets([{ topic: name, partition, offset: String(Number(messages.at(-1)!.offset) + 1) }]);
}

// ─── Done for you from here on: the payments, the processor, two crashes, and a reader. ───

interface Payment {
  payment: string;
  amount: number;
  currency: string;
}

/** A batch as the processor hands it to `settleBatch`: up to four payments of one partition, in offset order. */
interface PaymentBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
}

/** One life of the processor, as the log keeps it. */
interface Life {
  life: number;
  transactionalId: string | null;
  /** Group settlement's committed offset on `fx-payments` when this life began (null: none yet). */
  resumedAt: number | null;
  crashed: string | null;
  /** Commits the consumer made itself, outside any transaction. */
  consumerCommits: number;
  transactionsCommitted: number;
}

const PAYMENT_COUNT = 12;
const BATCH_SIZE = 4;
const CRASH_WHILE_SETTLING = "payment-7";
const LAST_PAYMENT = `payment-${PAYMENT_COUNT}`;
const TO_EUR: Record<string, number> = { EUR: 1, USD: 0.92, GBP: 1.17 };

// Twelve payments arrive, in three currencies. Every run starts from a clean slate: fresh topics, no committed offsets.
const plain = new Kafka({ clientId: "settlement-desk", ...connection, logLevel: logLevel.WARN });
const desk = plain.producer();
await desk.connect();
const payments: Payment[] = Array.from({ length: PAYMENT_COUNT }, (_, i) => ({
  payment: `payment-${i + 1}`,
  amount: (i + 1) * 10,
  currency: ["USD", "GBP", "EUR"][i % 3]!,
}));
await desk.send({ topic: PAYMENTS, messages: payments.map((p) => ({ key: p.payment, value: JSON.stringify(p) })) });

// The processor crashes twice, once a run each, and a supervisor starts it again each time:
// - the first processor dies while settling payment-7, after it sent payment-5 and payment-6 of that batch;
// - a later one dies the moment Kafka confirms the transaction that holds payment-12, before your function returns.
// A crashed processor does nothing more: it never finishes, commits or aborts what it was doing. Each processor's
// life goes to `settlement-log` for the checkpoint: its producer's transactional id, where it began, how it ended.
const crashes = { whileSettling: false, afterLastCommit: false };
/** The processor that runs now: its life so far, whether it settled payment-12, and how it dies. */
let current: { life: Life; settledLast: boolean; crash: (how: string) => void };
const frozen = new Promise<never>(() => {});

/** Settles one payment in euros: the message your processor sends for it. */
async function settle(message: KafkaMessage): Promise<Message> {
  const payment = JSON.parse(String(message.value)) as Payment;
  if (payment.payment === CRASH_WHILE_SETTLING && !crashes.whileSettling) {
    crashes.whileSettling = true;
    current.crash(`while settling ${CRASH_WHILE_SETTLING}`);
    return frozen;
  }
  if (payment.payment === LAST_PAYMENT) current.settledLast = true;
  const eur = Math.round(payment.amount * TO_EUR[payment.currency]! * 100) / 100;
  return { key: payment.payment, value: JSON.stringify({ payment: payment.payment, eur, settledBy: current.life.life }) };
}

// The log notes how each processor's producer was made. (kafkajs would log as an error each retry it makes while
// Kafka ends a fenced producer's transaction; an error that matters reaches your code as an exception.)
let madeWith: ProducerConfig | undefined;
const kafka = new Kafka({ clientId: "settlement", ...connection, logLevel: logLevel.NOTHING });
const makeProducer = kafka.producer.bind(kafka);
kafka.producer = (config?: ProducerConfig) => ((madeWith = config), makeProducer(config));

/** Your producer, watched: the processor dies the moment Kafka confirms the first transaction that holds payment-12. */
function watched(producer: Producer): Producer {
  const begin = producer.transaction.bind(producer);
  producer.transaction = async () => {
    const transaction = await begin();
    const commit = transaction.commit.bind(transaction);
    transaction.commit = async () => {
      await commit();
      current.life.transactionsCommitted++;
      if (current.settledLast && !crashes.afterLastCommit) {
        crashes.afterLastCommit = true;
        current.crash(`the moment Kafka confirmed the transaction that holds ${LAST_PAYMENT}`);
        await frozen;
      }
    };
    return transaction;
  };
  return producer;
}

const admin = plain.admin();
await admin.connect();
// Stop sends SIGTERM: the processor's clients leave cleanly, so the next run need not wait for them.
const open = new Set<{ disconnect: () => Promise<void> }>([desk, admin]);
process.once("SIGTERM", () => void Promise.allSettled([...open].map((client) => client.disconnect())).finally(() => process.exit(0)));

/** Group settlement's committed offset on `fx-payments`, or null when it has committed none. */
async function committedOffset(): Promise<number | null> {
  const [offsets] = await admin.fetchOffsets({ groupId: group("settlement"), topics: [PAYMENTS] });
  const offset = Number(offsets?.partitions[0]?.offset ?? -1);
  return offset < 0 ? null : offset;
}

/** The batch's payments, four at a time by offset: 0–3, 4–7, 8–11. */
function inFours(messages: KafkaMessage[]): KafkaMessage[][] {
  const fours = new Map<number, KafkaMessage[]>();
  for (const message of messages) {
    const four = Math.floor(Number(message.offset) / BATCH_SIZE);
    fours.set(four, [...(fours.get(four) ?? []), message]);
  }
  return [...fours.values()];
}

/** One life of the processor: it settles payments from the group's committed offset until the last one, or a crash. */
async function runProcessor(number: number): Promise<Life> {
  let crashed: (how: string) => void = () => {};
  const crash = new Promise<string>((resolve) => (crashed = resolve));
  const producer = watched(createProducer(kafka));
  open.add(producer);
  await producer.connect();
  // kafkajs fences the producer before it with the same transactional id when this one begins its first transaction,
  // once Kafka has ended the transaction that one left: begin one (and drop it) now, so the group's committed offset
  // is read after that.
  if (madeWith?.transactionalId) await (await producer.transaction()).abort();
  const life: Life = {
    life: number,
    transactionalId: madeWith?.transactionalId ?? null,
    resumedAt: await committedOffset(),
    crashed: null,
    consumerCommits: 0,
    transactionsCommitted: 0,
  };
  current = {
    life,
    settledLast: false,
    crash: (how) => {
      life.crashed = how;
      console.log(`💥 Processor ${number} crashed ${how}.`);
      crashed(how);
    },
  };
  console.log(`Processor ${number} starts at the group's committed offset: ${life.resumedAt ?? "none, so at the first payment"}.`);
  if ((life.resumedAt ?? 0) >= PAYMENT_COUNT) {
    console.log("Every payment's offset is committed: nothing is left to settle.");
    await producer.disconnect();
    return life;
  }
  const consumer = kafka.consumer({ groupId: group("settlement") });
  open.add(consumer);
  consumer.on(consumer.events.COMMIT_OFFSETS, () => life.consumerCommits++);
  await consumer.connect();
  await consumer.subscribe({ topic: PAYMENTS, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch, pause }) => {
          for (const messages of inFours(batch.messages)) {
            if (life.crashed) return;
            const settled = settleBatch(producer, consumer, { topic: batch.topic, partition: batch.partition, messages });
            const outcome = await Promise.race([settled.then(() => null), crash]).catch((error: Error) => error);
            if (outcome instanceof Error) {
              pause();
              return reject(outcome);
            }
            if (outcome !== null || Number(messages.at(-1)!.offset) + 1 >= PAYMENT_COUNT) return resolve();
          }
        },
      })
      .catch(reject);
  });
  // A crashed processor's connections just close: no commit, no abort.
  await consumer.disconnect();
  await producer.disconnect();
  open.delete(consumer);
  open.delete(producer);
  if (!life.crashed) console.log(`Processor ${number} settled every payment up to ${LAST_PAYMENT}.`);
  return life;
}

const logger = plain.producer();
await logger.connect();
open.add(logger);
for (let number = 1; number <= 3; number++) {
  const life = await runProcessor(number);
  await logger.send({ topic: topic("settlement-log"), messages: [{ key: `life-${number}`, value: JSON.stringify(life) }] });
  if (!life.crashed) break;
}

// `settled-payments` as a read_committed reader sees it (kafkajs's default): nothing of an aborted or open transaction.
const end = Number((await admin.fetchTopicOffsets(SETTLED))[0]?.high ?? 0);
const read: string[] = [];
if (end > 0) {
  const reader = plain.consumer({ groupId: group("settled-audit"), readUncommitted: false });
  open.add(reader);
  await reader.connect();
  await reader.subscribe({ topic: SETTLED, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    // A transaction's end marker takes an offset too: the reader is done once its batches reach the end.
    reader.on(reader.events.END_BATCH_PROCESS, ({ payload }) => Number(payload.lastOffset) + 1 >= end && resolve());
    reader.run({ eachMessage: async ({ message }) => void read.push(String(message.key)) }).catch(reject);
  });
}
const twice = [...new Set(read.filter((payment, i) => read.indexOf(payment) !== i))];
console.log(`settled-payments as a read_committed reader sees it: ${read.join(" ") || "(empty)"}`);
console.log(`${new Set(read).size} of ${PAYMENT_COUNT} payments settled${twice.length ? `; settled twice: ${twice.join(", ")}` : ""}.`);
await Promise.all([...open].map((client) => client.disconnect()));
