// What is kept of a run once it started: enough for a Check to know which run it judges, which records
// that run wrote (the marks), and how it ended.
import type { Language } from "../contract/languages.ts";
import type { ExitReason } from "../contract/run-events.ts";
import type { RunMarks } from "../kafka/index.ts";

export interface RunRecord {
  id: string;
  exerciseId: string;
  language: Language;
  startedAt: string;
  /** The program began to run: it compiled and its process started. */
  launched: boolean;
  /** It started with the exercise's topics and groups made anew. */
  freshSlate: boolean;
  /** Where the exercise's own topics ended when it started. */
  marks: RunMarks;
  endedAt?: string;
  outcome?: ExitReason;
  exitCode?: number | null;
}

/** A learner's latest attempt at an exercise, and the latest of their runs that got to run. */
export interface ExerciseRuns {
  attempted?: RunRecord;
  ran?: RunRecord;
}
