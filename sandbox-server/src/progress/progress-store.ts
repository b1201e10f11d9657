// What a progress store keeps for each learner: their latest verdict per exercise, and their latest runs
// of it. An interface, so a store shared by several servers (PostgreSQL) can sit beside the embedded one.
import type { CheckResult, Verdict } from "../grading/index.ts";
import type { ExerciseRuns, RunRecord } from "../runs/run-record.ts";

export interface StoredVerdict {
  exerciseId: string;
  status: "pass" | "fail";
  message: string;
  checks: CheckResult[];
  gradedAt: string;
  /** When this learner first passed; kept even if a later attempt fails. */
  firstPassedAt: string | null;
}

export interface StoreHealth {
  ok: boolean;
  /** Which store: "sqlite" or "postgres". */
  store: string;
  error?: string;
}

export interface ProgressStore {
  /** Stores a pass or fail verdict as the learner's latest for that exercise (an error verdict is refused). */
  recordVerdict(learnerId: string, verdict: Verdict): Promise<void>;
  /** The learner's latest verdict for every exercise they have checked. */
  verdictsOf(learnerId: string): Promise<StoredVerdict[]>;
  /**
   * Keeps a run as the learner's latest attempt at its exercise and, once it launched, as the latest that
   * ran; a record of an older run (a second tab's, ending late) never replaces a newer one.
   */
  recordRun(learnerId: string, run: RunRecord): Promise<void>;
  runsOf(learnerId: string, exerciseId: string): Promise<ExerciseRuns>;
  /** Whether the store can be read and written now, for health. */
  health(): Promise<StoreHealth>;
  /** Forgets the learner's runs of an exercise (it was started over). */
  forgetRuns(learnerId: string, exerciseId: string): Promise<void>;
  close(): Promise<void>;
}
