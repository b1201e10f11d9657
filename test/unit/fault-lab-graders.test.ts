// The graders of "When a broker dies", on runs built here as the lab leaves them: the program's ledger (what Kafka
// told its producer), the payments topic, the stops and starts of the lab's brokers, and the run's window. Each run
// follows the lesson's steps (the leader stopped 12 s into the run, a second broker at 25 s, both started again at 70
// and 75 s) unless a test says otherwise; what the program does about it is the test's.
import { describe, expect, it } from "vitest";
import type { GradedLabChange, GradedRun, GraderCheck, GraderInput } from "../../sandbox-server/src/contract/grader.ts";
import gradeSafe, { PARTITION, PAYMENTS, LEDGER } from "../../content/core-concepts/when-a-broker-dies/exercises/acknowledged-payments/grader.ts";
import gradeFast, * as fast from "../../content/core-concepts/when-a-broker-dies/exercises/leader-only-acks/grader.ts";
import { faultsDuring, loneBrokerSpans } from "../../content/core-concepts/when-a-broker-dies/lab-timeline.ts";
import type { Ledger } from "../../content/core-concepts/when-a-broker-dies/payment-ledger.ts";

type Language = Exclude<GradedRun["language"], "sql">;

const RUN_START = Date.parse("2026-03-02T21:02:00Z");
/** A moment of the run, `seconds` after it started. */
const at = (seconds: number) => RUN_START + Math.round(seconds * 1000);

/** Kafka's refusal for too few copies in sync, as each program's ledger words it. */
const TOO_FEW = {
  typescript: "KafkaJSNumberOfRetriesExceeded (NOT_ENOUGH_REPLICAS): Messages are rejected since there are fewer in-sync replicas than required",
  python: "NotEnoughReplicasError (your producer retries it)",
};
const GAVE_UP = {
  typescript: TOO_FEW.typescript,
  python: "KafkaTimeoutError: Timeout after waiting for 10 secs.",
};

/** What a run leaves: its ledger, and the payments `safe-payments` holds by offset. */
interface Tape {
  ledger: Ledger;
  log: number[];
}

function tape(acks = -1): Tape {
  return { ledger: { startedAt: at(0), endedAt: 0, ended: "", acks, sent: 0, acknowledged: [], refused: [], gaveUp: null }, log: [] };
}

/** Kafka writes `payment` at the log's next offset and the producer hears so at `second`. */
function acknowledge(run: Tape, payment: number, second: number): void {
  run.ledger.acknowledged.push({ payment, partition: 0, offset: run.log.length, at: at(second) });
  run.log.push(payment);
}

/** Payments `from` to `to` sent one every 200 ms from `second`, each acknowledged at once; returns the second after. */
function steady(run: Tape, from: number, to: number, second: number): number {
  for (let n = from; n <= to; n++) acknowledge(run, n, second + (n - from) * 0.2);
  return second + (to - from + 1) * 0.2;
}

function refuse(run: Tape, payment: number, from: number, to: number, error: string, times = 12): void {
  run.ledger.refused.push({ payment, error, at: at(from), lastAt: at(to), times });
}

function end(run: Tape, ended: string, second: number): Tape {
  run.ledger.ended = ended;
  run.ledger.endedAt = at(second);
  return run;
}

/** The lesson's steps: broker 1 (the leader) stopped at 12 s, broker 2 at 25 s, both started again at 70 and 75 s. */
const LESSON_STEPS: GradedLabChange[] = [
  { at: at(12), broker: 1, change: "stopped", led: [PARTITION] },
  { at: at(25), broker: 2, change: "stopped", led: [] },
  { at: at(70), broker: 1, change: "started", led: [] },
  { at: at(75), broker: 2, change: "started", led: [] },
];

/** Up to the second stop, as every program runs: payments 1 to 60, a pause while broker 2 takes over, 61 to 110. */
function throughTheFirstDeath(acks = -1): Tape {
  const run = tape(acks);
  steady(run, 1, 60, 0);
  acknowledge(run, 61, 15); // sent at 12 s, acknowledged once the new leader was elected
  steady(run, 62, 110, 15.2);
  return run;
}

