// progress/: what each learner has passed, kept in SQLite.
export { ProgressStore, type StoredVerdict } from "./progress-store.ts";
