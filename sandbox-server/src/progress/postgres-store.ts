// The progress store several servers of a school share: one PostgreSQL database, reached through a pool
// of connections (node-postgres). It keeps what the SQLite store keeps, with the same rules: a record of
// an older run never replaces a newer one, and a learner's first pass is kept. Every failure of a query
// is a ProgressStoreFault; a database that cannot be used at start is refused, naming TRIBUTARY_DATABASE_URL.
import pg from "pg";
import { ConfigError, type PostgresSettings } from "../config.ts";
import type { CheckResult, Verdict } from "../grading/index.ts";
import { log } from "../log.ts";
import type { ExerciseRuns, RunRecord } from "../runs/run-record.ts";
import { migratePostgres } from "./postgres-schema.ts";
import type { ProgressStore, StoreHealth, StoredVerdict } from "./progress-store.ts";
import { ProgressNotRead, ProgressNotSaved, faultReason } from "./store-faults.ts";

/** A query that has not answered in this long fails, so a stuck database fails a Check instead of hanging it. */
const QUERY_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** Health answers within this long even when the database does not. */
const HEALTH_TIMEOUT_MS = 3_000;

interface VerdictRow {
  exercise_id: string;
  status: "pass" | "fail";
  message: string;
  checks: CheckResult[];
  graded_at: Date;
  first_passed_at: Date | null;
}

/** Where the database is, for messages and health: host:port/database, never the password. */
export function describeDatabase(url: string): string {
  const parsed = new URL(url);
  const host = parsed.hostname || new URLSearchParams(parsed.search).get("host") || "the local socket";
  return `${host}:${parsed.port || 5432}${decodeURIComponent(parsed.pathname)}`;
}

export class PostgresProgressStore implements ProgressStore {
  readonly #pool: pg.Pool;
  readonly #location: string;

  private constructor(pool: pg.Pool, location: string) {
    this.#pool = pool;
    this.#location = location;
  }

  /** Connects and runs the migrations; a database that cannot be used is a ConfigError naming TRIBUTARY_DATABASE_URL. */
  static async open(settings: PostgresSettings): Promise<PostgresProgressStore> {
    const location = describeDatabase(settings.url);
    const pool = new pg.Pool({
      connectionString: settings.url,
      max: settings.poolSize,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      application_name: "tributary",
      // Idle connections do not keep a process alive that is otherwise done (a server that failed to start).
      allowExitOnIdle: true,
    });
    // An idle connection that breaks (the database restarted) must not end the server; the next query opens another.
    pool.on("error", (error) => log.warn({ err: error.message }, `progress store (PostgreSQL at ${location}): an idle connection failed`));
    try {
      const applied = await migratePostgres(pool);
      if (applied.length > 0) log.info({ versions: applied }, `progress store (PostgreSQL at ${location}): schema migrated`);
    } catch (error) {
      await pool.end().catch(() => {
        // The pool never held a working connection; there is nothing to close cleanly.
      });
      throw new ConfigError(
        "TRIBUTARY_DATABASE_URL",
        `TRIBUTARY_DATABASE_URL: cannot keep progress in PostgreSQL at ${location} (${faultReason(error)}). Start the database, or correct TRIBUTARY_DATABASE_URL (unset it for the embedded SQLite store).`,
      );
    }
    return new PostgresProgressStore(pool, location);
  }