/** The solution: payment 111 refused while only broker 3 ran, waited on and sent again, acknowledged at 74 s. */
function solution(language: Language, { followerDied = false } = {}): Tape {
  const run = throughTheFirstDeath();
  // When a follower died, payment 111 reached the leader first; the retry carries its number and is recognised.
  if (followerDied) run.log.push(111);
  refuse(run, 111, 28, 72, TOO_FEW[language]);
  run.ledger.acknowledged.push({ payment: 111, partition: 0, offset: followerDied ? run.log.length - 1 : run.log.length, at: at(74) });
  if (!followerDied) run.log.push(111);
  steady(run, 112, 186, 74.2);
  return end(run, "recovered", 89.2);
}

/** A producer asking the leader alone: never refused, payments acknowledged through the outage, stopped at 100 s. */
function acksOne(): Tape {
  const run = throughTheFirstDeath(1);
  steady(run, 111, 485, 25);
  return end(run, "stopped", 100);
}

/** sendPayment lets the refusal of payment 111 end the run at 51 s. */
function givesUp(language: Language): Tape {
  const run = throughTheFirstDeath();
  refuse(run, 111, 28, 51, TOO_FEW[language]);
  run.ledger.gaveUp = { payment: 111, error: GAVE_UP[language], at: at(51) };
  return end(run, "gave up", 51);
}

/** sendPayment skips payment 111 once refused; payment 112, refused too, is acknowledged once a broker is back. */
function skipsRefused(language: Language): Tape {
  const run = throughTheFirstDeath();
  refuse(run, 111, 28, 51, TOO_FEW[language]);
  refuse(run, 112, 51.2, 72, TOO_FEW[language]);
  acknowledge(run, 112, 74);
  steady(run, 113, 187, 74.2);
  return end(run, "recovered", 89.2);
}

/** The grader's input for a run, as the server gives it; `topics` names the exercise's payments and ledger. */
function inputOf(
  run: Tape,
  language: Language = "typescript",
  changes: GradedLabChange[] = LESSON_STEPS,
  truncated = false,
  topics = { payments: PAYMENTS, ledger: LEDGER },
): GraderInput {
  const records = run.log.map((payment, offset) => ({
    partition: 0,
    offset,
    timestamp: RUN_START,
    key: `payment-${payment}`,
    value: JSON.stringify({ payment, amount: 10 + ((payment * 37) % 90) }),
    headers: {},
  }));
  const ledgerRecord = { partition: 0, offset: 0, timestamp: run.ledger.endedAt, key: null, value: JSON.stringify(run.ledger), headers: {} };
  return {
    topics: {
      [topics.payments]: { name: topics.payments, partitions: 1, records, truncated, runStart: {} },
      [topics.ledger]: { name: topics.ledger, partitions: 1, records: run.ledger.endedAt ? [ledgerRecord] : [], truncated: false, runStart: {} },
    },
    groups: {},
    lab: { brokers: [1, 2, 3], changes },
    run: {
      id: "run-1",
      language,
      startedAt: new Date(RUN_START).toISOString(),
      endedAt: new Date(run.ledger.endedAt + 400).toISOString(),
      outcome: run.ledger.ended === "stopped" ? "stopped" : "exited",
      exitCode: 0,
      freshSlate: true,
    },
  };
}

const failures = (checks: GraderCheck[]) => checks.filter((c) => c.status === "fail");
/** The verdict's message: the first failing check's. */
const verdict = (checks: GraderCheck[]) => failures(checks)[0]?.message ?? "passed";

