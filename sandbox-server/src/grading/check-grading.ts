// How the server grades Checks: admitted fairly across learners (one per learner and exercise in flight),
// graded on worker threads. One per server; the grade route hands every Check to it.
import { CheckQueue } from "./check-queue.ts";
import { GradingPool } from "./grading-pool.ts";
import type { VerdictMemo } from "./grade-checkpoint.ts";
import type { ExerciseRuns } from "../runs/run-record.ts";
import type { Verdict } from "../contract/verdict.ts";

/** Learners' last verdicts kept for reuse; the oldest go first. */
const MEMO_ENTRIES = 2000;

export interface GradingSettings {
  /** Checks whose snapshots are taken and graded at once; more wait their turn, fewest-in-flight learner first. */
  checksAtOnce: number;
  /** Worker threads that parse records and grade snapshots. */
  workers: number;
}

/** The fair queue of Checks and the worker threads that grade them. */
export class CheckGrading {
  readonly queue: CheckQueue;
  readonly pool: GradingPool;
  readonly #memos = new Map<string, { runKey: string; stateKey: string; verdict: Verdict }>();
  readonly #groupsSeen = new Map<string, Set<string>>();

  constructor(settings: GradingSettings) {
    this.queue = new CheckQueue(settings.checksAtOnce);
    this.pool = new GradingPool(settings.workers);
  }

  /**
   * The learner's last verdict of the exercise, while the judged run is the same: a learner who presses Check
   * again on an unchanged broker gets it back without their records being read and parsed again.
   */
  memo(learner: string, exerciseId: string, runs: ExerciseRuns): VerdictMemo {
    const key = `${learner}\u0000${exerciseId}`;
    const { ran, attempted } = runs;
    const runKey = JSON.stringify([ran?.id, ran?.outcome, ran?.endedAt, attempted?.id, attempted?.outcome]);
    return {
      recall: () => {
        const kept = this.#memos.get(key);
        return kept?.runKey === runKey ? kept : undefined;
      },
      keep: (stateKey, verdict) => {
        this.#memos.delete(key);
        this.#memos.set(key, { runKey, stateKey, verdict });
        if (this.#memos.size > MEMO_ENTRIES) this.#memos.delete(this.#memos.keys().next().value!);
      },
    };
  }

  /**
   * The groups ("<group>/<topic>") a Check found in Kafka while the learner's run `runId` of the exercise was judged:
   * a group its consumers joined and left having committed nothing may be gone from Kafka by the next Check.
   */
  groupsSeen(learner: string, exerciseId: string, runId: string): Set<string> {
    const key = `${learner}\u0000${exerciseId}\u0000${runId}`;
    let seen = this.#groupsSeen.get(key);
    if (!seen) {
      seen = new Set();
      this.#groupsSeen.set(key, seen);
      if (this.#groupsSeen.size > MEMO_ENTRIES) this.#groupsSeen.delete(this.#groupsSeen.keys().next().value!);
    }
    return seen;
  }

  /** Ends the grading workers. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
