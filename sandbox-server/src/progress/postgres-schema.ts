// The PostgreSQL store's schema, as numbered migrations run at start. They run in one transaction that
// first takes an advisory lock, so servers starting at once wait for each other and each migration is
// applied once; `tributary_schema_versions` records which have run.
import type pg from "pg";

interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "verdicts, runs, principals' use and the health probe",
    sql: `
      CREATE TABLE checkpoint_verdicts (
        learner_id      text NOT NULL,
        exercise_id     text NOT NULL,
        status          text NOT NULL CHECK (status IN ('pass', 'fail')),
        message         text NOT NULL,
        checks          jsonb NOT NULL,
        graded_at       timestamptz NOT NULL,
        first_passed_at timestamptz,
        PRIMARY KEY (learner_id, exercise_id)
      );
      CREATE TABLE exercise_runs (
        learner_id  text NOT NULL,
        exercise_id text NOT NULL,
        kind        text NOT NULL CHECK (kind IN ('attempted', 'ran')),
        started_at  timestamptz NOT NULL,
        record      jsonb NOT NULL,
        PRIMARY KEY (learner_id, exercise_id, kind)
      );
      CREATE TABLE store_probe (
        id         smallint PRIMARY KEY CHECK (id = 1),
        checked_at timestamptz NOT NULL
      );
      CREATE TABLE principal_use (
        principal text PRIMARY KEY,
        used_at   timestamptz NOT NULL
      );`,
  },
];

/** The schema version this server writes. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** One key for every Tributary server's migrations, whatever else shares the database. */
const MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(hashtext('tributary.progress.migrations'))";

/** Brings the database to POSTGRES_SCHEMA_VERSION; returns the versions this call applied. */
export async function migratePostgres(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query("BEGIN");
    await client.query(MIGRATION_LOCK);
    await client.query(
      `CREATE TABLE IF NOT EXISTS tributary_schema_versions (
         version    integer PRIMARY KEY,
         name       text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>("SELECT version FROM tributary_schema_versions");
    const applied = new Set(rows.map((row) => row.version));
    const newest = Math.max(0, ...applied);
    if (newest > POSTGRES_SCHEMA_VERSION) {
      throw new Error(`the database has schema version ${newest}, newer than this server's ${POSTGRES_SCHEMA_VERSION}: a newer Tributary wrote it`);
    }
    const pending = MIGRATIONS.filter((migration) => !applied.has(migration.version));
    for (const migration of pending) {
      await client.query(migration.sql);
      await client.query("INSERT INTO tributary_schema_versions (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
    }
    await client.query("COMMIT");
    return pending.map((migration) => migration.version);
  } catch (error) {
    failure = error as Error;
    await client.query("ROLLBACK").catch(() => {
      // The connection itself failed: the server rolls the transaction back when it notices.
    });
    throw error;
  } finally {
    // A connection that failed is closed, not handed to the next query.
    client.release(failure);
  }
}
