// Chooses the progress store the settings name: PostgreSQL when TRIBUTARY_DATABASE_URL is set (servers of
// a school share it), the embedded SQLite file otherwise.
import type { ProgressSettings } from "../config.ts";
import { PostgresProgressStore } from "./postgres-store.ts";
import type { ProgressStore } from "./progress-store.ts";
import { SqliteProgressStore } from "./sqlite-store.ts";

/** Opens, checks and migrates the configured store; a store that cannot be used is a ConfigError naming its setting. */
export async function openProgressStore(settings: ProgressSettings): Promise<ProgressStore> {
  if (settings.postgres) return PostgresProgressStore.open(settings.postgres);
  return new SqliteProgressStore(settings.databasePath);
}
