// Runs the course's programs as a learner would, in any language, and waits for what a test awaits: the
// verdict it expects, or the program's end. Never a fixed deadline but a backstop, so a test is as fast as
// the program and the broker are.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { entryFile, type Language } from "../../sandbox-server/src/contract/languages.ts";
import type { Exercise, ExerciseCatalog } from "../../sandbox-server/src/exercises/index.ts";
import type { Verdict } from "../../sandbox-server/src/contract/index.ts";
import { gradeWhileRunning } from "./graded-run.ts";
import type { LearnerClient, RunOutput } from "./sandbox-client.ts";

/** The longest a program is waited for: a backstop, not a pace (a Flink job takes seconds to start). */
const BACKSTOP_MS = 90_000;

export interface Attempt {
  verdict: Verdict;
  /** What the terminal showed, its last line included. */
  output: string;
  terminal: RunOutput;
}

export const passes = (verdict: Verdict) => verdict.status === "pass";
export const failsWith = (words: string) => (verdict: Verdict) => verdict.status === "fail" && verdict.message.includes(words);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `program` (as `entry`) and grades the exercise until the verdict is what `awaited` wants or the
 * program has ended; stops a program still running (a consumer runs until stopped), and grades once more
 * after its end, so its last writes count.
 */
export async function attempt(
  learner: LearnerClient,
  id: string,
  program: string,
  entry: string,
  awaited: (verdict: Verdict) => boolean,
  backstopMs = BACKSTOP_MS,
): Promise<Attempt> {
  const run = await learner.startRun(id, program, entry);
  const { ended, terminal: reading } = await gradeWhileRunning(learner, id, run.eventsUrl, awaited, Date.now() + backstopMs);
  if (!ended) await learner.request("DELETE", `/api/runs/${run.id}`);
  const terminal = await reading;
  return { verdict: await learner.grade(id), output: `${terminal.stdout}${terminal.stderr}${terminal.exit.message}`, terminal };
}

/** Whether a Flink SQL run has reached its last statement: the runner prints a line as each starts. */
function sqlReachedLastStatement(sql: string, stdout: string): boolean {
  const statements = sql
    .replace(/--.*$/gm, "")
    .split(";")
    .filter((text) => text.trim()).length;
  return (stdout.match(/^\[(job [0-9a-f]{8} running|job [0-9a-f]{8} finished|query running|ok)\]/gm)?.length ?? 0) >= statements;
}

/**
 * Runs `program` until it ends by itself or its work has settled (its output quiet, a SQL script at its last
 * statement, and the same verdict on two Checks a second apart), then stops it; returns how it ended. For
 * recording what a program leaves behind.
 */
export async function settle(learner: LearnerClient, id: string, program: string, entry: string): Promise<string> {
  const sql = entry.endsWith(".sql");
  let outcome: string | undefined;
  let printed = 0;
  let stdout = "";
  const run = await learner.startRun(id, program, entry);
  const reading = learner
    .readRun(run.eventsUrl, (output) => ((printed = output.events.length), (stdout = output.stdout), false))
    .then((out) => (outcome = out.exit.reason));
  const backstop = Date.now() + BACKSTOP_MS;
  let last = "";
  let quietSince = { printed: -1, at: Date.now() };
  while (outcome === undefined && Date.now() < backstop) {
    await pause(1000);
    if (printed !== quietSince.printed) quietSince = { printed, at: Date.now() };
    const verdict = JSON.stringify(await learner.grade(id).then(({ status, message }) => ({ status, message })));
    const started = sql ? sqlReachedLastStatement(program, stdout) : printed > 0;
    // A processing-time window of a SQL query closes up to its length (10 s) after its rows arrived.
    if (started && verdict === last && Date.now() - quietSince.at >= (sql ? 12_000 : 3000)) break;
    last = verdict;
  }
  if (outcome === undefined) await learner.request("DELETE", `/api/runs/${run.id}`);
  await reading;
  return outcome ?? "stopped";
}

/** Runs the exercise's solution in `language` and expects it to pass, whatever ran before. */
export async function solve(learner: LearnerClient, exercise: Exercise, language: Language, after = "what ran before"): Promise<Attempt> {
  const result = await attempt(learner, exercise.id, exercise.code[language]!.solution, entryFile(language), passes);
  expect(
    result.verdict.status,
    `${exercise.id}'s ${language} solution after ${after}: ${result.verdict.message}\n--- output ---\n${result.output}`,
  ).toBe("pass");
  return result;
}

/** The language an exercise is written in by a learner who prefers `language`: its main one where that is not offered. */
export const inLanguage = (exercise: Exercise, language: Language): Language =>
  exercise.languages.includes(language) ? language : exercise.language;

/** A learner who has done, with their solutions, the exercises `exercise` comes after. */
export async function learnerReadyFor(
  newLearner: () => LearnerClient,
  catalog: ExerciseCatalog,
  exercise: Exercise,
  language: Language,
): Promise<LearnerClient> {
  const learner = newLearner();
  for (const id of exercise.after) {
    const before = catalog.get(id)!;
    await solve(learner, before, inLanguage(before, language), `nothing (it comes before ${exercise.id})`);
  }
  return learner;
}

/** A lesson's place in the course (its front matter's `order`). */
function lessonOrder(lesson: string): number {
  const mdx = readFileSync(path.join(loadConfig().contentDir, lesson, "lesson.mdx"), "utf8");
  return Number(/^order:\s*([\d.]+)/m.exec(mdx)?.[1] ?? Number.POSITIVE_INFINITY);
}

/**
 * Whether an exercise runs on the class's brokers. One on a learner's lab runs through broker faults the page
 * causes; test/integration/fault-lab-course.test.ts plays those.
 */
export const onCourseBrokers = (exercise: Exercise) => exercise.cluster === "course";

/** The course's exercises in reading order, an exercise after those it names in `after`. */
export function courseOrder(catalog: ExerciseCatalog): Exercise[] {
  const byLesson = [...catalog.values()].sort((a, b) => lessonOrder(a.lesson) - lessonOrder(b.lesson) || a.lesson.localeCompare(b.lesson));
  const ordered: Exercise[] = [];
  const place = (exercise: Exercise) => {
    if (ordered.includes(exercise)) return;
    for (const id of exercise.after) place(catalog.get(id)!);
    ordered.push(exercise);
  };
  for (const exercise of byLesson) place(exercise);
  return ordered;
}
