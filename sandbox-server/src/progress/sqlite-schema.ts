// The SQLite store's schema, as numbered migrations. The file's `user_version` says how many have run;
// they run at open inside one write transaction, so two servers opening one file at once apply each once.
import type { DatabaseSync } from "node:sqlite";

interface Migration {
  version: number;
  sql: string;
}

const MIGRATIONS: Migration[] = [
  {
    // Files from before versioning (user_version 0) already hold these tables: hence IF NOT EXISTS.
    version: 1,
    sql: `
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
      ) STRICT;`,
  },
  {
    // Health writes and reads one row of store_probe: a store that cannot write it cannot keep a verdict either.
    // principal_use says when each learner's Kafka principal was last used, so an idle sweep spares those in use.
    version: 2,
    sql: `
      CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at TEXT NOT NULL) STRICT;
      CREATE TABLE principal_use (principal TEXT PRIMARY KEY, used_at TEXT NOT NULL) STRICT;`,
  },
];

/** The schema version this server writes. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** Brings the database to SQLITE_SCHEMA_VERSION; refuses a file a newer server has migrated further. */
export function migrateSqlite(db: DatabaseSync, file: string): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    const { user_version: current } = db.prepare("PRAGMA user_version").get() as { user_version: number };
    if (current > SQLITE_SCHEMA_VERSION) {
      throw new Error(
        `${file} has schema version ${current}, newer than this server's ${SQLITE_SCHEMA_VERSION}: a newer Tributary wrote it. Run that version, or point TRIBUTARY_DB at another file.`,
      );
    }
    for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
    }
    db.exec("COMMIT");
  } catch (error) {
    rollBack(db);
    throw error;
  }
}

/** Ends a failed transaction; SQLite has already rolled back after some failures (a full disk), leaving nothing to undo. */
export function rollBack(db: DatabaseSync): void {
  try {
    db.exec("ROLLBACK");
  } catch {
    // "no transaction is active": the failure itself ended it, which is what a rollback was for.
  }
}
