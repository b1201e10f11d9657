// Judges the run as a Jepsen checker would: on what happened, not on the code. The program's ledger says what Kafka
// told the producer about each payment (acknowledged at an offset, or refused); `safe-payments` says what the log
// holds; the lab's stops and starts say which brokers ran when. An acknowledged payment must be in the log where
// Kafka said, none twice; while one broker ran, Kafka must have refused (acks all, min.insync.replicas 2), and
// every refused payment must have been sent again until acknowledged. Each run starts from a clean slate.
import { recordsOfLatestRun, type GraderCheck, type GraderInput } from "#contract/grader";
import {
  faultsCheck,
  faultsDuring,
  loneBrokerSpans,
  runClock,
  runSpanOf,
  sinceRun,
  type Faults,
  type RunSpan,
} from "../../lab-timeline.ts";
import {
  ledgerIn,
  ledgerWritten,
  noLedger,
  noDuplicate,
  noLostWrite,
  paymentsIn,
  paymentsNamed,
  plainly,
  tooFewReplicas,
  type JepsenWords,
  type Ledger,
  type Stored,
} from "../../payment-ledger.ts";

export const PAYMENTS = "safe-payments";
export const LEDGER = "safe-ledger";
/** The payments partition, as the lab's changes name the partitions a stopped broker led. */
export const PARTITION = `${PAYMENTS}-0`;
/** An acknowledgement this soon after the second stop may be of a payment every copy had before the broker died. */
export const ACK_GRACE_MS = 2000;

const WORDS = {
  typescript: {
    acksAll: "`acks: -1` (all in-sync copies) in `producer.send`",
    sendAgain: "Catch the refusal in sendPayment (the error's cause has `type` `NOT_ENOUGH_REPLICAS`), wait a second, and send the same payment again, until Kafka acknowledges it.",
    gaveUp:
      "A refusal is not a loss: Kafka has not taken the payment, and will once a second copy is in sync. Catch the error in sendPayment (its cause has `type` `NOT_ENOUGH_REPLICAS`), wait a second, and send the same payment again.",
    twiceAfterRefusal:
      "Kafka had written the first copy before it refused (the answer was still pending when the second broker died), and the copy sent again was not recognised as the same payment. Make the producer idempotent (`kafka.producer({ idempotent: true, retry: { retries: 6 } })`) and send the refused payment again from that same producer: kafkajs gives it the number it gave the first copy, and Kafka writes it once.",
    twiceAfterRetry:
      "A retry after the leader died wrote it again, and Kafka could not tell the retry from a new payment. Make the producer idempotent: `kafka.producer({ idempotent: true, retry: { retries: 6 } })`.",
    tookNumber: (refused: number, lost: number) =>
      `Payment ${refused} was refused and never sent again, though Kafka had written it before refusing (its answer was pending when the second broker died). kafkajs then gave payment ${lost} the number it had given payment ${refused}, so Kafka took payment ${lost} for a copy and dropped it. Send a refused payment again instead of moving on.`,
  },
  python: {
    acksAll: '`KafkaProducer(acks="all", …)` (all in-sync copies)',
    sendAgain:
      "Let the producer keep sending a refused payment itself (a `delivery_timeout_ms` longer than the outage, such as 600_000) and wait for its answer in send_payment without giving up: `future.get(timeout=5)` again after each `KafkaTimeoutError`, while `future.is_done` is false.",
    gaveUp:
      "A refusal is not a loss: Kafka has not taken the payment, and the producer sends it again by itself, numbered as before, until `delivery_timeout_ms`. Give it time (`delivery_timeout_ms=600_000`), and wait for its answer without giving up: `future.get(timeout=5)` again after each `KafkaTimeoutError`, while `future.is_done` is false.",
    twiceAfterRefusal:
      "Kafka had written the first copy before it refused (the answer was still pending when the second broker died), but the producer gave up on it after `delivery_timeout_ms` and started over under a new producer id, so the copy sent again was a new record to Kafka. Let the producer send a refused payment again itself, numbered as before: a `delivery_timeout_ms` longer than the outage, and wait for its answer.",
    twiceAfterRetry:
      'A retry after the leader died wrote it again, and Kafka could not tell the retry from a new payment. Keep the producer idempotent: `KafkaProducer(acks="all", enable_idempotence=True, …)`.',
    tookNumber: (refused: number, lost: number) =>
      `Payment ${refused} was refused and never sent again, though Kafka had written it before refusing, and payment ${lost} took its place. Let the producer keep sending a refused payment, and wait for its answer.`,
  },
};

