// The Flink SQL part of the course, run by real Flink against the real broker through the API, as a
// learner would: every solution passes its checkpoint, every untouched starter fails it, and every
// plausible wrong query in wrong/ fails it too.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { courseExercises, exerciseFile } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { runSqlAndGrade, terminalText } from "../support/flink-runs.ts";

const kafka = inject("kafkaAccess");
const contentDir = path.resolve(import.meta.dirname, "../../content");
const sqlExercises = [...(await courseExercises()).values()].filter((exercise) => exercise.language === "sql");
let sandbox: TestServer;

async function wrongQueries(lesson: string, id: string): Promise<[string, string][]> {
  const dir = path.join(contentDir, lesson, "exercises", id, "wrong");
  const files = (await readdir(dir)).filter((file) => file.endsWith(".sql")).sort();
  return Promise.all(files.map(async (file) => [file, await readFile(path.join(dir, file), "utf8")] as [string, string]));
}

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
});

afterAll(async () => {
  await sandbox?.close();
});

it("the course has Flink SQL exercises, each with at least two wrong queries that say what is wrong", async () => {
  expect(sqlExercises.length).toBeGreaterThanOrEqual(3);
  for (const exercise of sqlExercises) {
    const wrong = await wrongQueries(exercise.lesson, exercise.id);
    expect(wrong.length, exercise.id).toBeGreaterThanOrEqual(2);
    for (const [file, sql] of wrong) expect(sql.split("\n")[0], `${exercise.id}/wrong/${file}`).toMatch(/^-- Wrong: .{10,}/);
  }
});

describe.each(sqlExercises.map((e) => [e.id, e] as const))("SQL exercise %s", (id, exercise) => {
  // Patient: on a busy machine, starting Flink takes a while.
  it("passes its checkpoint with the solution, with rows or jobs in the terminal", { timeout: 200_000 }, async () => {
    const { verdict, output } = await runSqlAndGrade(sandbox.learner(), id, await exerciseFile(id, "solution"), 150_000);
    expect(verdict.status, `${verdict.message}\n--- terminal ---\n${terminalText(output)}`).toBe("pass");
    expect(output.stdout).toMatch(/\[job [0-9a-f]{8} (running|finished)\]/);
  });

  it("fails its checkpoint with the untouched starter, saying why", { timeout: 150_000 }, async () => {
    const { verdict, output } = await runSqlAndGrade(sandbox.learner(), id, await exerciseFile(id, "starter"), 40_000);
    expect(verdict.status, `the starter passed: ${verdict.message}\n${terminalText(output)}`).toBe("fail");
    expect(verdict.message.length).toBeGreaterThan(20);
  });

  it("fails its checkpoint with each plausible wrong query", { timeout: 400_000 }, async () => {
    for (const [file, sql] of await wrongQueries(exercise.lesson, id)) {
      const { verdict, output } = await runSqlAndGrade(sandbox.learner(), id, sql, 40_000);
      expect(verdict.status, `wrong/${file} passed: ${verdict.message}\n${terminalText(output)}`).toBe("fail");
    }
  });
});
