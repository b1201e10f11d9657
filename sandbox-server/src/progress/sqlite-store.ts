// The embedded progress store: one SQLite file (WAL mode), so a reload, or a restarted server, shows
// each learner's verdicts and knows their latest runs again.
import { DatabaseSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { CheckResult, Verdict } from "../grading/index.ts";
import type { ExerciseRuns, RunRecord } from "../runs/run-record.ts";
import type { ProgressStore, StoreHealth, StoredVerdict } from "./progress-store.ts";

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
  CREATE TABLE IF NOT EXISTS exercise_runs (
    learner_id  TEXT NOT NULL,
    exercise_id TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('attempted', 'ran')),
    started_at  TEXT NOT NULL,
    record      TEXT NOT NULL,
    PRIMARY KEY (learner_id, exercise_id, kind)
  ) STRICT;
`;

export class SqliteProgressStore implements ProgressStore {
  #db: DatabaseSync;

  /** Opens (creating if needed) the database at `file`; ":memory:" for a throwaway store. */
  constructor(file: string) {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    this.#db = new DatabaseSync(file);
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
    this.#db.exec(SCHEMA);
  }

  async recordVerdict(learnerId: string, verdict: Verdict): Promise<void> {
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

  async verdictsOf(learnerId: string): Promise<StoredVerdict[]> {
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

  async recordRun(learnerId: string, run: RunRecord): Promise<void> {
    const upsert = this.#db.prepare(
      `INSERT INTO exercise_runs (learner_id, exercise_id, kind, started_at, record) VALUES (:learner, :exercise, :kind, :startedAt, :record)
       ON CONFLICT (learner_id, exercise_id, kind) DO UPDATE SET started_at = excluded.started_at, record = excluded.record
       WHERE excluded.started_at >= exercise_runs.started_at`,
    );
    const row = { learner: learnerId, exercise: run.exerciseId, startedAt: run.startedAt, record: JSON.stringify(run) };
    upsert.run({ ...row, kind: "attempted" });
    if (run.launched) upsert.run({ ...row, kind: "ran" });
  }

  async runsOf(learnerId: string, exerciseId: string): Promise<ExerciseRuns> {
    const rows = this.#db
      .prepare(`SELECT kind, record FROM exercise_runs WHERE learner_id = ? AND exercise_id = ?`)
      .all(learnerId, exerciseId) as unknown as { kind: "attempted" | "ran"; record: string }[];
    return Object.fromEntries(rows.map((row) => [row.kind, JSON.parse(row.record) as RunRecord]));
  }

  async forgetRuns(learnerId: string, exerciseId: string): Promise<void> {
    this.#db.prepare(`DELETE FROM exercise_runs WHERE learner_id = ? AND exercise_id = ?`).run(learnerId, exerciseId);
  }

  async health(): Promise<StoreHealth> {
    try {
      // A write that leaves nothing behind: the file and its folder take writes, and the schema is there.
      this.#db.exec("BEGIN; DELETE FROM exercise_runs WHERE learner_id = ''; ROLLBACK;");
      this.#db.prepare("SELECT count(*) FROM checkpoint_verdicts WHERE learner_id = ''").get();
      return { ok: true, store: "sqlite" };
    } catch (error) {
      return { ok: false, store: "sqlite", error: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
