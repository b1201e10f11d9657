// What the graders of "When a broker dies" share about payments: the producer's ledger (what Kafka told it about
// each payment), the payments as the topic holds them, and the two checks a Jepsen checker makes of any run: every
// acknowledged payment is where Kafka said it wrote it, and none is there twice.
import type { GradedRecord, GraderCheck, GraderInput } from "#contract/grader";

/** What the programs write to their ledger topic as they end, in one record. */
export interface Ledger {
  startedAt: number;
  endedAt: number;
  /** "recovered" (it ended by itself once Kafka took payments again), "stopped" (SIGTERM) or "gave up". */
  ended: string;
  /** The acks the producer's sends asked for: -1 (all in-sync copies), 1 (the leader alone), 0 (none). */
  acks: number | null;
  /** The highest payment the program handed to the producer. */
  sent: number;
  acknowledged: Acknowledged[];
  refused: Refusal[];
  gaveUp: { payment: number; error: string; at: number } | null;
}

export interface Acknowledged {
  payment: number;
  partition: number;
  offset: number;
  /** When the producer heard Kafka's acknowledgement, in epoch milliseconds. */
  at: number;
}

/** Kafka refused `payment` `times` times in a row for the same reason, from `at` to `lastAt`. */
export interface Refusal {
  payment: number;
  error: string;
  at: number;
  lastAt: number;
  times: number;
}

