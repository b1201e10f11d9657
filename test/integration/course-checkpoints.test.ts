// Keeps the course honest: for every exercise in content/, against the real broker and through the
// API as a learner would:
// - the solution passes its checkpoint, and passes again when run a second time;
// - the untouched starter fails for the reason the exercise names (exercise.json's starterFailsWith),
//   and the solution run after it still passes: no dead ends;
// - every wrong/<mistake>.ts fails, with a verdict naming its mistake (its "The checkpoint says:" line).
// A checkpoint that a wrong program passes is a broken checkpoint.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { courseExercises, exerciseFile, type LearnerClient } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { runAndGrade } from "../support/run-and-grade.ts";

const kafka = inject("kafkaAccess");
// Flink SQL exercises run on Flink: test/integration/flink-exercises.test.ts covers them.
const exercises = [...(await courseExercises()).values()].filter((exercise) => exercise.language !== "sql");
let sandbox: TestServer;

/** A new learner who has done the exercises this one comes after, with their solutions. */
async function learnerReadyFor(id: string): Promise<LearnerClient> {
  const learner = sandbox.learner();
  const exercise = (await courseExercises()).get(id)!;
  for (const before of exercise.after) {
    const { verdict, output } = await runAndGrade(learner, before, await exerciseFile(before, "solution"), { patienceMs: 30_000 });
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

describe.each(exercises.map((e) => [e.id, e] as const))("exercise %s", (id, exercise) => {
  it("passes with the solution, and again when the solution runs a second time", { timeout: 150_000 }, async () => {
    const learner = await learnerReadyFor(id);
    const solution = await exerciseFile(id, "solution");
    for (const attempt of ["first", "second"]) {
      const { verdict, output } = await runAndGrade(learner, id, solution, { patienceMs: 45_000 });
      expect(verdict.status, `${attempt} run: ${verdict.message}\n--- program output ---\n${output}`).toBe("pass");
    }
  });

  it("fails with the untouched starter for the reason the exercise names, then passes with the solution", { timeout: 150_000 }, async () => {
    expect(exercise.starterFailsWith, `${id}'s exercise.json has no starterFailsWith`).toBeTruthy();
    const learner = await learnerReadyFor(id);
    const starter = await runAndGrade(learner, id, await exerciseFile(id, "starter"), { patienceMs: 20_000 });
    expect(starter.verdict.status, `the starter passed: ${starter.verdict.message}\n${starter.output}`).toBe("fail");
    expect(starter.verdict.message).toContain(exercise.starterFailsWith);
    const { verdict, output } = await runAndGrade(learner, id, await exerciseFile(id, "solution"), { patienceMs: 45_000 });
    expect(verdict.status, `the solution after the starter: ${verdict.message}\n--- program output ---\n${output}`).toBe("pass");
  });

  const wrongInTypeScript = exercise.wrong.filter((w) => w.language === "typescript");
  it("has at least two wrong programs", () => {
    expect(wrongInTypeScript.length).toBeGreaterThanOrEqual(2);
  });

  it.each(wrongInTypeScript.map((w) => [w.name, w] as const))("fails wrong/%s.ts, naming its mistake", { timeout: 120_000 }, async (_name, wrong) => {
    expect(wrong.verdictSays, `wrong/${wrong.name}.ts has no "// The checkpoint says:" line`).toBeTruthy();
    const learner = await learnerReadyFor(id);
    const { verdict, output } = await runAndGrade(learner, id, wrong.code, { patienceMs: 20_000 });
    expect(verdict.status, `${wrong.mistake} — yet it passed.\n${output}`).toBe("fail");
    expect(verdict.message, `${wrong.mistake}\n${output}`).toContain(wrong.verdictSays);
  });
});

// No dead ends: whatever a learner ran before (every plausible mistake, the starter and the solution in
// two tabs at once), running the solution once more passes.
describe.each(["first-consumer", "two-targets", "manual-commit", "keys-and-ordering", "surge-pricing"])("no dead ends in %s", (id) => {
  it("passes with the solution after every wrong program, then the starter and the solution in two tabs at once", { timeout: 300_000 }, async () => {
    const exercise = (await courseExercises()).get(id)!;
    const learner = await learnerReadyFor(id);
    for (const wrong of exercise.wrong.filter((w) => w.language === "typescript")) await runAndGrade(learner, id, wrong.code, { patienceMs: 15_000 });
    await Promise.all([
      runAndGrade(learner, id, await exerciseFile(id, "starter"), { patienceMs: 20_000 }),
      runAndGrade(learner, id, await exerciseFile(id, "solution"), { patienceMs: 20_000 }),
    ]);
    const { verdict, output } = await runAndGrade(learner, id, await exerciseFile(id, "solution"), { patienceMs: 45_000 });
    expect(verdict.status, `${verdict.message}\n--- program output ---\n${output}`).toBe("pass");
  });
});
