// Keeps the course honest: for every exercise in content/, against the real broker and through the
// API as a learner would, the solution passes its checkpoint and the untouched starter fails it.
// A checkpoint that the starter passes is a broken checkpoint.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { courseExercises, exerciseFile, type LearnerClient } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
// Flink SQL exercises run on Flink: test/integration/flink-exercises.test.ts covers them.
const exercises = [...(await courseExercises()).values()].filter((exercise) => exercise.language !== "sql");
let sandbox: TestServer;

interface Verdict {
  status: "pass" | "fail" | "error";
  message: string;
}
const grade = async (learner: LearnerClient, id: string) => (await learner.json<Verdict>("POST", `/api/exercises/${id}/grade`)).body;

/**
 * Runs `code` for the exercise and grades it: as soon as the checkpoint passes (a consumer may run
 * until stopped), or once the program has ended, or after `patienceMs`. Stops the run either way.
 */
async function runAndGrade(learner: LearnerClient, id: string, code: string, patienceMs: number): Promise<{ verdict: Verdict; output: string }> {
  const run = await learner.startRun(id, code);
  let ended = false;
  let output = "";
  const reading = learner.readRun(run.eventsUrl).then((out) => ((ended = true), (output = out.stdout + out.stderr + out.exit.message)));
  const deadline = Date.now() + patienceMs;
  let verdict = await grade(learner, id);
  while (verdict.status !== "pass" && !ended && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    verdict = await grade(learner, id);
  }
  if (!ended) await learner.request("DELETE", `/api/runs/${run.id}`);
  await reading;
  // Graded once more after the end, so a program's last writes count.
  if (verdict.status !== "pass") verdict = await grade(learner, id);
  return { verdict, output };
}

/** A new learner who has done the exercises this one comes after, with their solutions. */
async function learnerReadyFor(id: string): Promise<LearnerClient> {
  const learner = sandbox.learner();
  const exercise = (await courseExercises()).get(id)!;
  for (const before of exercise.after) {
    const { verdict, output } = await runAndGrade(learner, before, await exerciseFile(before, "solution"), 30_000);
    expect(verdict.status, `${before} (done before ${id}): ${verdict.message}\n${output}`).toBe("pass");
  }
  return learner;
}

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
});

afterAll(async () => {
  await sandbox?.close();
});

describe.each(exercises.map((e) => [e.id, e] as const))("exercise %s", (id) => {
  it("passes its checkpoint with the solution", { timeout: 90_000 }, async () => {
    const learner = await learnerReadyFor(id);
    const { verdict, output } = await runAndGrade(learner, id, await exerciseFile(id, "solution"), 45_000);
    expect(verdict.status, `${verdict.message}\n--- program output ---\n${output}`).toBe("pass");
  });

  it("fails its checkpoint with the untouched starter, saying why", { timeout: 90_000 }, async () => {
    const learner = await learnerReadyFor(id);
    const { verdict, output } = await runAndGrade(learner, id, await exerciseFile(id, "starter"), 20_000);
    expect(verdict.status, `the starter passed: ${verdict.message}\n${output}`).toBe("fail");
    expect(verdict.message.length).toBeGreaterThan(20);
  });
});
