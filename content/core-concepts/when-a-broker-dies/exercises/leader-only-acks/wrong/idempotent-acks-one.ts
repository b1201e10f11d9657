// Asks the leader alone (acks 1) but keeps the producer idempotent, which kafkajs refuses at the first send: no payment goes out.
// The checkpoint says: idempotent
import { Kafka, logLevel, type LogEntry, type Message, type Producer } from "kafkajs";
import { connection, topic } from "tributary";

const PAYMENTS = topic("fast-payments");
const LEDGER = topic("fast-ledger");

// ─── Your part: the producer, and how it sends one payment. ───

/** The producer. Here a quick answer matters more than a payment surviving a broker's death. */
function createProducer(kafka: Kafka): Producer {
  // Idempotent, so that a retry is written once.
  return kafka.producer({ idempotent: true, retry: { retries: 6 } });
}

/** Sends one payment, and returns where Kafka wrote it once Kafka has acknowledged it. */
async function sendPayment(producer: Producer, payment: Payment): Promise<Written> {
  // acks 1: the leader answers as soon as it has written the payment, whatever the other copies have.
  const [written] = await producer.send({ topic: PAYMENTS, acks: 1, timeout: 5000, messages: [messageOf(payment)] });
  return { partition: written!.partition, offset: Number(written!.baseOffset) };
}

// ─── Done for you from here on: the payments, the ledger of what Kafka answered, and the end. ───

interface Payment {
  payment: number;
  amount: number;
}

interface Written {
  partition: number;
  offset: number;
}

/** Payment n, of 10 to 99 EUR. */
const paymentOf = (n: number): Payment => ({ payment: n, amount: 10 + ((n * 37) % 90) });
const messageOf = (payment: Payment): Message => ({ key: `payment-${payment.payment}`, value: JSON.stringify(payment) });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Kafka's refusals for too few copies in sync, as kafkajs words them in its log. */
const TOO_FEW_REPLICAS: Record<string, string> = {
  NOT_ENOUGH_REPLICAS: "Messages are rejected since there are fewer in-sync replicas than required",
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: "Messages are written to the log, but to fewer in-sync replicas",
};

/** The Kafka error type among an error's causes: kafkajs wraps the last refusal once its retries are spent. */
function kafkaErrorTypeIn(error: unknown): string | undefined {
  let cause = error as { type?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; cause && depth < 8; depth++, cause = cause.cause as typeof cause) {
    if (typeof cause.type === "string") return cause.type;
  }
  return undefined;
}

/** Whether Kafka refused a send because too few copies of the partition were in sync. */
function tooFewReplicas(error: unknown): boolean {
  return kafkaErrorTypeIn(error)?.startsWith("NOT_ENOUGH_REPLICAS") ?? false;
}

/** An error in a line: its name, the Kafka error type it carries, and what it says. */
function describe(error: unknown): string {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  const type = kafkaErrorTypeIn(error);
  return `${name}${type ? ` (${type})` : ""}: ${message}`.slice(0, 240);
}

// The ledger: what Kafka told the producer about each payment, written to `fast-ledger` at the end. The
// checkpoint compares it with `fast-payments`, as a Jepsen checker compares what a database acknowledged with what
// it holds. Every send is watched, so the ledger tells the truth whatever sendPayment does.
const ledger = {
  startedAt: Date.now(),
  endedAt: 0,
  /** "ran its time" (two minutes), "stopped" (SIGTERM), or "gave up". */
  ended: "",
  /** The acks the producer's sends asked for: -1 (all), 1 (the leader alone) or 0 (none). */
  acks: null as number | null,
  /** The highest payment the program handed to the producer. */
  sent: 0,
  acknowledged: [] as { payment: number; partition: number; offset: number; at: number }[],
  /** Kafka's refusals and the errors sends ended with; the same payment refused for the same reason counts once, `times` over. */
  refused: [] as { payment: number; error: string; at: number; lastAt: number; times: number }[],
  gaveUp: null as { payment: number; error: string; at: number } | null,
};
/** The payment whose send has not been answered yet. */
let inFlight: number | undefined;

