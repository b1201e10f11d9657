// Keeps each learner's latest verdict per exercise in an embedded SQLite file (WAL mode),
// so a reload, or a restarted server, shows it again.
import { DatabaseSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { CheckResult, Verdict } from "../grading/index.ts";

export interface StoredVerdict {
  exerciseId: string;
  status: "pass" | "fail";
  message: string;
  checks: CheckResult[];
  gradedAt: string;
  /** When this learner first passed; kept even if a later attempt fails. */
  firstPassedAt: string | null;
}

interface VerdictRow {
  exercise_id: string;
  status: "pass" | "fail";
  message: string;
  checks: string;
  graded_at: string;
  first_passed_at: string | null;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS checkpoint_verdicts (
    learner_id      TEXT NOT NULL,
    exercise_id     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pass', 'fail')),
    message         TEXT NOT NULL,
    checks          TEXT NOT NULL,
    graded_at       TEXT NOT NULL,
    first_passed_at TEXT,
    PRIMARY KEY (learner_id, exercise_id)
  ) STRICT;
`;

export class ProgressStore {
  #db: DatabaseSync;

  /** Opens (creating if needed) the database at `file`; ":memory:" for a throwaway store. */
  constructor(file: string) {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    this.#db = new DatabaseSync(file);
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
    this.#db.exec(SCHEMA);
  }

  /** Stores a pass or fail verdict as the learner's latest for that exercise. */
  recordVerdict(learnerId: string, verdict: Verdict): void {
    if (verdict.status === "error") throw new Error("An ungraded (error) verdict is not progress; it is not stored.");
    this.#db
      .prepare(
        `INSERT INTO checkpoint_verdicts (learner_id, exercise_id, status, message, checks, graded_at, first_passed_at)
         VALUES (:learner, :exercise, :status, :message, :checks, :gradedAt, CASE WHEN :status = 'pass' THEN :gradedAt END)
         ON CONFLICT (learner_id, exercise_id) DO UPDATE SET
           status = excluded.status, message = excluded.message, checks = excluded.checks, graded_at = excluded.graded_at,
           first_passed_at = COALESCE(checkpoint_verdicts.first_passed_at, excluded.first_passed_at)`,
      )
      .run({
        learner: learnerId,
        exercise: verdict.exerciseId,
        status: verdict.status,
        message: verdict.message,
        checks: JSON.stringify(verdict.checks),
        gradedAt: verdict.gradedAt,
      });
  }

  /** The learner's latest verdict for every exercise they have checked. */
  verdictsOf(learnerId: string): StoredVerdict[] {
    const rows = this.#db
      .prepare(`SELECT * FROM checkpoint_verdicts WHERE learner_id = ? ORDER BY exercise_id`)
      .all(learnerId) as unknown as VerdictRow[];
    return rows.map((row) => ({
      exerciseId: row.exercise_id,
      status: row.status,
      message: row.message,
      checks: JSON.parse(row.checks) as CheckResult[],
      gradedAt: row.graded_at,
      firstPassedAt: row.first_passed_at,
    }));
  }

  close(): void {
    this.#db.close();
  }
}
