// Running a learner's Flink SQL through the API and grading it, for the Flink tests.
import type { LearnerClient, RunOutput } from "./sandbox-client.ts";

export interface Verdict {
  status: "pass" | "fail" | "error";
  message: string;
}

export const grade = async (learner: LearnerClient, id: string) => (await learner.json<Verdict>("POST", `/api/exercises/${id}/grade`)).body;

/**
 * Runs `sql` for the exercise and grades it as soon as the checkpoint passes (a continuous query runs
 * until stopped), or once the run has ended, or after `patienceMs`; then stops the run.
 */
export async function runSqlAndGrade(
  learner: LearnerClient,
  id: string,
  sql: string,
  patienceMs: number,
): Promise<{ verdict: Verdict; output: RunOutput }> {
  const run = await learner.startRun(id, sql, "main.sql");
  let ended = false;
  const reading = learner.readRun(run.eventsUrl).then((out) => ((ended = true), out));
  const deadline = Date.now() + patienceMs;
  let verdict = await grade(learner, id);
  while (verdict.status !== "pass" && !ended && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    verdict = await grade(learner, id);
  }
  if (!ended) await learner.request("DELETE", `/api/runs/${run.id}`);
  const output = await reading;
  if (verdict.status !== "pass") verdict = await grade(learner, id);
  return { verdict, output };
}

/** Runs `sql` until it ends (or `patienceMs`), and returns what the terminal showed. */
export async function runSql(learner: LearnerClient, id: string, sql: string, until?: (output: RunOutput) => boolean): Promise<RunOutput> {
  const run = await learner.startRun(id, sql, "main.sql");
  return learner.readRun(run.eventsUrl, until);
}

export const terminalText = (output: RunOutput) => output.stdout + output.stderr + (output.exit?.message ?? "");
