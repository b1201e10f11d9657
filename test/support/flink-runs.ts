// Running a learner's Flink SQL through the API and grading it, for the Flink tests.
import { runAndGrade, type Verdict } from "./run-and-grade.ts";
import type { LearnerClient, RunOutput } from "./sandbox-client.ts";

export { grade, type Verdict } from "./run-and-grade.ts";

/** Runs `sql` for the exercise and grades it as `runAndGrade` does; `output` is the whole terminal. */
export async function runSqlAndGrade(
  learner: LearnerClient,
  id: string,
  sql: string,
  patienceMs: number,
): Promise<{ verdict: Verdict; output: RunOutput }> {
  const { verdict, terminal } = await runAndGrade(learner, id, sql, { entry: "main.sql", patienceMs });
  return { verdict, output: terminal };
}

/** Runs `sql` until it ends (or `patienceMs`), and returns what the terminal showed. */
export async function runSql(learner: LearnerClient, id: string, sql: string, until?: (output: RunOutput) => boolean): Promise<RunOutput> {
  const run = await learner.startRun(id, sql, "main.sql");
  return learner.readRun(run.eventsUrl, until);
}

export const terminalText = (output: RunOutput) => output.stdout + output.stderr + (output.exit?.message ?? "");