/** Notes a refusal of `payment`, and prints it unless the producer retries it by itself; a refusal like the one before it only counts. */
function noteRefusal(payment: number, error: string, quietly = false): void {
  const at = Date.now();
  const last = ledger.refused.at(-1);
  if (last && last.payment === payment && last.error === error) {
    last.times++;
    last.lastAt = at;
    return;
  }
  ledger.refused.push({ payment, error, at, lastAt: at, times: 1 });
  if (!quietly) console.log(`✗ Kafka refused payment ${payment}: ${error}`);
}

/** The producer, with every send of a payment, answered or refused, noted in the ledger. */
function watched(producer: Producer): Producer {
  const send = producer.send.bind(producer);
  producer.send = async (record) => {
    const payment = (JSON.parse(String(record.messages[0]?.value ?? "{}")) as Partial<Payment>).payment ?? 0;
    ledger.acks = record.acks ?? -1;
    ledger.sent = Math.max(ledger.sent, payment);
    inFlight = payment;
    try {
      const written = await send(record);
      const first = written[0];
      if (first) ledger.acknowledged.push({ payment, partition: first.partition, offset: Number(first.baseOffset), at: Date.now() });
      return written;
    } catch (error) {
      noteRefusal(payment, describe(error));
      throw error;
    } finally {
      inFlight = undefined;
    }
  };
  return producer;
}

/** kafkajs logs each refusal it retries; those for too few copies in sync go into the ledger as they happen. */
const refusalsInLog = () => (entry: LogEntry) => {
  const type = Object.keys(TOO_FEW_REPLICAS).find((name) => entry.log.message.includes(TOO_FEW_REPLICAS[name]!));
  if (type && inFlight !== undefined) noteRefusal(inFlight, `${type} (your producer retries it)`, true);
};

// kafkajs's other log lines are the connection errors of the brokers you stop: the program says what matters.
const kafka = new Kafka({ clientId: "payments", ...connection, logLevel: logLevel.ERROR, logCreator: refusalsInLog });
const producer = watched(createProducer(kafka));
// The ledger goes out with acks 1: the leader alone takes it, so it is written even while one broker runs.
const ledgerWriter = kafka.producer();
await Promise.all([producer.connect(), ledgerWriter.connect()]);

let ending: Promise<void> | undefined;
/** Writes the ledger as one record, once, and ends the program. */
function end(why: string): Promise<void> {
  ending ??= (async () => {
    ledger.endedAt = Date.now();
    ledger.ended = why;
    try {
      await ledgerWriter.send({ topic: LEDGER, acks: 1, messages: [{ value: JSON.stringify(ledger) }] });
      const refusals = ledger.refused.reduce((sum, r) => sum + r.times, 0);
      console.log(`The ledger is written: ${ledger.acknowledged.length} payments acknowledged, ${refusals} refusals. Press Check.`);
      process.exit(0);
    } catch (error) {
      console.log(`✗ The ledger could not be written: ${describe(error)}`);
      process.exit(1);
    }
  })();
  return ending;
}
// Stop sends SIGTERM, and the program has a few seconds: it writes the ledger at once, even mid-send.
process.once("SIGTERM", () => void end("stopped"));

console.log(
  "A payment every 200 ms for two minutes. In the lab panel, stop the broker that leads fast-payments 0, then a second one; start both again half a minute later.",
);
const RUN_FOR_MS = 120_000;
for (let n = 1; Date.now() < ledger.startedAt + RUN_FOR_MS; n++) {
  const payment = paymentOf(n);
  let written: Written | undefined;
  try {
    written = await sendPayment(producer, payment);
  } catch (error) {
    ledger.gaveUp = { payment: n, error: describe(error), at: Date.now() };
    console.log(`✗ sendPayment gave up on payment ${n}: ${describe(error)}`);
    break;
  }
  if (written) console.log(`✓ payment ${n} → fast-payments ${written.partition} @ offset ${written.offset}`);
  await sleep(200);
}
await end(ledger.gaveUp ? "gave up" : "ran its time");
