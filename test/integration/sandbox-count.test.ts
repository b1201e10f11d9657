// Each run holds the sandboxes of its own language only, and once it ends the server holds its warm pools
// and one sandbox kept for the learner, who reads on, and nothing more: TRIBUTARY_WARM_SANDBOXES each for
// TypeScript and Python, TRIBUTARY_FLINK_WARM_RUNNERS once a SQL exercise was opened, and one of the language
// the learner last ran (none for SQL, whose runners are not kept per learner). Counted as bubblewrap process
// trees and as run folders, after runs of the three languages in turns.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { entryFile, type Language } from "../../sandbox-server/src/contract/languages.ts";
import { attempt, passes } from "../support/course-attempts.ts";
import { runFolders, sandboxTrees } from "../support/live-sandboxes.ts";
import { courseExercises, type LearnerClient } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const WARM = 1;
const WARM_SQL = 1;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The sandbox kept for a learner who reads on after a run in `language`. */
const keptFor = (language: Language) => (language === "sql" ? 0 : 1);

let sandbox: TestServer;
let learner: LearnerClient;

beforeAll(async () => {
  sandbox = await startTestServer(inject("kafkaAccess"), {
    env: { TRIBUTARY_WARM_SANDBOXES: String(WARM), TRIBUTARY_FLINK_WARM_RUNNERS: String(WARM_SQL), TRIBUTARY_WARM_FOR_READERS: undefined },
  });
  learner = sandbox.learner();
});

afterAll(async () => {
  await sandbox?.close();
});

/** Waits until both counts are `expected` (the pool refills after a run), then returns what they are. */
async function settledCounts(expected: number): Promise<{ trees: number; folders: number | string[] }> {
  const backstop = Date.now() + 90_000;
  for (;;) {
    const folders = await runFolders();
    const trees = await sandboxTrees();
    if (trees === expected && folders.length === expected) return { trees, folders: folders.length };
    // Past the backstop, the folders are named, to tell which process left its folder behind.
    if (Date.now() > backstop) return { trees, folders };
    await pause(250);
  }
}

/** Runs the exercise's solution to a pass (a consumer or a SQL job is then stopped) and expects it to pass. */
async function solveIn(id: string, language: Language): Promise<void> {
  const exercise = (await courseExercises()).get(id)!;
  const { verdict, output } = await attempt(learner, id, exercise.code[language]!.solution, entryFile(language), passes);
  expect(verdict.status, `${id} in ${language}: ${verdict.message}\n${output}`).toBe("pass");
}

/**
 * Runs a program that runs until stopped (a consumer, a SQL job) to a pass, and counts while it runs: its
 * own sandbox beside the refilled pools, and no other language's; then stops it.
 */
async function countWhileRunning(id: string, language: Language, pools: number): Promise<{ trees: number; folders: number | string[] }> {
  const exercise = (await courseExercises()).get(id)!;
  const run = await learner.startRun(id, exercise.code[language]!.solution, entryFile(language));
  const reading = learner.readRun(run.eventsUrl);
  const backstop = Date.now() + 90_000;
  while ((await learner.grade(id)).status !== "pass" && Date.now() < backstop) await pause(250);
  const counts = await settledCounts(pools + 1);
  await learner.request("DELETE", `/api/runs/${run.id}`);
  await reading;
  return counts;
}

describe("the sandboxes a server holds", () => {
  it("are its warm pools after runs of every language in turns, SQL's once a SQL exercise was opened", { timeout: 600_000 }, async () => {
    expect(await settledCounts(2 * WARM)).toEqual({ trees: 2 * WARM, folders: 2 * WARM });
    for (const language of ["typescript", "python"] as const) {
      await solveIn("first-producer", language);
      const held = 2 * WARM + keptFor(language);
      expect(await settledCounts(held), `after a ${language} run`).toEqual({ trees: held, folders: held });
    }

    expect((await learner.request("GET", "/api/exercises/flink-etl")).status).toBe(200);
    const all = 2 * WARM + WARM_SQL;
    expect(await settledCounts(all + 1), "once a SQL exercise was opened").toEqual({ trees: all + 1, folders: all + 1 });
    for (const [id, language] of [
      ["flink-etl", "sql"],
      ["first-producer", "typescript"],
      ["flink-etl", "sql"],
      ["first-producer", "python"],
      ["flink-etl", "sql"],
    ] as const) {
      await solveIn(id, language);
      const held = all + keptFor(language);
      expect(await settledCounts(held), `after a ${language} run`).toEqual({ trees: held, folders: held });
    }
  });

  // On the learner above, who has done the first producer, and after a SQL exercise was opened. While their
  // program runs, nothing is kept for them: they are not reading.
  it("are the warm pools and the run's own while a SQL job or a consumer runs, and the pools once it is stopped", { timeout: 600_000 }, async () => {
    const all = 2 * WARM + WARM_SQL;
    for (const [id, language] of [
      ["flink-etl", "sql"],
      ["first-consumer", "typescript"],
      ["first-consumer", "python"],
    ] as const) {
      expect(await countWhileRunning(id, language, all), `while a ${language} run runs`).toEqual({ trees: all + 1, folders: all + 1 });
      const held = all + keptFor(language);
      expect(await settledCounts(held), `after a ${language} run was stopped`).toEqual({ trees: held, folders: held });
    }
  });
});
