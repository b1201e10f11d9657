// progress/: what each learner has passed and their latest runs, behind one async interface, kept in
// an embedded SQLite file or in a PostgreSQL database the servers of a school share.
export type { ProgressStore, StoredVerdict, StoreHealth } from "./progress-store.ts";
export { ProgressNotRead, ProgressNotSaved, ProgressStoreFault, type ProgressFaultCode } from "./store-faults.ts";
export { SqliteProgressStore } from "./sqlite-store.ts";
export { PostgresProgressStore, describeDatabase } from "./postgres-store.ts";
export { openProgressStore } from "./open-store.ts";