describe("the acknowledged-payments grader", () => {
  it("passes the solution's run in both languages: refused while one broker ran, sent again, each payment once", () => {
    for (const language of ["typescript", "python"] as const) {
      const checks = gradeSafe(inputOf(solution(language), language));
      expect(failures(checks)).toEqual([]);
      expect(checks).toHaveLength(6);
    }
    const said = gradeSafe(inputOf(solution("typescript"))).map((c) => c.message);
    expect(said).toContain(
      "All 186 acknowledged payments are in `safe-payments` at the offsets Kafka gave your producer: no acknowledged write was lost.",
    );
    expect(said.join("\n")).toContain("Kafka refused payment 111 12 times for too few copies in sync");
    expect(said.join("\n")).toContain("payment 61 was acknowledged 0:15 into your run");
  });

  it("passes a run whose second stopped broker was a follower: payment 111 reached the leader first, and its retry was recognised", () => {
    expect(failures(gradeSafe(inputOf(solution("typescript", { followerDied: true }))))).toEqual([]);
  });

  it("fails a producer asking the leader alone, naming the stretch one broker ran, the payments it acknowledged alone, and acks", () => {
    const said = verdict(gradeSafe(inputOf(acksOne())));
    expect(said).toContain("Kafka never refused a payment, though from 0:25 to 1:10 into your run only broker 3 ran");
    expect(said).toContain("were acknowledged by broker 3 alone, with one copy");
    expect(said).toContain("This time nothing was lost, because broker 3 kept running");
    expect(said).toContain("Your producer asked for acks 1");
    expect(said).toContain("`acks: -1`");
    // Acknowledgements within 2 s of the second stop may be of payments every copy had: the first named is later.
    expect(said).toMatch(/payments 122 to 335 \(214 payments\)/);
    expect(verdict(gradeSafe(inputOf(acksOne(), "python")))).toContain('`KafkaProducer(acks="all", …)`');
  });

  it("fails a producer whose settings asked for every copy, yet payments were acknowledged by one broker: the topic's min.insync.replicas", () => {
    const run = acksOne();
    run.ledger.acks = -1;
    expect(verdict(gradeSafe(inputOf(run)))).toContain("keep its `min.insync.replicas` at 2");
  });

  it("fails a program that gave up on a refused payment, naming it and Kafka's refusal, with the fix in the run's language", () => {
    const typescript = verdict(gradeSafe(inputOf(givesUp("typescript"))));
    expect(typescript).toContain("Your program gave up on payment 111: KafkaJSNumberOfRetriesExceeded (NOT_ENOUGH_REPLICAS)");
    expect(typescript).toContain("A refusal is not a loss");
    expect(typescript).toContain("send the same payment again");
    const python = verdict(gradeSafe(inputOf(givesUp("python"), "python")));
    expect(python).toContain(
      "Your program gave up on payment 111: KafkaTimeoutError: Timeout after waiting for 10 secs. (Kafka was refusing it: NotEnoughReplicasError)",
    );
    expect(python).toContain("`delivery_timeout_ms=600_000`");
  });

  it("fails a program that skipped a refused payment, saying it is missing", () => {
    for (const language of ["typescript", "python"] as const) {
      const said = verdict(gradeSafe(inputOf(skipsRefused(language), language)));
      expect(said).toContain("Payment 111 was refused and never sent again: it is missing from `safe-payments`.");
    }
    expect(verdict(gradeSafe(inputOf(skipsRefused("typescript"))))).toContain("Catch the refusal in sendPayment");
    expect(verdict(gradeSafe(inputOf(skipsRefused("python"), "python")))).toContain("`future.is_done` is false");
  });

  it("fails a program that skipped refused payments until it was stopped, naming the first", () => {
    // A kafka-python producer that gave up on a payment sends nothing more: the program skipped one after another.
    const run = throughTheFirstDeath();
    refuse(run, 111, 28, 38, "KafkaTimeoutError: Expiring 1 record(s)", 1);
    run.ledger.sent = 118; // sent and skipped, never answered
    const said = verdict(gradeSafe(inputOf(end(run, "stopped", 110), "python")));
    expect(said).toContain(
      "Payment 111 was refused and never sent again: it is missing from `safe-payments`. So were payments 112 to 117 (6 payments).",
    );
  });

  it("fails a kafkajs program that skipped a payment Kafka had written before refusing: the next payment took its number and was lost", () => {
    // Payment 111 reached the leader as a follower died; skipped, its number went to payment 112, which Kafka dropped as a copy.
    const run = throughTheFirstDeath();
    run.log.push(111);
    refuse(run, 111, 28, 81, TOO_FEW.typescript);
    run.ledger.acknowledged.push({ payment: 112, partition: 0, offset: 110, at: at(82) });
    steady(run, 113, 150, 82.2);
    const said = verdict(gradeSafe(inputOf(end(run, "recovered", 97))));
    expect(said).toContain("Payment 112 was acknowledged at offset 110, but offset 110 holds payment 111");
    expect(said).toContain("Payment 111 was refused and never sent again");
    expect(said).toContain("Kafka took payment 112 for a copy");
  });

  it("says a skipped payment Kafka had written is in the topic only by chance", () => {
    const run = throughTheFirstDeath();
    run.log.push(111); // written before the refusal, never acknowledged
    refuse(run, 111, 28, 51, TOO_FEW.python);
    refuse(run, 112, 51.2, 72, TOO_FEW.python);
    acknowledge(run, 112, 74);
    const said = verdict(gradeSafe(inputOf(end(run, "recovered", 89), "python")));
    expect(said).toContain(
      "Payment 111 was refused and never sent again: it is in `safe-payments` (offset 110) only because Kafka had written it before refusing",
    );
  });

  it("fails a payment written twice after a Python producer gave up on it and it was sent again, naming the offsets and the new producer id", () => {
    const run = throughTheFirstDeath();
    run.log.push(111);
    refuse(run, 111, 28, 55, "KafkaTimeoutError: Expiring 1 record(s) for safe-payments-0: 30001 ms has passed since batch creation", 1);
    acknowledge(run, 111, 74);
    steady(run, 112, 150, 74.2);
    const said = verdict(gradeSafe(inputOf(end(run, "recovered", 89), "python")));
    expect(said).toContain("Payment 111 is in `safe-payments` twice (offsets 110 and 111)");
    expect(said).toContain("new producer id");
  });

  it("fails a payment written twice by a retry when the leader died, asking for an idempotent producer", () => {
    const run = tape();
    steady(run, 1, 60, 0);
    run.log.push(61); // the old leader's followers had it; the answer was lost with the leader
    acknowledge(run, 61, 15);
    steady(run, 62, 110, 15.2);
    refuse(run, 111, 28, 72, TOO_FEW.typescript);
    acknowledge(run, 111, 74);
    const said = verdict(gradeSafe(inputOf(end(run, "recovered", 89))));
    expect(said).toContain("Payment 61 is in `safe-payments` twice (offsets 60 and 61)");
    expect(said).toContain("A retry after the leader died wrote it again");
    expect(said).toContain("idempotent: true");
  });

  it("fails an acknowledged payment the log lost when the leader died, naming what its offset holds", () => {
    const run = throughTheFirstDeath(1);
    run.log.splice(59, 1); // payment 60 was on the leader alone
    const said = verdict(gradeSafe(inputOf(end(run, "stopped", 30))));
    expect(said).toContain("Payment 60 was acknowledged at offset 59, but offset 59 holds payment 61");
    expect(said).toContain("Your producer asked for acks 1: the leader alone had the payment");
  });

  it("fails acknowledged payments past the end of the log, naming its last offset", () => {
    const run = solution("typescript");
    run.log.length = 150;
    expect(verdict(gradeSafe(inputOf(run)))).toContain(
      "Payment 151 was acknowledged at offset 150, but `safe-payments` holds nothing at offset 150: its last record is at offset 149",
    );
  });

  it("judges a truncated topic only as far as it was read, and says so", () => {
    const run = solution("typescript");
    run.log.length = 100;
    const lost = gradeSafe(inputOf(run, "typescript", LESSON_STEPS, true))[1]!;
    expect(lost.status).toBe("pass");
    expect(lost.message).toContain("up to offset 99; 86 later payments were not judged");
  });

  it("asks for the ledger when the run ended without one, and to wait for it while the run goes on", () => {
    const input = inputOf(solution("typescript"));
    input.topics[LEDGER]!.records = [];
    expect(verdict(gradeSafe(input))).toContain("`safe-ledger` holds no ledger from your latest run");
    delete input.run!.endedAt;
    expect(verdict(gradeSafe(input))).toContain("Your run has not written its ledger yet");
  });

  it("says plainly that no broker was stopped when the lab saw no change", () => {
    const run = tape();
    steady(run, 1, 300, 0);
    const checks = gradeSafe(inputOf(end(run, "stopped", 60), "typescript", []));
    expect(verdict(checks)).toContain("You stopped no broker while your latest run ran, so Kafka never had to elect a leader or refuse a payment");
    expect(verdict(checks)).toContain("Stop the broker the live view marks as leader of `safe-payments 0`");
    expect(failures(checks).map((c) => c.message)).toContain(
      "Kafka never refused a payment: two brokers were never down at once while your run ran (see the check of the stops above).",
    );
  });

  it("does not count stops made before the run began or after it ended", () => {
    const run = tape();
    steady(run, 1, 300, 0);
    const before = LESSON_STEPS.map((change) => ({ ...change, at: change.at - 120_000 }));
    expect(verdict(gradeSafe(inputOf(end(run, "stopped", 60), "typescript", before)))).toContain(
      "You stopped no broker while your latest run ran (you stopped broker 2 95 s before your run began)",
    );
    const after = LESSON_STEPS.map((change) => ({ ...change, at: change.at + 120_000 }));
    expect(verdict(gradeSafe(inputOf(end(run, "stopped", 60), "typescript", after)))).toContain("You stopped no broker while your latest run ran");
  });

  it("asks to stop the leader first when the first broker stopped led nothing", () => {
    const steps = [{ ...LESSON_STEPS[0]!, broker: 3, led: [] }, ...LESSON_STEPS.slice(1)];
    expect(verdict(gradeSafe(inputOf(solution("typescript"), "typescript", steps)))).toContain(
      "Broker 3 was the first you stopped during your run (0:12 into your run), but it did not lead `safe-payments 0` then",
    );
  });

  it("asks for a second broker stopped while the leader is still down", () => {
    const steps: GradedLabChange[] = [
      LESSON_STEPS[0]!,
      { at: at(20), broker: 1, change: "started", led: [] },
      { at: at(25), broker: 2, change: "stopped", led: [] },
      { at: at(40), broker: 2, change: "started", led: [] },
    ];
    expect(verdict(gradeSafe(inputOf(solution("typescript"), "typescript", steps)))).toContain(
      "You stopped broker 1, the leader of `safe-payments 0`, 0:12 into your run, and started it again 0:20 into your run, but no second broker while it was down",
    );
  });

  it("fails a run stopped while Kafka still refused, asking to bring the brokers back and let it end by itself", () => {
    const run = throughTheFirstDeath();
    refuse(run, 111, 28, 50, TOO_FEW.typescript);
    const said = verdict(gradeSafe(inputOf(end(run, "stopped", 50))));
    expect(said).toContain("Your run ended while Kafka still refused payment 111");
  });

  it("does not count a refusal of a moment while the first leader was elected as the outage's", () => {
    const run = throughTheFirstDeath();
    refuse(run, 61, 13, 14, TOO_FEW.typescript, 2); // acknowledged at 15 s
    refuse(run, 111, 28, 50, TOO_FEW.typescript);
    expect(verdict(gradeSafe(inputOf(end(run, "stopped", 50))))).toContain("Your run ended while Kafka still refused payment 111");
  });

  it("fails a run whose brokers came back before Kafka refused anything", () => {
    const run = throughTheFirstDeath();
    acknowledge(run, 111, 31); // sent at 25 s, acknowledged once broker 1 was back at 29 s
    steady(run, 112, 150, 31.2);
    const steps: GradedLabChange[] = [
      LESSON_STEPS[0]!,
      LESSON_STEPS[1]!,
      { at: at(29), broker: 1, change: "started", led: [] },
      { at: at(30), broker: 2, change: "started", led: [] },
    ];
    expect(verdict(gradeSafe(inputOf(end(run, "stopped", 60), "typescript", steps)))).toContain(
      "Kafka refused no payment for too few copies in sync, though only one broker ran 0:25 into your run",
    );
  });

  it("fails a run whose second broker was stopped before payments carried on after the leader died", () => {
    const steps: GradedLabChange[] = [LESSON_STEPS[0]!, { ...LESSON_STEPS[1]!, at: at(13) }, ...LESSON_STEPS.slice(2)];
    const checks = gradeSafe(inputOf(solution("typescript"), "typescript", steps));
    expect(checks.at(-1)!.message).toContain(
      "No payment was acknowledged between stopping broker 1, the leader, 0:12 into your run and stopping broker 2 0:13",
    );
  });
});

