// A run a test watches the way a learner with a finger on Check would: graded soon after the program prints
// something, and about once a second while it is quiet, until the verdict is what the test awaits or the
// program has ended. A Check reads the learner's Kafka and runs a grader, so grading on a fixed fast beat would
// spend the machine on Checks that cannot have changed.
import type { Verdict } from "../../sandbox-server/src/contract/index.ts";
import type { LearnerClient, RunOutput } from "./sandbox-client.ts";

/** The soonest a Check follows new output, and the longest a quiet program goes without one. */
const AFTER_OUTPUT_MS = 250;
const WHEN_QUIET_MS = 1000;
/** How often the loop looks whether the program printed or ended: a local look, no request. */
const LOOK_EVERY_MS = 50;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface GradedRun {
  /** The verdict of the last Check made while the program ran (after the first). */
  verdict: Verdict;
  /** Whether the program ended by itself before the test stopped waiting. */
  ended: boolean;
  /** What the terminal showed; resolves once the run's exit event arrives (stop the run first if it still runs). */
  terminal: Promise<RunOutput>;
}

/**
 * Starts nothing: follows the run whose events are at `eventsUrl` and grades `id` until `awaited` holds, the
 * run ends or `deadline` (a Date.now() time) passes.
 */
export async function gradeWhileRunning(
  learner: LearnerClient,
  id: string,
  eventsUrl: string,
  awaited: (verdict: Verdict) => boolean,
  deadline: number,
): Promise<GradedRun> {
  let ended = false;
  let printed = 0;
  const terminal = learner.readRun(eventsUrl, (output) => ((printed = output.events.length), false)).then((output) => ((ended = true), output));
  let verdict = await learner.grade(id);
  let gradedAt = Date.now();
  let gradedPrinted = printed;
  while (!awaited(verdict) && !ended && Date.now() < deadline) {
    await pause(LOOK_EVERY_MS);
    const since = Date.now() - gradedAt;
    if (!ended && !(since >= WHEN_QUIET_MS || (since >= AFTER_OUTPUT_MS && printed !== gradedPrinted))) continue;
    gradedPrinted = printed;
    gradedAt = Date.now();
    verdict = await learner.grade(id);
  }
  return { verdict, ended, terminal };
}
