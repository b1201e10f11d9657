// The exercises of "Core concepts" and "In practice", live against the broker and through the API as a learner
// would, in every language each is offered in:
// - the untouched starter fails for the reason the exercise names, and the solution then passes;
// - every wrong program fails with the words its second line names, and the solution run after it passes;
// - the solution passes twice in a row;
// - on one learner, every solution passes with all the others of the two parts run before it, in order and then
//   in reverse;
// - surge pricing's solution passes right after its starter, both in the same 10-second window of the clock (the
//   window the generated requests are stamped in).
// Each program runs to its end before the Check, so a verdict judges what that run did. Learners who share nothing
// run at the same time.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { courseExercises, type LearnerClient } from "../support/sandbox-client.ts";
import { grade, type Verdict } from "../support/run-and-grade.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
const catalog = await courseExercises();
const PARTS = ["core-concepts/", "in-practice/"];
const exercises = [...catalog.values()].filter((e) => PARTS.some((part) => e.lesson.startsWith(part)));
const ENTRY = { typescript: "main.ts", python: "main.py" } as const;
type Language = keyof typeof ENTRY;
/** How long a Check is pressed again for the verdict a finished run should get. */
const SETTLING_MS = 5000;
let sandbox: TestServer;

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
});

afterAll(async () => {
  await sandbox?.close();
});

/**
 * Runs `code` to its end, then presses Check: the verdict judges that run. A broker shows a setting or a record a
 * moment after the program was told it is done, so Check is pressed again, for a few seconds, until the verdict
 * is the one `expected`.
 */
async function runThenCheck(
  learner: LearnerClient,
  id: string,
  code: string,
  language: Language,
  expected: Verdict["status"],
): Promise<{ verdict: Verdict; output: string; firstOutputAt: number }> {
  const { eventsUrl } = await learner.startRun(id, code, ENTRY[language]);
  let firstOutputAt = Number.NaN;
  const terminal = await learner.readRun(eventsUrl, (output) => {
    if (Number.isNaN(firstOutputAt) && output.stdout) firstOutputAt = Date.now();
    return false;
  });
  let verdict = await grade(learner, id);
  for (const deadline = Date.now() + SETTLING_MS; verdict.status !== expected && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    verdict = await grade(learner, id);
  }
  return { verdict, output: `${terminal.stdout}${terminal.stderr}${terminal.exit.message}`, firstOutputAt };
}

/** Runs the exercise's solution and expects it to pass, saying what ran before when it does not. */
async function solutionPasses(learner: LearnerClient, id: string, language: Language, after: string): Promise<{ firstOutputAt: number }> {
  const { verdict, output, firstOutputAt } = await runThenCheck(learner, id, catalog.get(id)!.code[language]!.solution, language, "pass");
  expect(verdict.status, `${id} in ${language}, the solution ${after}: ${verdict.message}\n--- program output ---\n${output}`).toBe("pass");
  return { firstOutputAt };
}

const offered = exercises.flatMap((e) => (Object.keys(ENTRY) as Language[]).filter((l) => e.languages.includes(l)).map((l) => [e.id, l] as const));

it("covers the six exercises of the two parts, with Python beside TypeScript in keys-and-ordering and manual-commit", () => {
  expect(exercises.map((e) => e.id).sort()).toEqual([
    "durable-topic",
    "keys-and-ordering",
    "manual-commit",
    "spam-signals",
    "surge-pricing",
    "watch-recommendations",
  ]);
  for (const id of ["keys-and-ordering", "manual-commit"]) expect(catalog.get(id)!.languages).toContain("python");
});

it("surge-pricing: the solution passes right after the starter, in the same 10-second window of the clock", { timeout: 120_000 }, async () => {
  const exercise = catalog.get("surge-pricing")!;
  const learner = sandbox.learner();
  const windowOf = (ms: number) => Math.floor(ms / 10_000);
  // Both programs stamp their requests with the 10-second window they run in, and print a line once they have sent
  // them. Start at a window's beginning, so both fit in it (a slow machine gets another try at the next window).
  // Alone, before the others load the machine.
  let shared = false;
  for (let attempt = 1; attempt <= 3 && !shared; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 10_000 - (Date.now() % 10_000) + 20));
    const window = windowOf(Date.now());
    const starter = await runThenCheck(learner, "surge-pricing", exercise.code.typescript!.starter, "typescript", "fail");
    expect(starter.verdict.status).toBe("fail");
    const { firstOutputAt } = await solutionPasses(learner, "surge-pricing", "typescript", "right after the starter");
    shared = windowOf(starter.firstOutputAt) === window && windowOf(firstOutputAt) === window;
  }
  expect(shared, "the starter and the solution never ran within one 10-second window").toBe(true);
});

describe.concurrent("whatever ran before, the solution passes", () => {
  it.each(offered)("%s in %s: after the starter, after each wrong program, and twice in a row", { timeout: 300_000 }, async (id, language) => {
    const exercise = catalog.get(id)!;
    const learner = sandbox.learner();
    const starter = await runThenCheck(learner, id, exercise.code[language]!.starter, language, "fail");
    expect(starter.verdict.status, `the starter passed: ${starter.verdict.message}\n${starter.output}`).toBe("fail");
    expect(starter.verdict.message).toContain(exercise.starterFailsWith);
    await solutionPasses(learner, id, language, "after the starter");
    const wrong = exercise.wrong.filter((w) => w.language === language);
    expect(wrong.length, `${id} needs at least two wrong programs in ${language}`).toBeGreaterThanOrEqual(2);
    for (const program of wrong) {
      const { verdict, output } = await runThenCheck(learner, id, program.code, language, "fail");
      expect(verdict.status, `wrong/${program.file}: ${program.mistake} — yet it passed.\n${output}`).toBe("fail");
      expect(verdict.message, `wrong/${program.file}: ${program.mistake}\n${output}`).toContain(program.verdictSays);
      await solutionPasses(learner, id, language, `after wrong/${program.file}`);
    }
    await solutionPasses(learner, id, language, "run again right after it passed");
  });

  it.each(["typescript", "python"] as const)(
    "one learner in %s: each solution passes after all the others ran, in order, then in reverse",
    { timeout: 300_000 },
    async (language) => {
      const learner = sandbox.learner();
      const ids = exercises.filter((e) => e.languages.includes(language)).map((e) => e.id);
      expect(ids.length).toBeGreaterThanOrEqual(2);
      for (const id of ids) await solutionPasses(learner, id, language, `after ${ids.slice(0, ids.indexOf(id)).join(", ") || "nothing"}`);
      for (const id of ids.toReversed()) await solutionPasses(learner, id, language, "after all the others, in reverse order");
    },
  );
});