  async recordVerdict(learnerId: string, verdict: Verdict): Promise<void> {
    if (verdict.status === "error") throw new Error("An ungraded (error) verdict is not progress; it is not stored.");
    await this.#write(
      "save a verdict",
      `INSERT INTO checkpoint_verdicts AS stored (learner_id, exercise_id, status, message, checks, graded_at, first_passed_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::timestamptz, CASE WHEN $3 = 'pass' THEN $6::timestamptz END)
       ON CONFLICT (learner_id, exercise_id) DO UPDATE SET
         status = excluded.status, message = excluded.message, checks = excluded.checks, graded_at = excluded.graded_at,
         first_passed_at = COALESCE(stored.first_passed_at, excluded.first_passed_at)`,
      [learnerId, verdict.exerciseId, verdict.status, verdict.message, JSON.stringify(verdict.checks), verdict.gradedAt],
    );
  }

  async verdictsOf(learnerId: string): Promise<StoredVerdict[]> {
    // Ordered as SQLite orders them: by code point, whatever the database's collation.
    const rows = await this.#read<VerdictRow>(
      "read a learner's verdicts",
      `SELECT exercise_id, status, message, checks, graded_at, first_passed_at FROM checkpoint_verdicts
       WHERE learner_id = $1 ORDER BY exercise_id COLLATE "C"`,
      [learnerId],
    );
    return rows.map((row) => ({
      exerciseId: row.exercise_id,
      status: row.status,
      message: row.message,
      checks: row.checks,
      gradedAt: row.graded_at.toISOString(),
      firstPassedAt: row.first_passed_at?.toISOString() ?? null,
    }));
  }

  async recordRun(learnerId: string, run: RunRecord): Promise<void> {
    // One statement for both rows: they are written together or not at all.
    const kinds = run.launched ? ["attempted", "ran"] : ["attempted"];
    const rows = kinds.map((_, i) => `($1, $2, $${i + 5}, $3::timestamptz, $4::jsonb)`).join(", ");
    await this.#write(
      "save a run's record",
      `INSERT INTO exercise_runs AS stored (learner_id, exercise_id, kind, started_at, record) VALUES ${rows}
       ON CONFLICT (learner_id, exercise_id, kind) DO UPDATE SET started_at = excluded.started_at, record = excluded.record
       WHERE excluded.started_at >= stored.started_at`,
      [learnerId, run.exerciseId, run.startedAt, JSON.stringify(run), ...kinds],
    );
  }

  async runsOf(learnerId: string, exerciseId: string): Promise<ExerciseRuns> {
    const rows = await this.#read<{ kind: "attempted" | "ran"; record: RunRecord }>(
      "read a learner's runs",
      `SELECT kind, record FROM exercise_runs WHERE learner_id = $1 AND exercise_id = $2`,
      [learnerId, exerciseId],
    );
    return Object.fromEntries(rows.map((row) => [row.kind, row.record]));
  }

  async forgetRuns(learnerId: string, exerciseId: string): Promise<void> {
    await this.#write("forget a learner's runs", `DELETE FROM exercise_runs WHERE learner_id = $1 AND exercise_id = $2`, [learnerId, exerciseId]);
  }

  async notePrincipalUse(principal: string, at: Date): Promise<void> {
    await this.#write(
      "note a Kafka principal's use",
      `INSERT INTO principal_use AS stored (principal, used_at) VALUES ($1, $2)
       ON CONFLICT (principal) DO UPDATE SET used_at = GREATEST(stored.used_at, excluded.used_at)`,
      [principal, at],
    );
  }

  async lastPrincipalUse(principal: string): Promise<Date | undefined> {
    const [row] = await this.#read<{ used_at: Date }>("read a Kafka principal's last use", `SELECT used_at FROM principal_use WHERE principal = $1`, [
      principal,
    ]);
    return row?.used_at;
  }

  async health(): Promise<StoreHealth> {
    const base = { store: "postgres" as const };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS / 1000} s`)), HEALTH_TIMEOUT_MS);
    });
    try {
      const probe = this.#pool.query(
        `INSERT INTO store_probe (id, checked_at) VALUES (1, now())
         ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at RETURNING checked_at`,
      );
      // The probe may still fail after a timeout; that failure is already reported.
      probe.catch(() => {});
      await Promise.race([probe, late]);
      return { ...base, ok: true };
    } catch (error) {
      return { ...base, ok: false, error: `PostgreSQL at ${this.#location} cannot be written: ${faultReason(error)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #write(action: string, sql: string, values: unknown[]): Promise<void> {
    try {
      await this.#pool.query(sql, values);
    } catch (error) {
      throw new ProgressNotSaved(`PostgreSQL at ${this.#location}`, action, error);
    }
  }

  async #read<Row extends pg.QueryResultRow>(action: string, sql: string, values: unknown[]): Promise<Row[]> {
    try {
      return (await this.#pool.query<Row>(sql, values)).rows;
    } catch (error) {
      throw new ProgressNotRead(`PostgreSQL at ${this.#location}`, action, error);
    }
  }
}