describe("the leader-only-acks grader", () => {
  const FAST_STEPS = LESSON_STEPS.map((change) => (change.led.length ? { ...change, led: [fast.PARTITION] } : change));
  const graded = (run: Tape, language: Language = "typescript") =>
    gradeFast(inputOf(run, language, FAST_STEPS, false, { payments: fast.PAYMENTS, ledger: fast.LEDGER }));
  /** The solution's run: acks 1, payments acknowledged through the outage, two minutes long. */
  const leaderAlone = () => end(acksOne(), "ran its time", 100);

  it("passes payments acknowledged while one broker ran, and reports that none was lost, saying why not this time", () => {
    const checks = graded(leaderAlone());
    expect(failures(checks)).toEqual([]);
    const said = checks.map((c) => c.message).join("\n");
    expect(said).toContain(
      "From 0:25 to 1:10 into your run only broker 3 ran, and Kafka acknowledged payments 122 to 335 (214 payments) all the same",
    );
    expect(said).toContain("None of the 485 payments Kafka acknowledged was lost, the 214 that broker 3 alone had among them: broker 3 never died");
  });

  it("passes a run in which an acknowledged payment was lost when the leader died, and names it", () => {
    const run = leaderAlone();
    run.log.splice(59, 1);
    const checks = graded(run);
    expect(failures(checks)).toEqual([]);
    expect(checks.at(-1)!.message).toContain("Payment 60 was acknowledged at offset 59, but offset 59 holds payment 61");
    expect(checks.at(-1)!.message).toContain("That is what acks 1 risks");
  });

  it("fails a producer still asking every in-sync copy, naming the payment Kafka refused and acks 1", () => {
    const typescript = verdict(graded(solution("typescript")));
    expect(typescript).toContain("Kafka refused payment 111 while only broker 3 ran (KafkaJSNumberOfRetriesExceeded (NOT_ENOUGH_REPLICAS)");
    expect(typescript).toContain("`acks: 1`");
    const python = verdict(graded(solution("python"), "python"));
    expect(python).toContain("(NotEnoughReplicasError), and acknowledged none");
    expect(python).toContain("`KafkaProducer(acks=1, …)`");
  });

  it("fails an idempotent producer asking the leader alone, which the client refuses, in the run's language", () => {
    const refusedBy = (error: string) => {
      const run = tape(1);
      run.ledger.gaveUp = { payment: 1, error, at: at(1) };
      return end(run, "gave up", 1);
    };
    const typescript = verdict(
      graded(refusedBy("KafkaJSNonRetriableError: Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees")),
    );
    expect(typescript).toContain("Your program gave up on payment 1");
    expect(typescript).toContain("kafkajs refuses it with acks 1");
    const python = verdict(graded(refusedBy("KafkaConfigurationError: enable_idempotence=True is incompatible with user-provided acks=1"), "python"));
    expect(python).toContain("kafka-python refuses `enable_idempotence=True` with acks=1");
  });

  it("asks for the ledger when the run ended without one", () => {
    const input = inputOf(leaderAlone(), "typescript", FAST_STEPS, false, { payments: fast.PAYMENTS, ledger: fast.LEDGER });
    input.topics[fast.LEDGER]!.records = [];
    expect(verdict(gradeFast(input))).toContain("`fast-ledger` holds no ledger from your latest run");
  });
});

