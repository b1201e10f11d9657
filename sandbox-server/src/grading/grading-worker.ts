// Grades snapshots in a worker thread of the grading pool: the JSON parsing of records and the declarative
// checks run here, never on the server's main thread, so one learner's large records cannot stall another's page.
import { parentPort } from "node:worker_threads";
import { gradeSnapshot } from "./grade-checkpoint.ts";
import type { GradingJob, GradingAnswer } from "./grading-pool.ts";

parentPort!.on("message", async ({ id, exerciseId, spec, snapshot, context }: GradingJob) => {
  let answer: GradingAnswer;
  try {
    answer = { id, verdict: await gradeSnapshot(exerciseId, spec, snapshot, context) };
  } catch (error) {
    answer = { id, error: error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error) };
  }
  parentPort!.postMessage(answer);
});