type Words = (typeof WORDS)["typescript"];

function jepsenWords(words: Words): JepsenWords {
  return {
    topic: PAYMENTS,
    lostBecause: (acks) =>
      acks === 1
        ? "Your producer asked for acks 1: the leader alone had the payment when it answered, and it died before another broker copied it, so the broker that took over never had it."
        : "An acknowledged payment is on every in-sync copy; one that vanished means a copy that was not in sync took over.",
    twiceAfterRefusal: words.twiceAfterRefusal,
    twiceAfterRetry: words.twiceAfterRetry,
    tookTheRefusedOnesNumber: words.tookNumber,
  };
}

/** Check 5: while one broker ran, Kafka refused, and every refused payment was sent again until acknowledged. */
function refusedAndSentAgain(ledger: Ledger, stored: Stored[], input: GraderInput, run: RunSpan, faults: Faults, words: Words): GraderCheck {
  const title = "While one broker ran, Kafka refused payments, and your program sent each again";
  const fail = (message: string): GraderCheck => ({ title, status: "fail", message });
  const lone = input.lab ? loneBrokerSpans(input.lab, run) : [];
  // Refusals from the moment one broker ran: a refusal of a moment while the first leader was elected proves nothing.
  const outage = lone[0]?.from ?? Number.POSITIVE_INFINITY;
  const refusals = ledger.refused.filter((r) => tooFewReplicas(r.error) && r.lastAt >= outage);

  if (ledger.gaveUp) {
    const { payment, error } = ledger.gaveUp;
    const kafkaSaid = tooFewReplicas(error) ? undefined : refusals.find((r) => r.payment === payment);
    const refusedFor = kafkaSaid ? ` (Kafka was refusing it: ${plainly(kafkaSaid.error)})` : "";
    return fail(`Your program gave up on payment ${payment}: ${error}${refusedFor}, and the run ended there. ${words.gaveUp}`);
  }

  // Acknowledged while at most one broker ran: one copy at most, whatever the producer was told.
  for (const span of lone) {
    if (span.up === undefined) continue; // no broker ran: nothing could be acknowledged
    const alone = ledger.acknowledged.filter((a) => a.at > span.from + ACK_GRACE_MS && a.at < span.to).map((a) => a.payment);
    if (alone.length === 0) continue;
    const when = `from ${runClock(span.from, run)} to ${span.to < run.to ? sinceRun(span.to, run) : "the end of your run"}`;
    const never = refusals.length === 0 ? "Kafka never refused a payment, though" : "Kafka did not refuse every payment:";
    const setting =
      ledger.acks === 1
        ? `Your producer asked for acks 1, the leader alone. Ask for ${words.acksAll}: Kafka then refuses while fewer copies than \`min.insync.replicas\` (2) are in sync.`
        : "Your producer asked for every in-sync copy, but the topic took one as enough: keep its `min.insync.replicas` at 2.";
    return fail(
      `${never} ${when} only broker ${span.up} ran: ${paymentsNamed(alone)} ${alone.length === 1 ? "was" : "were"} acknowledged by broker ${span.up} alone, with one copy. This time nothing was lost, because broker ${span.up} kept running and the others copied ${alone.length === 1 ? "it" : "them"} when they came back; had broker ${span.up} died instead, ${alone.length === 1 ? "it" : "they"} would have been lost, though your producer was told ${alone.length === 1 ? "it was" : "they were"} safe. ${setting}`,
    );
  }

  // No gap: every payment before the last one the program sent was acknowledged. (The last may still be refused
  // when the run is stopped.)
  const acknowledged = new Set(ledger.acknowledged.map((a) => a.payment));
  const skipped = Array.from({ length: Math.max(0, ledger.sent - 1) }, (_, i) => i + 1).filter((n) => !acknowledged.has(n));
  if (skipped.length > 0) {
    const first = skipped[0]!;
    const copy = stored.find((s) => s.payment === first);
    const where = copy
      ? `it is in \`${PAYMENTS}\` (offset ${copy.offset}) only because Kafka had written it before refusing, and your program never learned that.`
      : `it is missing from \`${PAYMENTS}\`.`;
    const what = ledger.refused.some((r) => r.payment === first) ? "was refused and never sent again" : "was never acknowledged, and never sent again";
    const more = skipped.length > 1 ? ` So ${skipped.length === 2 ? "was" : "were"} ${paymentsNamed(skipped.slice(1))}.` : "";
    return fail(`Payment ${first} ${what}: ${where}${more} ${words.sendAgain}`);
  }

  if (refusals.length === 0) {
    if (!faults.secondStop) {
      return fail("Kafka never refused a payment: two brokers were never down at once while your run ran (see the check of the stops above).");
    }
    return fail(
      `Kafka refused no payment for too few copies in sync, though only one broker ran ${sinceRun(faults.secondStop.at, run)}: the brokers came back before your producer was told. Keep two brokers stopped until your program prints that Kafka refused a payment (within about 20 s), then start them again.`,
    );
  }

  const sentAgain = refusals.filter((r) => acknowledged.has(r.payment));
  if (sentAgain.length === 0) {
    const pending = refusals.at(-1)!;
    return fail(
      `Your run ended while Kafka still refused payment ${pending.payment}, so it never showed that the payment went through once a broker was back. Start the brokers again, and let the program end by itself (about 15 s after Kafka takes payments again).`,
    );
  }
  const shown = sentAgain[0]!;
  const times = refusals.filter((r) => r.payment === shown.payment).reduce((sum, r) => sum + r.times, 0);
  const ack = ledger.acknowledged.find((a) => a.payment === shown.payment)!;
  return {
    title,
    status: "pass",
    message: `Kafka refused payment ${shown.payment} ${times === 1 ? "once" : `${times} times`} for too few copies in sync (${plainly(shown.error)}), and acknowledged it at offset ${ack.offset} ${sinceRun(ack.at, run)}, once a broker was back: no payment was acknowledged with one copy, and none was skipped.`,
  };
}

