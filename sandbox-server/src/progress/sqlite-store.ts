// The embedded progress store: one SQLite file (WAL mode), so a reload, or a restarted server, shows
// each learner's verdicts and knows their latest runs again. A file that is damaged or not a database
// is refused at open, naming it and TRIBUTARY_DB; a write or read that fails later is a ProgressStoreFault.
import { DatabaseSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import { statfs } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../config.ts";
import type { CheckResult, Verdict } from "../grading/index.ts";
import type { ExerciseRuns, RunRecord } from "../runs/run-record.ts";
import type { ProgressStore, StoreHealth, StoredVerdict } from "./progress-store.ts";
import { migrateSqlite, rollBack } from "./sqlite-schema.ts";
import { ProgressNotRead, ProgressNotSaved, faultReason } from "./store-faults.ts";

interface VerdictRow {
  exercise_id: string;
  status: "pass" | "fail";
  message: string;
  checks: string;
  graded_at: string;
  first_passed_at: string | null;
}

/** Less free space than this beside the file, and health says the store is about to fail. */
const LOW_SPACE_BYTES = 1024 * 1024;
/** SQLite's primary result codes for a damaged file, and for one that is not a database at all. */
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

const primaryCode = (error: unknown) => ((error as { errcode?: number }).errcode ?? 0) & 0xff;

/** Why a file cannot be the progress database: one line naming it and TRIBUTARY_DB. */
function refusal(file: string, error: unknown): ConfigError {
  const reason = faultReason(error);
  const code = primaryCode(error);
  const message =
    error instanceof DamagedDatabase || code === SQLITE_CORRUPT
      ? `the progress database ${file} is damaged (${reason}). Restore it from a backup, or move it away to start with no progress; or point TRIBUTARY_DB at another file.`
      : code === SQLITE_NOTADB
        ? `${file} is not a SQLite database (${reason}). Move it away to start with no progress, or point TRIBUTARY_DB at the progress database.`
        : `cannot open the progress database ${file} (${reason}). Point TRIBUTARY_DB (or TRIBUTARY_STATE_DIR) at a folder this user can write.`;
  return new ConfigError("TRIBUTARY_DB", `TRIBUTARY_DB: ${message}`);
}

class DamagedDatabase extends Error {}

/** Closes a database that is being refused; the refusal says what went wrong, not the close. */
function closeQuietly(db: DatabaseSync | undefined): void {
  try {
    db?.close();
  } catch {
    // Never opened, or already closed: nothing is held.
  }
}

/** Opens the file, checks its pages (quick_check) and brings its schema up to date; refuses it otherwise. */
function openChecked(file: string): DatabaseSync {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file);
    db.exec("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    const problems = (db.prepare("PRAGMA quick_check(3)").all() as { quick_check: string }[])
      .map((row) => row.quick_check)
      .filter((line) => line !== "ok");
    if (problems.length > 0) throw new DamagedDatabase(`quick_check: ${problems.join("; ")}`);
    migrateSqlite(db, file);
    return db;
  } catch (error) {
    closeQuietly(db);
    throw refusal(file, error);
  }
}

export class SqliteProgressStore implements ProgressStore {
  readonly #db: DatabaseSync;
  readonly #file: string;
  /** Set once an operation finds the file damaged: health says so until the file is restored and the server restarted. */
  #damage?: string;

  /** Opens (creating if needed) the database at `file`; ":memory:" for a throwaway store. Throws a ConfigError naming TRIBUTARY_DB. */
  constructor(file: string) {
    this.#file = file;
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    this.#db = openChecked(file);
  }

