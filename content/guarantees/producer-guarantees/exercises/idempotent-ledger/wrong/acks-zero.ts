// Sends with acks 0 and no idempotence, so no answer can be lost: nor can the producer learn that a request was.
// The checkpoint says: acks: 0
import * as net from "node:net";
import { Kafka, logLevel, type ISocketFactoryArgs, type Producer } from "kafkajs";
import { connection, group, topic } from "tributary";

const LEDGER = topic("bank-ledger");

// ─── Your part: the producer that writes account acct-42's ledger, and how it sends the entries. ───

/** The producer. A retry must never write an entry twice, or out of order. */
function createProducer(kafka: Kafka): Producer {
  // Without answers there is no answer to lose, so nothing is sent twice.
  return kafka.producer();
}

/** Sends the ledger's entries, in order, each once. */
async function sendLedger(producer: Producer, entries: LedgerEntry[]): Promise<void> {
  for (const entry of entries) {
    // Awaited: the next entry goes out only once Kafka has this one.
    await producer.send({ topic: LEDGER, acks: 0, messages: [{ key: entry.account, value: JSON.stringify(entry) }] });
  }
}

// ─── Done for you from here on: the entries, a network that fails twice, and a reader. ───

interface LedgerEntry {
  entry: number;
  account: string;
  amount: number;
}

// Twenty entries of one account, deposits and withdrawals: its balance is right only if each counts once, in order.
// Every run starts from a clean slate: fresh topics.
const ENTRIES: LedgerEntry[] = Array.from({ length: 20 }, (_, i) => ({ entry: i + 1, account: "acct-42", amount: (i + 1) % 4 === 0 ? -60 : 40 }));

// The network between your producer and Kafka fails twice:
// - the request that carries entry 4 is lost on its way: Kafka never sees it, and the connection drops;
// - Kafka writes entry 7, and its answer is lost: the connection drops before your producer hears it.
// Either way your producer sees only a dropped connection. It logs what it lost to `network-log` for the checkpoint,
// the acks the lost request asked for, and which entry's request it carried but never saw answered (a producer
// may ask for no answer).
const LOSE_REQUEST = 4;
const LOSE_ANSWER = 7;
const lost: Record<"lostRequest" | "lostRequestAcks" | "lostAnswer" | "unanswered", number | null> = {
  lostRequest: null,
  lostRequestAcks: null,
  lostAnswer: null,
  unanswered: null,
};
const PRODUCE = 0; // the Kafka protocol's number for a Produce request
const sockets = new Set<net.Socket>();

/** The entry numbers a request's bytes carry (records are sent as they are, uncompressed). */
const entriesIn = (bytes: Buffer) => [...bytes.toString("latin1").matchAll(/"entry":(\d+),/g)].map((m) => Number(m[1]));

/** The acks a Produce request asks for: after its header's client id, and its transactional id. */
function acksOf(request: Buffer): number {
  const afterClientId = 14 + Math.max(request.readInt16BE(12), 0);
  return request.readInt16BE(afterClientId + 2 + Math.max(request.readInt16BE(afterClientId), 0));
}

/** A connection to Kafka through the flaky network: kafkajs writes one whole request at a time. */
function flakyNetwork({ host, port, onConnect }: ISocketFactoryArgs): net.Socket {
  const socket = net.connect({ host, port }, onConnect);
  sockets.add(socket);
  let answerToLose: number | undefined; // the correlation id of the request whose answer goes missing
  const write = socket.write.bind(socket) as (chunk: Buffer, encoding?: BufferEncoding) => boolean;
  socket.write = ((request: Buffer, encoding?: BufferEncoding) => {
    // A request: its size, then its kind (2 bytes), version (2 bytes) and correlation id (4 bytes).
    if (Buffer.isBuffer(request) && request.length >= 12 && request.readInt16BE(4) === PRODUCE) {
      const entries = entriesIn(request);
      if (entries.includes(LOSE_REQUEST) && lost.lostRequest === null) {
        lost.lostRequest = LOSE_REQUEST;
        lost.lostRequestAcks = acksOf(request);
        console.log(`⚡ The network lost the request carrying entry ${LOSE_REQUEST}; the connection dropped.`);
        socket.destroy(new Error("the network dropped the connection"));
        return false;
      }
      if (entries.includes(LOSE_ANSWER) && lost.lostAnswer === null) {
        answerToLose = request.readInt32BE(8);
        lost.unanswered = LOSE_ANSWER; // until its answer comes
      }
    }
    return write(request, encoding);
  }) as typeof socket.write;
  // Answers arrive in pieces: each is its size, then the correlation id of its request.
  const emit = socket.emit.bind(socket) as (event: string, ...args: unknown[]) => boolean;
  let pending = Buffer.alloc(0);
  socket.emit = ((event: string, ...args: unknown[]) => {
    if (event !== "data" || answerToLose === undefined) return emit(event, ...args);
    pending = Buffer.concat([pending, args[0] as Buffer]);
    while (pending.length >= 8 && pending.length >= 4 + pending.readInt32BE(0)) {
      const answer = pending.subarray(0, 4 + pending.readInt32BE(0));
      pending = pending.subarray(answer.length);
      if (answer.readInt32BE(4) === answerToLose) {
        answerToLose = undefined;
        lost.lostAnswer = LOSE_ANSWER;
        lost.unanswered = null;
        console.log(`⚡ Kafka wrote entry ${LOSE_ANSWER}, and the network lost its answer; the connection dropped.`);
        socket.destroy(new Error("the network dropped the connection"));
        return true;
      }
      emit("data", answer);
    }
    return true;
  }) as typeof socket.emit;
  return socket;
}

const kafka = new Kafka({ clientId: "ledger", ...connection, logLevel: logLevel.ERROR, socketFactory: flakyNetwork });
const producer = createProducer(kafka);
await producer.connect();
try {
  await sendLedger(producer, ENTRIES);
  console.log(`Your producer sent the ${ENTRIES.length} entries.`);
} catch (error) {
  console.log(`✗ Sending the ledger stopped at an error: ${(error as Error).message}`);
}
await producer.disconnect();
// A connection kafkajs dropped while it retried may still be open: the network is switched off.
for (const socket of sockets) socket.destroy();

// The network's log, for the checkpoint, and the ledger as a reader sees it (group ledger-audit, a clean slate).
const plain = new Kafka({ clientId: "ledger-audit", ...connection, logLevel: logLevel.WARN });
const logger = plain.producer();
await logger.connect();
await logger.send({ topic: topic("network-log"), messages: [{ value: JSON.stringify(lost) }] });
await logger.disconnect();

const admin = plain.admin();
await admin.connect();
const end = Number((await admin.fetchTopicOffsets(LEDGER))[0]?.high ?? 0);
await admin.disconnect();
const read: LedgerEntry[] = [];
if (end > 0) {
  const reader = plain.consumer({ groupId: group("ledger-audit") });
  await reader.connect();
  await reader.subscribe({ topic: LEDGER, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    reader
      .run({
        eachMessage: async ({ message }) => {
          read.push(JSON.parse(String(message.value)) as LedgerEntry);
          if (Number(message.offset) + 1 >= end) resolve();
        },
      })
      .catch(reject);
  });
  await reader.disconnect();
}
const balance = read.reduce((sum, e) => sum + e.amount, 0);
console.log(`The ledger as a reader sees it: ${read.map((e) => e.entry).join(" ") || "(empty)"}`);
console.log(`acct-42's balance from the ledger: ${balance} EUR (its ${ENTRIES.length} entries add up to ${ENTRIES.reduce((s, e) => s + e.amount, 0)} EUR).`);
