// The class-data archive's bookkeeping, on real files: its name changes with the jars it fits, and a
// new server removes archives that no longer fit and dump folders a killed server left behind.
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { RunnerClassData } from "../../sandbox-server/src/flink/class-data.ts";

let home: string;
let runner: { runnerDir: string; runnerJar: string; libDir: string };

beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), "tributary-class-data-"));
  runner = { runnerDir: path.join(home, "sql-runner-x"), runnerJar: path.join(home, "sql-runner-x", "runner.jar"), libDir: path.join(home, "lib") };
  await mkdir(runner.runnerDir);
  await mkdir(runner.libDir);
  await writeFile(runner.runnerJar, "runner v1");
  await writeFile(path.join(runner.libDir, "flink.jar"), "flink");
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

it("names the archive after the runner's jar and Flink's jars, so a changed jar needs a new archive", async () => {
  const first = new RunnerClassData(runner, "sandbox").archive;
  expect(path.basename(first)).toMatch(/^class-data-sandbox-[0-9a-f]{12}\.jsa$/);
  expect(new RunnerClassData(runner, "sandbox").archive).toBe(first);
  expect(new RunnerClassData(runner, "plain").archive).not.toBe(first);
  await writeFile(runner.runnerJar, "runner v2, longer");
  expect(new RunnerClassData(runner, "sandbox").archive).not.toBe(first);
});

it("removes archives that no longer fit and abandoned dump folders, and keeps a dump in progress", async () => {
  const fits = new RunnerClassData(runner, "sandbox").archive;
  await writeFile(fits, "archive");
  await writeFile(path.join(runner.runnerDir, "class-data-sandbox-000000000000.jsa"), "an older Java's");
  await writeFile(path.join(runner.runnerDir, "class-data-plain-000000000000.jsa"), "the other kind's");
  const abandoned = path.join(runner.runnerDir, "class-data-abandoned");
  const inProgress = path.join(runner.runnerDir, "class-data-running");
  await mkdir(abandoned);
  await mkdir(inProgress);
  const anHourAgo = new Date(Date.now() - 3600_000);
  await utimes(abandoned, anHourAgo, anHourAgo);

  const classData = new RunnerClassData(runner, "sandbox");
  await expect
    .poll(async () => (await readdir(runner.runnerDir)).sort())
    .toEqual([path.basename(fits), "class-data-plain-000000000000.jsa", "class-data-running", "runner.jar"].sort());
  expect(classData.forStart(async () => undefined)).toEqual({ use: fits });
});
