// Judges the settlement processor through its two crashes, as a read_committed reader sees `settled-payments` (the
// Check reads it so: records of aborted or still open transactions are left out). The done-for-you part crashed
// the first processor while it settled payment-7 and a later one the moment Kafka confirmed the transaction that
// holds payment-12, and logged each processor's life: its producer's transactional id, the group's committed
// offset it began at, how it ended, and the commits its consumer made outside any transaction. So how the program
// commits leaves a trace: a payment settled twice (outputs kept without their offsets), a payment lost (offsets
// committed before the outputs), a crashed processor not fenced (a transactional id that changes). Each run
// starts from a clean slate, so every record here is the judged run's.
import type { GradedRecord, GraderCheck, GraderInput } from "#contract/grader";

export const PAYMENT_COUNT = 12;
/** The payment the first processor dies settling, and the one whose transaction's commit a later one dies after. */
export const CRASH_WHILE_SETTLING = "payment-7";
export const LAST_PAYMENT = `payment-${PAYMENT_COUNT}`;

/** One processor's life, as the done-for-you part logged it to `settlement-log`. */
export interface Life {
  life: number;
  transactionalId: string | null;
  resumedAt: number | null;
  crashed: string | null;
  consumerCommits: number;
  transactionsCommitted: number;
}

/** A settled payment as a read_committed reader finds it, with the processor that settled it. */
export interface Settled {
  payment: string;
  settledBy: number;
  offset: number;
}

/** What the program's producer and commits did, read from the lives: the first that explains a mistake. */
export type Habit = "no-transaction" | "changing-id" | "consumer-commits" | "no-offsets" | "transactional";

const WORDS = {
  typescript: {
    transactional:
      'Make the producer transactional: `kafka.producer({ transactionalId: transactionalId("settler"), idempotent: true, maxInFlightRequests: 1 })`, then send each batch\'s payments with `transaction.send`, its offsets with `transaction.sendOffsets`, and `transaction.commit()`.',
    offsets:
      '`await transaction.sendOffsets({ consumerGroupId: group("settlement"), topics: [{ topic, partitions: [{ partition, offset }] }] })` before `transaction.commit()`, with the offset after the batch\'s last payment, and no `consumer.commitOffsets` at all.',
    fixedId: 'one fixed id for every processor: `transactionalId("settler")`',
  },
  python: {
    transactional:
      'Make the producer transactional: `KafkaProducer(transactional_id=transactional_id("settler"), …)` and `producer.init_transactions()`, then for each batch `producer.begin_transaction()`, the sends, `producer.send_offsets_to_transaction(…)` and `producer.commit_transaction()`.',
    offsets:
      "`producer.send_offsets_to_transaction({TopicPartition(topic, partition): OffsetAndMetadata(last.offset + 1, \"\", -1)}, consumer.group_metadata())` before `producer.commit_transaction()`, and no `consumer.commit()` at all.",
    fixedId: 'one fixed id for every processor: `transactional_id("settler")`',
  },
};