  async recordVerdict(learnerId: string, verdict: Verdict): Promise<void> {
    if (verdict.status === "error") throw new Error("An ungraded (error) verdict is not progress; it is not stored.");
    this.#write("save a verdict", () =>
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
        }),
    );
  }

  async verdictsOf(learnerId: string): Promise<StoredVerdict[]> {
    const rows = this.#read(
      "read a learner's verdicts",
      () => this.#db.prepare(`SELECT * FROM checkpoint_verdicts WHERE learner_id = ? ORDER BY exercise_id`).all(learnerId) as unknown as VerdictRow[],
    );
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
    this.#write("save a run's record", () => {
      const upsert = this.#db.prepare(
        `INSERT INTO exercise_runs (learner_id, exercise_id, kind, started_at, record) VALUES (:learner, :exercise, :kind, :startedAt, :record)
         ON CONFLICT (learner_id, exercise_id, kind) DO UPDATE SET started_at = excluded.started_at, record = excluded.record
         WHERE excluded.started_at >= exercise_runs.started_at`,
      );
      const row = { learner: learnerId, exercise: run.exerciseId, startedAt: run.startedAt, record: JSON.stringify(run) };
      this.#db.exec("BEGIN");
      try {
        upsert.run({ ...row, kind: "attempted" });
        if (run.launched) upsert.run({ ...row, kind: "ran" });
        this.#db.exec("COMMIT");
      } catch (error) {
        rollBack(this.#db);
        throw error;
      }
    });
  }

  async runsOf(learnerId: string, exerciseId: string): Promise<ExerciseRuns> {
    const rows = this.#read(
      "read a learner's runs",
      () =>
        this.#db.prepare(`SELECT kind, record FROM exercise_runs WHERE learner_id = ? AND exercise_id = ?`).all(learnerId, exerciseId) as unknown as {
          kind: "attempted" | "ran";
          record: string;
        }[],
    );
    return Object.fromEntries(rows.map((row) => [row.kind, JSON.parse(row.record) as RunRecord]));
  }

  async forgetRuns(learnerId: string, exerciseId: string): Promise<void> {
    this.#write("forget a learner's runs", () =>
      this.#db.prepare(`DELETE FROM exercise_runs WHERE learner_id = ? AND exercise_id = ?`).run(learnerId, exerciseId),
    );
  }

  async notePrincipalUse(principal: string, at: Date): Promise<void> {
    this.#write("note a Kafka principal's use", () =>
      this.#db
        .prepare(
          `INSERT INTO principal_use (principal, used_at) VALUES (?, ?)
           ON CONFLICT (principal) DO UPDATE SET used_at = max(used_at, excluded.used_at)`,
        )
        .run(principal, at.toISOString()),
    );
  }

  async lastPrincipalUse(principal: string): Promise<Date | undefined> {
    const row = this.#read(
      "read a Kafka principal's last use",
      () => this.#db.prepare(`SELECT used_at FROM principal_use WHERE principal = ?`).get(principal) as { used_at: string } | undefined,
    );
    return row ? new Date(row.used_at) : undefined;
  }

  async health(): Promise<StoreHealth> {
    const error = this.#damage ?? this.#probe() ?? (await this.#lowSpace());
    return { ok: error === undefined, store: "sqlite", ...(error === undefined ? {} : { error }) };
  }

  async close(): Promise<void> {
    closeQuietly(this.#db);
  }

  /** Writes and reads back the probe row; the reason when either fails. */
  #probe(): string | undefined {
    try {
      this.#db
        .prepare(`INSERT INTO store_probe (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`)
        .run(new Date().toISOString());
      this.#db.prepare(`SELECT checked_at FROM store_probe WHERE id = 1`).get();
      return undefined;
    } catch (error) {
      this.#noteDamage(error);
      return this.#damage ?? `${this.#file} cannot be written: ${faultReason(error)}`;
    }
  }

  /** Whether the file system holding the file is (nearly) full. */
  async #lowSpace(): Promise<string | undefined> {
    if (this.#file === ":memory:") return undefined;
    const folder = path.dirname(this.#file);
    try {
      const space = await statfs(folder);
      const free = space.bavail * space.bsize;
      if (free >= LOW_SPACE_BYTES) return undefined;
      return `only ${Math.floor(free / 1024)} KiB free in ${folder}, where the progress database lives: learners' results cannot be saved once it is full. Free some space there.`;
    } catch (error) {
      return `cannot read the free space of ${folder}: ${faultReason(error)}`;
    }
  }

  #noteDamage(error: unknown): void {
    const code = primaryCode(error);
    if (code !== SQLITE_CORRUPT && code !== SQLITE_NOTADB) return;
    this.#damage ??= `${this.#file} is damaged (${faultReason(error)}): restore it from a backup, or move it away, and restart the server`;
  }

  #write<T>(action: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      this.#noteDamage(error);
      throw new ProgressNotSaved(`SQLite ${this.#file}`, action, error);
    }
  }

  #read<T>(action: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      this.#noteDamage(error);
      throw new ProgressNotRead(`SQLite ${this.#file}`, action, error);
    }
  }
}
