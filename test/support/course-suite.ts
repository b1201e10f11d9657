// The course, live, in one language. For every exercise offered in it: the untouched starter fails for the
// reason its exercise names, and the solution then passes; one of its wrong programs fails, naming its mistake;
// where records stay from run to run, the solution passes again after each. And every solution passes in
// course order, then in reverse, on one learner. Every wrong program is also graded on a recording of a real run
// in test/unit/recorded-wrong-programs.test.ts; the sample here keeps those recordings honest.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { entryFile, type Language } from "../../sandbox-server/src/contract/languages.ts";
import { courseExercises } from "./sandbox-client.ts";
import { startTestServer, type TestServer } from "./test-server.ts";
import { attempt, courseOrder, failsWith, inLanguage, learnerReadyFor, onCourseBrokers, solve } from "./course-attempts.ts";

/** One wrong program of each exercise runs live, the same one every time. */
const sampleIndex = (id: string, count: number) => createHash("sha256").update(id).digest()[0]! % count;

export interface CourseSuiteOptions {
  /** Exercises side by side (each test has a learner of its own). */
  concurrent: boolean;
  /** This file's share of the exercises, [which, of how many], so a long course can run as several files side by side. */
  shard?: [number, number];
  /** Whether this file runs each exercise's starter, solution and sampled wrong program (true unless said). */
  perExercise?: boolean;
  /**
   * Whether this file runs the whole course on one learner, in order and then in reverse (unless said; once per
   * language), in reverse only (where another file already runs it in order), or not at all.
   */
  courseOrder?: "forward and reverse" | "reverse" | false;
}

export async function courseSuite(language: Language, options: CourseSuiteOptions): Promise<void> {
  const kafka = inject("kafkaAccess");
  const catalog = await courseExercises();
  const offered = courseOrder(catalog).filter((exercise) => exercise.languages.includes(language) && onCourseBrokers(exercise));
  const [shard, shards] = options.shard ?? [0, 1];
  const exercises = options.perExercise === false ? [] : offered.filter((_, i) => i % shards === shard);
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(kafka);
  });

  afterAll(async () => {
    await server?.close();
  });

  const each = options.concurrent ? describe.concurrent.each(exercises) : describe.each(exercises);
  if (exercises.length > 0)
    each("$id", (exercise) => {
      const entry = entryFile(language);
      // As the page does: opening a SQL exercise asks the server to have a Flink runner waiting.
      const ready = async () => {
        const learner = await learnerReadyFor(() => server.learner(), catalog, exercise, language);
        if (language === "sql") await learner.request("GET", `/api/exercises/${exercise.id}`);
        return learner;
      };

      // A solution run after the solution or a wrong program proves the slate is clean after their records,
      // where they stay; an exercise whose every run starts on topics made anew has nothing left to prove it on
      // (its starter, then its solution, shows the fresh slate).
      const twice = !exercise.freshEachRun;
      it(`fails with the untouched starter for the reason its exercise names, then passes with the solution${twice ? " twice in a row" : ""}`, {
        timeout: 400_000,
      }, async () => {
        expect(exercise.starterFailsWith, `${exercise.id}'s exercise.json has no starterFailsWith`).toBeTruthy();
        const learner = await ready();
        const starter = await attempt(learner, exercise.id, exercise.code[language]!.starter, entry, failsWith(exercise.starterFailsWith!));
        expect(starter.verdict.status, `the ${language} starter passed: ${starter.verdict.message}\n${starter.output}`).toBe("fail");
        expect(starter.verdict.message, starter.output).toContain(exercise.starterFailsWith);
        await solve(learner, exercise, language, "the starter");
        if (twice) await solve(learner, exercise, language, "the solution");
      });

      const wrong = exercise.wrong.filter((program) => program.language === language);
      const sample = wrong[sampleIndex(exercise.id, wrong.length)];
      it(`fails with wrong/${sample?.file}, naming its mistake${twice ? ", then passes with the solution" : ""}`, { timeout: 400_000 }, async () => {
        expect(sample?.verdictSays, `${exercise.id} has no wrong program in ${language} that says what its verdict says`).toBeTruthy();
        const learner = await ready();
        const { verdict, output } = await attempt(learner, exercise.id, sample!.code, entry, failsWith(sample!.verdictSays!));
        expect(verdict.status, `${sample!.mistake} — yet it passed.\n${output}`).toBe("fail");
        expect(verdict.message, `${sample!.mistake}\n${output}`).toContain(sample!.verdictSays);
        if (twice) await solve(learner, exercise, language, `wrong/${sample!.file}`);
      });
    });

  const courseOrderRun = options.courseOrder ?? "forward and reverse";
  if (courseOrderRun === false) return;
  const title =
    courseOrderRun === "reverse"
      ? "passes every exercise's solution in reverse course order, on one learner"
      : "passes every exercise's solution in course order, then in reverse, on one learner";
  it(title, { timeout: 1_800_000 }, async () => {
    const learner = server.learner();
    const inOrder = courseOrder(catalog).filter(
      (exercise) => onCourseBrokers(exercise) && (exercise.languages.includes(language) || exercise.after.length === 0),
    );
    const relevant = inOrder.filter((exercise) => offered.includes(exercise) || offered.some((mine) => mine.after.includes(exercise.id)));
    const opened = async (exercise: (typeof relevant)[number]) => {
      if (inLanguage(exercise, language) === "sql") await learner.request("GET", `/api/exercises/${exercise.id}`);
      return exercise;
    };
    // In reverse only, what an exercise builds on (its `after`) is done first, as a learner would have.
    const forward =
      courseOrderRun === "forward and reverse" ? relevant : relevant.filter((e) => relevant.some((later) => later.after.includes(e.id)));
    for (const exercise of forward)
      await solve(learner, await opened(exercise), inLanguage(exercise, language), "the exercises before it in the course");
    for (const exercise of [...relevant].reverse())
      await solve(learner, await opened(exercise), inLanguage(exercise, language), "the exercises after it in the course");
  });
}
