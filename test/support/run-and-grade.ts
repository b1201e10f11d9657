// Runs a program of an exercise as a learner would and grades the exercise's checkpoint meanwhile,
// for tests that run programs in any language (TypeScript's main.ts, Python's main.py, Flink's main.sql).
import { gradeWhileRunning } from "./graded-run.ts";
import type { LearnerClient, RunOutput } from "./sandbox-client.ts";

export interface Verdict {
  status: "pass" | "fail" | "error";
  message: string;
}

export const grade = (learner: LearnerClient, id: string): Promise<Verdict> => learner.grade(id);

/**
 * Runs `code` (as `entry`) for the exercise and grades it: as soon as the checkpoint passes (a consumer
 * may run until stopped), or once the program has ended, or after `patienceMs`. Stops the run either way.
 */
export async function runAndGrade(
  learner: LearnerClient,
  id: string,
  code: string,
  options: { entry?: string; patienceMs: number },
): Promise<{ verdict: Verdict; output: string; terminal: RunOutput }> {
  const run = await learner.startRun(id, code, options.entry);
  const passed = (verdict: Verdict) => verdict.status === "pass";
  const watched = await gradeWhileRunning(learner, id, run.eventsUrl, passed, Date.now() + options.patienceMs);
  if (!watched.ended) await learner.request("DELETE", `/api/runs/${run.id}`);
  const terminal = await watched.terminal;
  // Graded once more after the end, so a program's last writes count.
  const verdict: Verdict = watched.verdict.status === "pass" ? watched.verdict : await grade(learner, id);
  return { verdict, output: terminal.stdout + terminal.stderr + terminal.exit.message, terminal };
}