function parse<T>(record: GradedRecord, valid: (value: Partial<T>) => boolean): T | undefined {
  try {
    const value = JSON.parse(record.value ?? "") as Partial<T>;
    return valid(value) ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** The processors' lives of the judged run, in the order they ran. */
export function livesOf(records: GradedRecord[]): Life[] {
  return records
    .map((r) => parse<Life>(r, (v) => typeof v.life === "number"))
    .filter((life): life is Life => life !== undefined)
    .map((life) => ({ ...life, transactionalId: life.transactionalId ?? null, resumedAt: life.resumedAt ?? null, crashed: life.crashed ?? null }));
}

/** The settled payments in `settled-payments`, in offset order. */
export function settledOf(records: GradedRecord[]): Settled[] {
  return records
    .map((r) => {
      const value = parse<{ payment: string; settledBy: number }>(r, (v) => typeof v.payment === "string");
      return value && { payment: value.payment, settledBy: Number(value.settledBy), offset: r.offset };
    })
    .filter((s): s is Settled => s !== undefined);
}

/** How the program produced and committed, from the lives it logged. */
export function habitOf(lives: Life[]): Habit {
  const ids = lives.map((life) => life.transactionalId);
  if (ids.every((id) => id === null)) return "no-transaction";
  if (new Set(ids).size > 1) return "changing-id";
  if (lives.some((life) => life.consumerCommits > 0)) return "consumer-commits";
  if (lives.slice(1).every((life) => life.resumedAt === null)) return "no-offsets";
  return "transactional";
}

const processor = (life: number | undefined) => (life === undefined ? "a processor" : `processor ${life}`);
const Processor = (life: number | undefined) => (life === undefined ? "A processor" : `Processor ${life}`);

/** Why a payment is in the output twice, in the learner's terms. */
function whyTwice(habit: Habit, lives: Life[], first: Settled, again: Settled, words: (typeof WORDS)["typescript"]): string {
  const crashedLife = lives.find((life) => life.life === first.settledBy);
  const restarted = lives.find((life) => life.life === again.settledBy);
  const began = restarted?.resumedAt === null ? "with no committed offset, at the first payment," : `at the group's committed offset, ${restarted?.resumedAt},`;
  const story = `${Processor(first.settledBy)} settled it and crashed ${crashedLife?.crashed ?? "before its offset was committed"}; ${processor(again.settledBy)} began ${began} and settled it again.`;
  switch (habit) {
    case "no-transaction":
      return `${story} Without a transaction Kafka keeps what a crashed processor sent, though the offsets of its batch were never committed: that is at least once. ${words.transactional}`;
    case "changing-id":
      return `${story} Your processor changed its transactional id when it restarted (${lives.map((l) => `\`${l.transactionalId}\``).join(", then ")}), so Kafka could not tell the restarted processor from a new one: it neither aborted the crashed one's transaction nor would it refuse that processor if it came back. Use ${words.fixedId}.`;
    case "consumer-commits":
      return `${story} Your consumer committed offsets itself (${lives.reduce((n, l) => n + l.consumerCommits, 0)} commits), outside the transaction: the settled payments were committed, the crash came before the consumer's commit, and the group's offset stayed behind. Commit the offsets in the transaction instead: ${words.offsets}`;
    case "no-offsets":
      return `${story} Group \`settlement\` never committed an offset, so every restart begins at the first payment. Send the batch's offsets in the transaction: ${words.offsets}`;
    default:
      return `${story} The offset the restarted processor began at was not the one after the batch its transaction committed: send ${words.offsets}`;
  }
}

/** Why a payment is missing from the output, in the learner's terms. */
function whyLost(habit: Habit, lives: Life[], payment: string, words: (typeof WORDS)["typescript"]): string {
  const crashed = lives.find((life) => life.crashed);
  const next = crashed && lives.find((life) => life.life === crashed.life + 1);
  const story = crashed
    ? `${Processor(crashed.life)} crashed ${crashed.crashed}; ${processor(next?.life)} began at the group's committed offset, ${next?.resumedAt ?? "none"}.`
    : "No processor crashed.";
  switch (habit) {
    case "consumer-commits":
      return `${story} Your consumer committed the batch's offsets itself, before the batch's payments were committed, so the group had moved past \`${payment}\` when the crash undid its settlement: that is at most once. ${words.offsets}`;
    case "changing-id":
      return `${story} Your processor changed its transactional id when it restarted (${lives.map((l) => `\`${l.transactionalId}\``).join(", then ")}), so Kafka did not abort the crashed processor's transaction: it is still open, and a read_committed reader sees nothing written after it began until Kafka times it out. Use ${words.fixedId}.`;
    default:
      return `${story} Commit a batch's offsets only with its settled payments, in one transaction: ${words.offsets}`;
  }
}

