// Judges account acct-42's ledger as a reader sees it: every entry once, in order. The done-for-you part made the
// network fail twice (a request lost on its way, an answer lost after Kafka wrote the entry) and logged it, so the
// retries happened on the broker and their effects are in the ledger: an entry missing (no retry), an entry twice
// (a retry Kafka could not recognise), or an entry after a later one (a retry overtaken). Each run starts from a
// clean slate, so every record here is the judged run's.
import type { GradedRecord, GraderCheck, GraderInput } from "#contract/grader";

/** The ledger's entries, 1 to ENTRY_COUNT, as the programs send them. */
export const ENTRY_COUNT = 20;
/** The entry whose request the network loses on its way, and the one whose answer it loses. */
export const LOST_REQUEST = 4;
export const LOST_ANSWER = 7;

/** The amount of entry `n`, as the programs make it: every fourth a withdrawal. */
export const amountOf = (n: number) => (n % 4 === 0 ? -60 : 40);

/**
 * What the network did, as the done-for-you part logged it: the entry whose request it lost and the acks that request
 * asked for, the entry whose answer it lost, and an entry whose request went out but was never answered (a producer
 * with acks 0 asks for no answer).
 */
export interface NetworkLog {
  lostRequest: number | null;
  lostRequestAcks: number | null;
  lostAnswer: number | null;
  unanswered: number | null;
}

interface Entry {
  entry: number;
  offset: number;
}

const WORDS = {
  typescript: {
    idempotent: "Make the producer idempotent: `kafka.producer({ idempotent: true, maxInFlightRequests: 1 })`.",
    retry:
      "Let it retry: kafkajs retries a failed send by itself unless `retry: { retries: 0 }` turns that off (an idempotent producer retries for as long as it takes).",
    noAnswer:
      "`acks: 0` asks Kafka for no answer at all, so the producer never learns that an entry did not arrive; an idempotent producer needs `acks: -1` (all), kafkajs's default.",
    overlap:
      "kafkajs numbers an idempotent producer's records as each send goes out, so a send that overtakes one still being retried takes its numbers, and Kafka drops it as a copy. Send each entry once the previous send has resolved: `await` each `producer.send` in turn.",
    order:
      "Send each entry once the previous send has resolved (`await` each `producer.send` in turn), from an idempotent producer with `maxInFlightRequests: 1`.",
  },
  python: {
    idempotent:
      'Make the producer idempotent: `KafkaProducer(enable_idempotence=True, acks="all", …)`, kafka-python\'s default that the starter turned off.',
    retry:
      "Let it retry: kafka-python retries a failed batch by itself unless `retries=0` turns that off (an idempotent producer retries until `delivery_timeout_ms`).",
    noAnswer:
      '`acks=0` asks Kafka for no answer at all, so the producer never learns that an entry did not arrive; an idempotent producer needs `acks="all"`.',
    overlap: "Kafka never wrote it. Send every entry with `producer.send(…)`, then `producer.flush()`, from an idempotent producer.",
    order:
      'With idempotence, Kafka refuses a batch that skips a number and the producer sends them again in order, up to 5 requests in flight: `enable_idempotence=True, acks="all"`. Without it, only `max_in_flight_requests_per_connection=1` keeps the order, and retries still write twice.',
  },
};

function parseEntry(record: GradedRecord): Entry | undefined {
  try {
    const value = JSON.parse(record.value ?? "") as { entry?: unknown };
    return typeof value.entry === "number" ? { entry: value.entry, offset: record.offset } : undefined;
  } catch {
    return undefined;
  }
}

/** The network's log of the judged run: its last record. */
export function networkLogOf(records: GradedRecord[]): NetworkLog | undefined {
  try {
    const value = JSON.parse(records.at(-1)?.value ?? "") as Partial<NetworkLog>;
    return {
      lostRequest: value.lostRequest ?? null,
      lostRequestAcks: value.lostRequestAcks ?? null,
      lostAnswer: value.lostAnswer ?? null,
      unanswered: value.unanswered ?? null,
    };
  } catch {
    return undefined;
  }
}

/** "entry 4", "entries 4 and 5", "entries 4 to 20 (17 entries)" */
function named(entries: number[]): string {
  if (entries.length === 1) return `Entry ${entries[0]}`;
  const run = entries.every((n, i) => i === 0 || n === entries[i - 1]! + 1);
  if (run && entries.length > 2) return `Entries ${entries[0]} to ${entries.at(-1)} (${entries.length} entries)`;
  return `Entries ${entries.slice(0, -1).join(", ")} and ${entries.at(-1)}`;
}

/** A ledger out of order may hold copies too: "Entry 7 was written twice as well, and 19 more entries with it." */
function copiesToo(twice: number[]): string {
  const first = twice.includes(LOST_ANSWER) ? LOST_ANSWER : twice[0]!;
  const more = twice.length > 1 ? `, and ${twice.length - 1} more ${twice.length === 2 ? "entry" : "entries"} with it` : "";
  return `Entry ${first} was written twice as well${more}.`;
}

const balance = (entries: number[]) => entries.reduce((sum, n) => sum + amountOf(n), 0);

