// The contrast to acknowledged-payments: the producer asks the leader alone (acks 1), and the same faults run under
// it. The checkpoint passes when Kafka acknowledged payments while only one broker ran, and then says, as a Jepsen
// checker would, what the log kept of what Kafka acknowledged: whether a payment was lost or written twice, and why
// (or why not this time). Each run starts from a clean slate.
import { recordsOfLatestRun, type GraderCheck, type GraderInput } from "#contract/grader";
import {
  faultsCheck,
  faultsDuring,
  loneBrokerSpans,
  runClock,
  runSpanOf,
  sinceRun,
  type LoneBrokerSpan,
  type RunSpan,
} from "../../lab-timeline.ts";
import {
  ledgerIn,
  ledgerWritten,
  noDuplicate,
  noLedger,
  noLostWrite,
  paymentsIn,
  paymentsNamed,
  plainly,
  tooFewReplicas,
  type JepsenWords,
  type Ledger,
  type Stored,
} from "../../payment-ledger.ts";

export const PAYMENTS = "fast-payments";
export const LEDGER = "fast-ledger";
export const PARTITION = `${PAYMENTS}-0`;
/** An acknowledgement this soon after the second stop may be of a payment every copy had before the broker died. */
export const ACK_GRACE_MS = 2000;

const WORDS = {
  typescript: {
    leaderAlone: "Ask the leader alone: `acks: 1` in `producer.send`, from a producer that is not idempotent (`kafka.producer({ retry: { retries: 6 } })`).",
    notIdempotent:
      "An idempotent producer needs every in-sync copy's answer to number its records safely, so kafkajs refuses it with acks 1. Make a plain producer: `kafka.producer({ retry: { retries: 6 } })`.",
  },
  python: {
    leaderAlone: "Ask the leader alone: `KafkaProducer(acks=1, …)`, without `enable_idempotence=True`.",
    notIdempotent:
      "An idempotent producer needs every in-sync copy's answer to number its records safely, so kafka-python refuses `enable_idempotence=True` with acks=1. Leave it out: `KafkaProducer(acks=1, …)`.",
  },
};

type Words = (typeof WORDS)["typescript"];

const JEPSEN: JepsenWords = {
  topic: PAYMENTS,
  lostBecause: () =>
    "With acks 1 the leader answered before any other broker had the payment, then died, and the broker that took over never had it: the price of a quick answer.",
  twiceAfterRefusal: "The producer sent it again after an error, and Kafka could not tell the copy from a new payment.",
  twiceAfterRetry:
    "A retry after the leader died wrote it again: the old leader had it and its answer was lost, and a producer that is not idempotent cannot have Kafka recognise a retry.",
  tookTheRefusedOnesNumber: (refused, lost) => `Payment ${refused} took the place of payment ${lost}.`,
};

/** The payments acknowledged while only one broker ran, by stretch. */
function acknowledgedAlone(ledger: Ledger, spans: LoneBrokerSpan[]): { span: LoneBrokerSpan; payments: number[] }[] {
  return spans
    .filter((span) => span.up !== undefined)
    .map((span) => ({ span, payments: ledger.acknowledged.filter((a) => a.at > span.from + ACK_GRACE_MS && a.at < span.to).map((a) => a.payment) }))
    .filter(({ payments }) => payments.length > 0);
}