export default function grade(input: GraderInput): GraderCheck[] {
  const words = WORDS[input.run?.language === "python" ? "python" : "typescript"];
  const payments = (input.topics["fx-payments"]?.records ?? []).map((r) => r.key ?? "");
  const settled = settledOf(input.topics["settled-payments"]?.records ?? []);
  const lives = livesOf(input.topics["settlement-log"]?.records ?? []);
  const committed = input.groups["settlement/fx-payments"]?.committed[0];
  const habit = habitOf(lives);
  const checks: GraderCheck[] = [];

  if (payments.length === 0) return [{ title: "Payments arrived", status: "fail", message: "`fx-payments` holds no payments: run the program; its done-for-you part sends them." }];
  const crashedFirst = lives.find((life) => life.crashed?.includes(CRASH_WHILE_SETTLING));
  if (!crashedFirst) {
    const message =
      lives.length === 0
        ? "`settlement-log` holds no processor's life from your latest run: it ended before a processor did. Keep `settleBatch` settling each payment with `settle(message)`, and read the run's output for the error."
        : `No processor crashed while settling \`${CRASH_WHILE_SETTLING}\`: keep \`settleBatch\` settling each payment of its batch with \`settle(message)\`, in order.`;
    return [{ title: "The processor crashed part-way and was started again", status: "fail", message }];
  }

  const once = "No payment is in `settled-payments` twice";
  const again = settled.find((s, i) => settled.findIndex((other) => other.payment === s.payment) !== i);
  if (again) {
    const first = settled.find((s) => s.payment === again.payment)!;
    checks.push({ title: once, status: "fail", message: `\`${again.payment}\` is in \`settled-payments\` twice. ${whyTwice(habit, lives, first, again, words)}` });
  } else checks.push({ title: once, status: "pass", message: "A read_committed reader finds no payment twice." });

  const all = "Every payment is in `settled-payments`";
  const lost = payments.filter((p) => !settled.some((s) => s.payment === p));
  if (lost.length > 0) {
    const named = lost.length === 1 ? `\`${lost[0]}\` is` : `${lost.length} payments (\`${lost[0]}\` to \`${lost.at(-1)}\`) are`;
    checks.push({ title: all, status: "fail", message: `${named} not in \`settled-payments\` as a read_committed reader sees it. ${whyLost(habit, lives, lost[0]!, words)}` });
  } else checks.push({ title: all, status: "pass", message: `A read_committed reader finds all ${payments.length} payments settled.` });

  const fenced = "Every processor's producer had the same transactional id, so each restart fenced the crashed one";
  if (habit === "no-transaction")
    checks.push({ title: fenced, status: "fail", message: `Your processor's producer has no transactional id, so nothing it sends is in a transaction. ${words.transactional}` });
  else if (habit === "changing-id")
    checks.push({
      title: fenced,
      status: "fail",
      message: `Your processor changed its transactional id when it restarted (${lives.map((l) => `\`${l.transactionalId}\``).join(", then ")}): Kafka could not tell the restarted processor from a new one, so it did not abort the crashed one's open transaction, and would let that processor commit if it came back. Use ${words.fixedId}.`,
    });
  else checks.push({ title: fenced, status: "pass", message: `Every processor's producer was \`${lives[0]!.transactionalId}\`.` });

  const caughtUp = "Group `settlement` committed every payment, in the transactions";
  if (committed === undefined || committed < payments.length) {
    const where = committed === undefined ? "has committed no offset" : `committed offset ${committed}, ${payments.length - committed} payment(s) short of the end`;
    checks.push({ title: caughtUp, status: "fail", message: `Group \`settlement\` ${where} on \`fx-payments\`. ${words.offsets}` });
  } else if (habit === "consumer-commits")
    checks.push({
      title: caughtUp,
      status: "fail",
      message: `Your consumer committed offsets itself, outside the transaction: a crash between the transaction and that commit settles the batch twice. ${words.offsets}`,
    });
  else checks.push({ title: caughtUp, status: "pass", message: `Group \`settlement\` committed all ${payments.length} payments, each batch with its settled payments.` });
  return checks;
}