export default function grade(input: GraderInput): GraderCheck[] {
  const words = WORDS[input.run?.language === "python" ? "python" : "typescript"];
  const ledger = (input.topics["bank-ledger"]?.records ?? []).map(parseEntry).filter((e): e is Entry => e !== undefined);
  const network = networkLogOf(input.topics["network-log"]?.records ?? []);
  const written = ledger.map((e) => e.entry);
  const expected = Array.from({ length: ENTRY_COUNT }, (_, i) => i + 1);
  const balanceNote = `Read from the ledger, acct-42's balance is ${balance(written)} EUR; its entries add up to ${balance(expected)} EUR.`;
  // A producer with acks 0 asks for no answer: it cannot learn that a request was lost, nor retry it.
  const askedNoAnswer = network?.lostRequestAcks === 0 || network?.unanswered === LOST_ANSWER;
  const checks: GraderCheck[] = [];

  const all = "Every entry of the ledger was written";
  const missing = expected.filter((n) => !written.includes(n));
  if (written.length === 0 && network?.lostRequest !== LOST_REQUEST) {
    checks.push({
      title: all,
      status: "fail",
      message: "`bank-ledger` holds no entry from your latest run: keep `sendLedger`'s sends of the twenty entries.",
    });
  } else if (missing.length === 0) {
    checks.push({ title: all, status: "pass", message: `All ${ENTRY_COUNT} entries are in the ledger.` });
  } else if (missing.includes(LOST_REQUEST)) {
    checks.push({
      title: all,
      status: "fail",
      message: [
        `${named(missing)} ${missing.length === 1 ? "is" : "are"} missing. The network lost the request that carried entry ${LOST_REQUEST}: Kafka never saw it, and your producer did not send it again.`,
        askedNoAnswer ? words.noAnswer : words.retry,
        balanceNote,
      ].join(" "),
    });
  } else {
    checks.push({
      title: all,
      status: "fail",
      message: `${named(missing)} ${missing.length === 1 ? "is" : "are"} missing, though the network lost neither ${missing.length === 1 ? "its" : "their"} request nor ${missing.length === 1 ? "its" : "their"} answer: Kafka acknowledged ${missing.length === 1 ? "it" : "them"} without writing ${missing.length === 1 ? "it" : "them"}. ${words.overlap} ${balanceNote}`,
    });
  }

  const twice = [...new Set(written.filter((n, i) => written.indexOf(n) !== i))].sort((a, b) => a - b);
  const inOrder = "The entries are in the order they were sent";
  const seen = new Set<number>();
  let latest = 0;
  let late: { entry: number; after: number } | undefined;
  for (const n of written) {
    // A copy of an entry already written is the next check's; here, an entry first written after a later one.
    if (!seen.has(n) && n < latest) {
      late = { entry: n, after: latest };
      break;
    }
    seen.add(n);
    latest = Math.max(latest, n);
  }
  checks.push(
    late
      ? {
          title: inOrder,
          status: "fail",
          // The verdict shows the first failed check: a ledger both out of order and with copies says both.
          message: `Entry ${late.entry} came after entry ${late.after}: it reached Kafka after a later entry had been written (a retry, or a send that did not wait for the one before), so a reader replaying the ledger applies them out of order. ${words.order}${twice.length ? ` ${copiesToo(twice)}` : ""}`,
        }
      : { title: inOrder, status: "pass", message: "Each entry comes after the one sent before it." },
  );

  const once = "No entry was written twice";
  if (twice.length === 0) {
    checks.push({ title: once, status: "pass", message: "Each entry is in the ledger once." });
  } else {
    const first = twice.includes(LOST_ANSWER) ? LOST_ANSWER : twice[0]!;
    const offsets = ledger.filter((e) => e.entry === first).map((e) => e.offset);
    const more = twice.length > 1 ? `, and ${twice.length - 1} more ${twice.length === 2 ? "entry" : "entries"} with it` : "";
    const why =
      first === LOST_ANSWER || twice.includes(LOST_ANSWER)
        ? `The network lost Kafka's answer after Kafka had written entry ${LOST_ANSWER}; your producer sent it again, and Kafka could not tell the retry from a new entry.`
        : `A retry wrote entry ${first} again, and Kafka could not tell it from a new entry.`;
    checks.push({
      title: once,
      status: "fail",
      message: `Entry ${first} was written twice (offsets ${offsets.join(" and ")})${more}. ${why} An idempotent producer numbers its records, so Kafka acknowledges a copy it already has without writing it again. ${words.idempotent} ${balanceNote}`,
    });
  }

  const failed = "The network failed twice, as the exercise plans";
  if (!network) {
    checks.push({
      title: failed,
      status: "fail",
      message:
        "`network-log` holds no log of your latest run: keep the part that is done for you, which plays the flaky network and logs what it lost.",
    });
  } else if (network.lostRequest !== LOST_REQUEST) {
    checks.push({
      title: failed,
      status: "fail",
      message: `In your latest run no request carried entry ${LOST_REQUEST} as the network expects it: keep the part that is done for you, and send each entry as it is, uncompressed.`,
    });
  } else if (network.lostAnswer !== LOST_ANSWER) {
    const why =
      network.unanswered === LOST_ANSWER
        ? `Kafka never answered the request carrying entry ${LOST_ANSWER}, so there was no answer to lose: ${words.noAnswer}`
        : `entry ${LOST_ANSWER} never reached Kafka, so there was no answer to lose: your producer gave up after the lost request.${askedNoAnswer ? ` ${words.noAnswer}` : ""}`;
    checks.push({ title: failed, status: "fail", message: `In your latest run ${why}` });
  } else {
    checks.push({
      title: failed,
      status: "pass",
      message: `The network lost entry ${LOST_REQUEST}'s request and entry ${LOST_ANSWER}'s answer, and the ledger came through.`,
    });
  }
  return checks;
}