/** Check 3: Kafka acknowledged payments while one broker ran. */
function acknowledgedByOne(ledger: Ledger, input: GraderInput, run: RunSpan, words: Words): GraderCheck {
  const title = "Kafka acknowledged payments while only one broker ran";
  const fail = (message: string): GraderCheck => ({ title, status: "fail", message });
  if (ledger.gaveUp && /idempoten/i.test(ledger.gaveUp.error)) {
    return fail(`Your program gave up on payment ${ledger.gaveUp.payment}: ${ledger.gaveUp.error}. ${words.notIdempotent}`);
  }
  const spans = input.lab ? loneBrokerSpans(input.lab, run) : [];
  const alone = acknowledgedAlone(ledger, spans);
  if (alone.length > 0) {
    const { span, payments } = alone[0]!;
    const until = span.to < run.to ? sinceRun(span.to, run) : "the end of your run";
    return {
      title,
      status: "pass",
      message: `From ${runClock(span.from, run)} to ${until} only broker ${span.up} ran, and Kafka acknowledged ${paymentsNamed(payments)} all the same: each with one copy, on broker ${span.up} alone.`,
    };
  }
  if (spans.length === 0) return fail("At no moment of your run did only one broker run, so Kafka had no occasion to acknowledge a payment with one copy (see the check of the stops below).");
  const refused = ledger.refused.filter((r) => tooFewReplicas(r.error) && spans.some((s) => r.lastAt > s.from && r.at < s.to));
  if (refused.length > 0) {
    const first = refused[0]!;
    return fail(
      `Kafka refused payment ${first.payment} while only broker ${spans[0]!.up} ran (${plainly(first.error)}), and acknowledged none: your producer still asks for every in-sync copy, and one copy is fewer than \`min.insync.replicas\`. ${words.leaderAlone}`,
    );
  }
  if (ledger.gaveUp) return fail(`Your program gave up on payment ${ledger.gaveUp.payment}: ${ledger.gaveUp.error}, and acknowledged nothing while one broker ran.`);
  return fail(`Kafka acknowledged no payment while only broker ${spans[0]!.up} ran, and refused none: your producer heard no answer. ${words.leaderAlone}`);
}

/** Check 4, a report rather than a rule: what the log kept of what Kafka acknowledged, and why. */
function whatWasKept(ledger: Ledger, stored: Stored[], truncated: boolean, input: GraderInput, run: RunSpan): GraderCheck {
  const title = "What the log kept of what Kafka acknowledged";
  const lost = noLostWrite(ledger, stored, truncated, JEPSEN);
  const twice = noDuplicate(ledger, stored, JEPSEN);
  const findings = [lost, twice].filter((c) => c.status === "fail").map((c) => c.message);
  if (findings.length > 0) return { title, status: "pass", message: `${findings.join(" ")} That is what acks 1 risks: compare the previous exercise, where Kafka refused instead.` };
  const alone = acknowledgedAlone(ledger, input.lab ? loneBrokerSpans(input.lab, run) : []);
  const first = alone[0];
  if (!first) return { title, status: "pass", message: lost.message };
  const count = alone.reduce((sum, { payments }) => sum + payments.length, 0);
  const up = first.span.up;
  return {
    title,
    status: "pass",
    message: `None of the ${ledger.acknowledged.length} payments Kafka acknowledged was lost, the ${count} that broker ${up} alone had among them: broker ${up} never died, and the others copied them from it when they came back. Had broker ${up} died before that, those payments would be gone, though your producer was told they were written; with acks 1, nobody would know until a reader missed them.`,
  };
}

export default function grade(input: GraderInput): GraderCheck[] {
  const words = WORDS[input.run?.language === "python" ? "python" : "typescript"];
  const ledgerTopic = input.topics[LEDGER];
  const ledger = ledgerIn(ledgerTopic ? recordsOfLatestRun(ledgerTopic) : []);
  const run = runSpanOf(input, ledger);
  const faults = faultsDuring(input.lab, run, PARTITION);
  if (!ledger) return [noLedger(input, LEDGER, "by itself after two minutes, or when you press Stop"), faultsCheck(faults, run, PAYMENTS)];
  const paymentsTopic = input.topics[PAYMENTS];
  const stored = paymentsIn(paymentsTopic ? recordsOfLatestRun(paymentsTopic) : []);
  return [
    ledgerWritten(ledger),
    // First: a producer the client refuses ends the run before any broker can be stopped.
    acknowledgedByOne(ledger, input, run, words),
    faultsCheck(faults, run, PAYMENTS),
    whatWasKept(ledger, stored, paymentsTopic?.truncated ?? false, input, run),
  ];
}