/** Check 6: a payment acknowledged after the leader died and before the second broker did. */
function carriedOn(ledger: Ledger, run: RunSpan, faults: Faults): GraderCheck {
  const title = "Payments carried on after the leader died";
  const { leaderStop, secondStop } = faults;
  if (!leaderStop) return { title, status: "fail", message: "The leader of `safe-payments` 0 was not stopped while the other brokers ran (see the check of the stops above)." };
  const until = secondStop?.at ?? run.to;
  const next = ledger.acknowledged.find((a) => a.at > leaderStop.at && a.at < until);
  if (!next) {
    const second = secondStop ? ` and stopping broker ${secondStop.broker} ${sinceRun(secondStop.at, run)}` : "";
    return {
      title,
      status: "fail",
      message: `No payment was acknowledged between stopping broker ${leaderStop.broker}, the leader, ${sinceRun(leaderStop.at, run)}${second}: electing a new leader takes Kafka a few seconds. Wait until payments are acknowledged again before you stop the second broker.`,
    };
  }
  return {
    title,
    status: "pass",
    message: `After broker ${leaderStop.broker}, the leader, died ${sinceRun(leaderStop.at, run)}, payment ${next.payment} was acknowledged ${sinceRun(next.at, run)}: Kafka elected a new leader from the in-sync replicas, and your producer found it by itself.`,
  };
}

export default function grade(input: GraderInput): GraderCheck[] {
  const words = WORDS[input.run?.language === "python" ? "python" : "typescript"];
  const ledgerTopic = input.topics[LEDGER];
  const ledger = ledgerIn(ledgerTopic ? recordsOfLatestRun(ledgerTopic) : []);
  const run = runSpanOf(input, ledger);
  const faults = faultsDuring(input.lab, run, PARTITION);
  if (!ledger) {
    const whenItEnds = "by itself about 15 s after Kafka takes payments again, when sendPayment gives up, or when you press Stop";
    return [noLedger(input, LEDGER, whenItEnds), faultsCheck(faults, run, PAYMENTS)];
  }
  const paymentsTopic = input.topics[PAYMENTS];
  const stored = paymentsIn(paymentsTopic ? recordsOfLatestRun(paymentsTopic) : []);
  return [
    ledgerWritten(ledger),
    noLostWrite(ledger, stored, paymentsTopic?.truncated ?? false, jepsenWords(words)),
    noDuplicate(ledger, stored, jepsenWords(words)),
    faultsCheck(faults, run, PAYMENTS),
    refusedAndSentAgain(ledger, stored, input, run, faults, words),
    carriedOn(ledger, run, faults),
  ];
}
