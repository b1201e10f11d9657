// progress/: what each learner has passed and their latest runs, behind one async interface.
export type { ProgressStore, StoredVerdict, StoreHealth } from "./progress-store.ts";
export { SqliteProgressStore } from "./sqlite-store.ts";
