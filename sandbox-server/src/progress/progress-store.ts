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

/** Whether a store can keep progress right now, for /api/health. */
export interface StoreHealth {
  ok: boolean;
  /** The embedded SQLite file, or a PostgreSQL database several servers share. */
  store: "sqlite" | "postgres";
  /** Why progress cannot be kept now, naming the file or host:port/database, in words a host can act on. */
  error?: string;
}

/**
 * Every method may fail with a ProgressStoreFault (store-faults.ts): ProgressNotSaved for a write,
 * ProgressNotRead for a read, each with a line for the host's log and a message for the learner.
 */
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
  /** Forgets the learner's runs of an exercise (it was started over). */
  forgetRuns(learnerId: string, exerciseId: string): Promise<void>;
  /** Notes that a learner's Kafka principal was handed to a run at `at`; an earlier note never replaces a later one. */
  notePrincipalUse(principal: string, at: Date): Promise<void>;
  /** When any server sharing this store last handed the principal to a run; undefined when none noted it. */
  lastPrincipalUse(principal: string): Promise<Date | undefined>;
  /** Reads and writes a probe row (and, for a file, looks at the space left); never throws. */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
