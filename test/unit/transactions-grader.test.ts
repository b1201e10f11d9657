// The exactly-once-settlement grader on records built here: the processors' lives as the done-for-you part logs
// them, and `settled-payments` as a read_committed reader finds it. Each way of committing passes or fails with the
// words its verdict promises.
import { describe, expect, it } from "vitest";
import type { GradedRun, GradedTopic, GraderCheck, GraderInput } from "../../sandbox-server/src/contract/grader.ts";
import grade, {
  CRASH_WHILE_SETTLING,
  habitOf,
  LAST_PAYMENT,
  type Life,
  PAYMENT_COUNT,
} from "../../content/guarantees/transactions/exercises/exactly-once-settlement/grader.ts";

/** A one-partition topic of these [key, value] records, offsets from 0. */
function topicOf(name: string, rows: [string | null, unknown][]): GradedTopic {
  const records = rows.map(([key, value], offset) => ({ partition: 0, offset, timestamp: 0, key, value: JSON.stringify(value), headers: {} }));
  return { name, partitions: 1, records, truncated: false, runStart: {} };
}

const ID = "l0123456789abcdef0123-settler";
const payment = (n: number) => `payment-${n}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const crashedWhileSettling = `while settling ${CRASH_WHILE_SETTLING}`;
const crashedAfterCommit = `the moment Kafka confirmed the transaction that holds ${LAST_PAYMENT}`;

/** A processor's life: its producer's id, the offset it began at and how it ended. */
const life = (n: number, resumedAt: number | null, crashed: string | null, more: Partial<Life> = {}): Life => ({
  life: n,
  transactionalId: ID,
  resumedAt,
  crashed,
  consumerCommits: 0,
  transactionsCommitted: 1,
  ...more,
});

/** What the run left: the payments each processor settled (as a read_committed reader finds them), its lives, the group's offset. */
function run(
  settled: [number, number[]][],
  lives: Life[],
  committed: number | undefined,
  language: GradedRun["language"] = "typescript",
): GraderInput {
  return {
    topics: {
      "fx-payments": topicOf(
        "fx-payments",
        range(1, PAYMENT_COUNT).map((n) => [payment(n), { payment: payment(n), amount: n * 10, currency: "USD" }]),
      ),
      "settled-payments": topicOf(
        "settled-payments",
        settled.flatMap(([by, payments]) =>
          payments.map((n): [string, unknown] => [payment(n), { payment: payment(n), eur: n * 9.2, settledBy: by }]),
        ),
      ),
      "settlement-log": topicOf(
        "settlement-log",
        lives.map((l): [string, unknown] => [`life-${l.life}`, l]),
      ),
    },
    groups: committed === undefined ? {} : { "settlement/fx-payments": { name: "settlement", topic: "fx-payments", committed: { 0: committed } } },
    run: { id: "r1", language, startedAt: "2026-01-01T00:00:00Z", freshSlate: true },
  };
}

const failures = (checks: GraderCheck[]) => checks.filter((c) => c.status === "fail");
/** What the learner reads: the first failing check's message. */
const verdict = (checks: GraderCheck[]) => failures(checks)[0]?.message ?? "";

describe("the exactly-once-settlement grader", () => {
  const exactlyOnce: Life[] = [
    life(1, null, crashedWhileSettling),
    life(2, 4, crashedAfterCommit, { transactionsCommitted: 2 }),
    life(3, 12, null, { transactionsCommitted: 0 }),
  ];

  it("passes each payment once, through both crashes, from processors that share one transactional id and commit offsets in their transactions", () => {
    expect(
      failures(
        grade(
          run(
            [
              [1, range(1, 4)],
              [2, range(5, 12)],
            ],
            exactlyOnce,
            12,
          ),
        ),
      ),
    ).toEqual([]);
  });

  it("fails a processor without a transaction, naming the payment settled twice, both processors and the transactional producer", () => {
    const lives = [
      life(1, null, crashedWhileSettling, { transactionalId: null, consumerCommits: 1, transactionsCommitted: 0 }),
      life(2, 4, null, { transactionalId: null, consumerCommits: 2, transactionsCommitted: 0 }),
    ];
    const checks = grade(
      run(
        [
          [1, range(1, 6)],
          [2, range(5, 12)],
        ],
        lives,
        12,
      ),
    );
    expect(habitOf(lives)).toBe("no-transaction");
    expect(verdict(checks)).toContain(
      "`payment-5` is in `settled-payments` twice. Processor 1 settled it and crashed while settling payment-7; processor 2 began at the group's committed offset, 4,",
    );
    expect(verdict(checks)).toContain('transactionalId("settler")');
    expect(
      failures(checks)
        .map((c) => c.message)
        .join("\n"),
    ).toContain("has no transactional id");
  });

  it("says it in Python's words to a Python learner", () => {
    const lives = [life(1, null, crashedWhileSettling, { transactionalId: null }), life(2, 4, null, { transactionalId: null })];
    const said = verdict(
      grade(
        run(
          [
            [1, range(1, 6)],
            [2, range(5, 12)],
          ],
          lives,
          12,
          "python",
        ),
      ),
    );
    expect(said).toContain("producer.init_transactions()");
    expect(said).not.toContain("kafka.producer(");
  });

  it("fails offsets committed by the consumer after the transaction, showing the batch settled again after the second crash", () => {
    const lives = [
      life(1, null, crashedWhileSettling, { consumerCommits: 1 }),
      life(2, 4, crashedAfterCommit, { consumerCommits: 1, transactionsCommitted: 2 }),
      life(3, 8, null, { consumerCommits: 1 }),
    ];
    const said = verdict(
      grade(
        run(
          [
            [1, range(1, 4)],
            [2, range(5, 12)],
            [3, range(9, 12)],
          ],
          lives,
          12,
        ),
      ),
    );
    expect(said).toContain("`payment-9` is in `settled-payments` twice. Processor 2 settled it and crashed the moment Kafka confirmed");
    expect(said).toContain("processor 3 began at the group's committed offset, 8,");
    expect(said).toContain("outside the transaction");
  });

  it("fails offsets committed before the batch is settled, naming the payments the crash lost", () => {
    const lives = [
      life(1, null, crashedWhileSettling, { consumerCommits: 2 }),
      life(2, 8, crashedAfterCommit, { consumerCommits: 1 }),
      life(3, 12, null),
    ];
    const said = verdict(
      grade(
        run(
          [
            [1, range(1, 4)],
            [2, range(9, 12)],
          ],
          lives,
          12,
        ),
      ),
    );
    expect(said).toContain("4 payments (`payment-5` to `payment-8`) are not in `settled-payments`");
    expect(said).toContain("processor 2 began at the group's committed offset, 8.");
    expect(said).toContain("at most once");
  });

  it("fails a transactional id that changes at each restart, while the crashed processor's transaction still hides the rest and once Kafka timed it out", () => {
    const lives = exactlyOnce.map((l) => ({ ...l, transactionalId: `${ID}-${l.life}` }));
    expect(habitOf(lives)).toBe("changing-id");
    const whileOpen = verdict(grade(run([[1, range(1, 4)]], lives, 12)));
    expect(whileOpen).toContain("8 payments (`payment-5` to `payment-12`) are not in `settled-payments`");
    expect(whileOpen).toContain(`changed its transactional id when it restarted (\`${ID}-1\`, then \`${ID}-2\`, then \`${ID}-3\`)`);
    const timedOut = verdict(
      grade(
        run(
          [
            [1, range(1, 4)],
            [2, range(5, 12)],
          ],
          lives,
          12,
        ),
      ),
    );
    expect(timedOut).toContain("changed its transactional id");
  });

  it("fails transactions that never send the offsets, as every restart begins again at the first payment", () => {
    const lives = [life(1, null, crashedWhileSettling), life(2, null, crashedAfterCommit), life(3, null, null)];
    const said = verdict(
      grade(
        run(
          [
            [1, range(1, 4)],
            [2, range(1, 12)],
            [3, range(1, 12)],
          ],
          lives,
          undefined,
        ),
      ),
    );
    expect(said).toContain("`payment-1` is in `settled-payments` twice");
    expect(said).toContain("never committed an offset");
    expect(said).toContain("transaction.sendOffsets");
  });

  it("fails a run whose processor never reached the crash, saying what to keep", () => {
    expect(verdict(grade(run([], [], undefined)))).toContain("`settlement-log` holds no processor's life");
    expect(verdict(grade(run([[1, range(1, 12)]], [life(1, null, null)], 12)))).toContain(
      `No processor crashed while settling \`${CRASH_WHILE_SETTLING}\``,
    );
  });
});