/** A payment as the payments topic holds it. */
export interface Stored {
  payment: number;
  partition: number;
  offset: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The ledger the run wrote last, or undefined when the topic holds none. */
export function ledgerIn(records: GradedRecord[]): Ledger | undefined {
  try {
    const value: unknown = JSON.parse(records.at(-1)?.value ?? "");
    if (!isObject(value) || !Array.isArray(value.acknowledged) || !Array.isArray(value.refused)) return undefined;
    const acknowledged = (value.acknowledged as unknown[]).filter(isObject).map((a) => ({
      payment: Number(a.payment),
      partition: Number(a.partition),
      offset: Number(a.offset),
      at: Number(a.at),
    }));
    const refused = (value.refused as unknown[]).filter(isObject).map((r) => ({
      payment: Number(r.payment),
      error: String(r.error ?? ""),
      at: Number(r.at),
      lastAt: Number(r.lastAt ?? r.at),
      times: Number(r.times ?? 1),
    }));
    return {
      startedAt: Number(value.startedAt) || 0,
      endedAt: Number(value.endedAt) || 0,
      ended: String(value.ended ?? ""),
      acks: typeof value.acks === "number" ? value.acks : null,
      sent: Math.max(Number(value.sent) || 0, ...acknowledged.map((a) => a.payment), ...refused.map((r) => r.payment)),
      acknowledged,
      refused,
      gaveUp: isObject(value.gaveUp)
        ? { payment: Number(value.gaveUp.payment), error: String(value.gaveUp.error ?? ""), at: Number(value.gaveUp.at) }
        : null,
    };
  } catch {
    return undefined;
  }
}

/** The payments a topic holds, in offset order; records that are not payments are left out. */
export function paymentsIn(records: GradedRecord[]): Stored[] {
  return records.flatMap((record) => {
    try {
      const value: unknown = JSON.parse(record.value ?? "");
      return isObject(value) && typeof value.payment === "number" ? [{ payment: value.payment, partition: record.partition, offset: record.offset }] : [];
    } catch {
      return [];
    }
  });
}

/** Whether an error is Kafka's refusal for too few copies in sync, as kafkajs (NOT_ENOUGH_REPLICAS) or kafka-python (NotEnoughReplicasError) says it. */
export const tooFewReplicas = (error: string) => /NOT_?ENOUGH_?REPLICAS/i.test(error);

/** The check that failed for want of a ledger in `topic`; `whenItEnds` says when the program writes it. */
export function noLedger(input: GraderInput, topic: string, whenItEnds: string): GraderCheck {
  const message = input.run?.endedAt
    ? `\`${topic}\` holds no ledger from your latest run, so what Kafka told your producer is unknown. Keep the part that is done for you: it writes the ledger as the run ends (${whenItEnds}), then run again.`
    : `Your run has not written its ledger yet: it does as it ends (${whenItEnds}). Check once it has ended.`;
  return { title: LEDGER_TITLE, status: "fail", message };
}

/** The check that the run wrote its ledger, passed. */
export function ledgerWritten(ledger: Ledger): GraderCheck {
  const ended = { recovered: "ended by itself", "ran its time": "ended by itself", stopped: "was stopped", "gave up": "gave up" }[ledger.ended] ?? "ended";
  return { title: LEDGER_TITLE, status: "pass", message: `Your run ${ended} and wrote its ledger: ${ledger.acknowledged.length} payments acknowledged.` };
}

const LEDGER_TITLE = "Your run wrote its ledger";

/** A refusal as Kafka said it, without the programs' note that the producer retries it. */
export const plainly = (error: string) => error.replace(/ \(your producer retries it\)$/, "");

/** Names a list of payments: "payment 57", "payments 57 and 58", "payments 57 to 80 (24 payments)". */
export function paymentsNamed(payments: number[]): string {
  if (payments.length === 1) return `payment ${payments[0]}`;
  const consecutive = payments.every((n, i) => i === 0 || n === payments[i - 1]! + 1);
  if (consecutive && payments.length > 2) return `payments ${payments[0]} to ${payments.at(-1)} (${payments.length} payments)`;
  if (payments.length > 6) return `payments ${payments.slice(0, 5).join(", ")} and ${payments.length - 5} more`;
  return `payments ${payments.slice(0, -1).join(", ")} and ${payments.at(-1)}`;
}

/** Words a lost write or a duplicate is explained with, in the run's language and the exercise's terms. */
export interface JepsenWords {
  /** The payments topic, as the lesson names it. */
  topic: string;
  /** Why an acknowledged payment can be missing when the producer asked for `acks`. */
  lostBecause: (acks: number | null) => string;
  /** Why a payment Kafka had refused is in the topic twice. */
  twiceAfterRefusal: string;
  /** Why a payment never refused is in the topic twice: a retry Kafka could not recognise. */
  twiceAfterRetry: string;
  /** Why a payment sent after a refused one that was not sent again took its place. */
  tookTheRefusedOnesNumber: (refused: number, lost: number) => string;
}

/**
 * No lost write: every payment Kafka acknowledged is in the topic at the offset Kafka gave. The first that is
 * not is named, with what that offset holds.
 */
export function noLostWrite(ledger: Ledger, stored: Stored[], truncated: boolean, words: JepsenWords): GraderCheck {
  const title = `Every payment Kafka acknowledged is in \`${words.topic}\`, where Kafka said`;
  const at = new Map(stored.map((s) => [`${s.partition}/${s.offset}`, s]));
  const lastOffset = Math.max(-1, ...stored.map((s) => s.offset));
  // Records past the ones the checkpoint read are unknown, not missing.
  const judged = ledger.acknowledged.filter((a) => !truncated || a.offset <= lastOffset);
  const lost = judged.filter((a) => at.get(`${a.partition}/${a.offset}`)?.payment !== a.payment);
  const unread = truncated ? ` (the checkpoint read \`${words.topic}\` up to offset ${lastOffset}; ${ledger.acknowledged.length - judged.length} later payments were not judged)` : "";
  if (judged.length === 0) return { title, status: "pass", message: "Kafka acknowledged no payment, so none could be lost." };
  if (lost.length === 0) {
    return {
      title,
      status: "pass",
      message: `All ${judged.length} acknowledged payments are in \`${words.topic}\` at the offsets Kafka gave your producer: no acknowledged write was lost${unread}.`,
    };
  }
  const first = lost[0]!;
  const holder = at.get(`${first.partition}/${first.offset}`);
  const found = holder
    ? `offset ${first.offset} holds payment ${holder.payment}`
    : `\`${words.topic}\` holds nothing at offset ${first.offset}${lastOffset >= 0 ? `: its last record is at offset ${lastOffset}` : ": it is empty"}`;
  const more = lost.length > 1 ? ` ${lost.length} acknowledged payments are not where Kafka said.` : "";
  const refusedHolder = holder && ledger.refused.some((r) => r.payment === holder.payment) && !ledger.acknowledged.some((a) => a.payment === holder.payment);
  const why = refusedHolder ? words.tookTheRefusedOnesNumber(holder.payment, first.payment) : words.lostBecause(ledger.acks);
  return {
    title,
    status: "fail",
    message: `Payment ${first.payment} was acknowledged at offset ${first.offset}, but ${found}: Kafka told your producer it had the payment, and the log does not hold it.${more} ${why}`,
  };
}

/** No duplicate: no payment is in the topic twice. The first that is (in payment order) is named, with its offsets. */
export function noDuplicate(ledger: Ledger, stored: Stored[], words: JepsenWords): GraderCheck {
  const title = `No payment is in \`${words.topic}\` twice`;
  const offsets = new Map<number, number[]>();
  for (const s of stored) offsets.set(s.payment, [...(offsets.get(s.payment) ?? []), s.offset]);
  const twice = [...offsets].filter(([, at]) => at.length > 1).sort(([a], [b]) => a - b);
  if (twice.length === 0) return { title, status: "pass", message: `Each payment is in \`${words.topic}\` once.` };
  const [payment, at] = twice[0]!;
  const more = twice.length > 1 ? ` So ${twice.length === 2 ? "is" : "are"} ${paymentsNamed(twice.slice(1).map(([n]) => n))}.` : "";
  const refused = ledger.refused.some((r) => r.payment === payment);
  return {
    title,
    status: "fail",
    message: `Payment ${payment} is in \`${words.topic}\` ${at.length === 2 ? "twice" : `${at.length} times`} (offsets ${at.join(" and ")}): whoever reads it books it twice.${more} ${refused ? words.twiceAfterRefusal : words.twiceAfterRetry}`,
  };
}