describe("the lab's timeline", () => {
  const run = { from: at(0), to: at(90) };

  it("finds when one broker ran, and which, from stops and starts in any order", () => {
    const shuffled = [LESSON_STEPS[2]!, LESSON_STEPS[0]!, LESSON_STEPS[3]!, LESSON_STEPS[1]!];
    expect(loneBrokerSpans({ brokers: [1, 2, 3], changes: shuffled }, run)).toEqual([{ from: at(25), to: at(70), up: 3 }]);
  });

  it("clips a lone broker's stretch to the run, and keeps it open when the run ended first", () => {
    const open = LESSON_STEPS.slice(0, 2);
    expect(loneBrokerSpans({ brokers: [1, 2, 3], changes: open }, { from: at(30), to: at(60) })).toEqual([{ from: at(30), to: at(60), up: 3 }]);
  });

  it("names the leader's stop and the second stop of the lesson's steps", () => {
    const faults = faultsDuring({ brokers: [1, 2, 3], changes: LESSON_STEPS }, run, PARTITION);
    expect(faults).toEqual({ leaderStop: LESSON_STEPS[0], secondStop: LESSON_STEPS[1] });
  });

  it("says the run did not run on a lab when there is none", () => {
    expect(faultsDuring(undefined, run, PARTITION).problem).toContain("Start your lab, then Run");
  });
});
