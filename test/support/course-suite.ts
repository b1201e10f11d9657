// The course, live, in one language: for every exercise offered in it, the untouched starter fails for the
// reason its exercise names and the solution then passes twice in a row; one of its wrong programs fails,
// naming its mistake, and the solution passes after it; and every solution passes in course order, then in
// reverse, on one learner. Every wrong program is also graded on a recording of a real run in
// test/unit/recorded-wrong-programs.test.ts; the sample here keeps those recordings honest.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { entryFile, type Language } from "../../sandbox-server/src/contract/languages.ts";
import { courseExercises } from "./sandbox-client.ts";
import { startTestServer, type TestServer } from "./test-server.ts";
import { attempt, courseOrder, failsWith, inLanguage, learnerReadyFor, solve } from "./course-attempts.ts";

/** One wrong program of each exercise runs live, the same one every time. */
const sampleIndex = (id: string, count: number) => createHash("sha256").update(id).digest()[0]! % count;

export async function courseSuite(language: Language, options: { concurrent: boolean }): Promise<void> {
  const kafka = inject("kafkaAccess");
  const catalog = await courseExercises();
  const exercises = courseOrder(catalog).filter((exercise) => exercise.languages.includes(language));
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(kafka);
  });

  afterAll(async () => {
    await server?.close();
  });

  const each = options.concurrent ? describe.concurrent.each(exercises) : describe.each(exercises);
  each("$id", (exercise) => {
    const entry = entryFile(language);
    const ready = () => learnerReadyFor(() => server.learner(), catalog, exercise, language);

    it("fails with the untouched starter for the reason its exercise names, then passes with the solution twice in a row", {
      timeout: 400_000,
    }, async () => {
      expect(exercise.starterFailsWith, `${exercise.id}'s exercise.json has no starterFailsWith`).toBeTruthy();
      const learner = await ready();
      const starter = await attempt(learner, exercise.id, exercise.code[language]!.starter, entry, failsWith(exercise.starterFailsWith!));
      expect(starter.verdict.status, `the ${language} starter passed: ${starter.verdict.message}\n${starter.output}`).toBe("fail");
      expect(starter.verdict.message, starter.output).toContain(exercise.starterFailsWith);
      await solve(learner, exercise, language, "the starter");
      await solve(learner, exercise, language, "the solution");
    });

    const wrong = exercise.wrong.filter((program) => program.language === language);
    const sample = wrong[sampleIndex(exercise.id, wrong.length)];
    it(`fails with wrong/${sample?.file}, naming its mistake, then passes with the solution`, { timeout: 400_000 }, async () => {
      expect(sample?.verdictSays, `${exercise.id} has no wrong program in ${language} that says what its verdict says`).toBeTruthy();
      const learner = await ready();
      const { verdict, output } = await attempt(learner, exercise.id, sample!.code, entry, failsWith(sample!.verdictSays!));
      expect(verdict.status, `${sample!.mistake} — yet it passed.\n${output}`).toBe("fail");
      expect(verdict.message, `${sample!.mistake}\n${output}`).toContain(sample!.verdictSays);
      await solve(learner, exercise, language, `wrong/${sample!.file}`);
    });
  });

  it("passes every exercise's solution in course order, then in reverse, on one learner", { timeout: 1_800_000 }, async () => {
    const learner = server.learner();
    const inOrder = courseOrder(catalog).filter((exercise) => exercise.languages.includes(language) || exercise.after.length === 0);
    const relevant = inOrder.filter((exercise) => exercises.includes(exercise) || exercises.some((mine) => mine.after.includes(exercise.id)));
    for (const exercise of relevant) await solve(learner, exercise, inLanguage(exercise, language), "the exercises before it in the course");
    for (const exercise of [...relevant].reverse())
      await solve(learner, exercise, inLanguage(exercise, language), "the exercises after it in the course");
  });
}
