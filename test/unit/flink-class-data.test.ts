// The class-data archive's bookkeeping, on real files: its name changes with the jars it fits, and a
// new server removes archives that no longer fit and dump folders a killed server left behind.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { RunnerClassData } from "../../sandbox-server/src/runs/languages/sql/class-data.ts";

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
  const first = new RunnerClassData(runner, "sandbox", home).archive;
  expect(path.basename(first)).toMatch(/^class-data-sandbox-[0-9a-f]{12}\.jsa$/);
  expect(new RunnerClassData(runner, "sandbox", home).archive).toBe(first);
  expect(new RunnerClassData(runner, "plain", home).archive).not.toBe(first);
  await writeFile(runner.runnerJar, "runner v2, longer");
  expect(new RunnerClassData(runner, "sandbox", home).archive).not.toBe(first);
});

/** An archive as a finished dump leaves it: the file, and its size and checksum beside it. */
async function wholeArchive(file: string, content: string): Promise<void> {
  await writeFile(file, content);
  await writeFile(`${file}.sha256`, `${Buffer.byteLength(content)} ${createHash("sha256").update(content).digest("hex")}\n`);
}

it("removes archives that no longer fit and abandoned dump folders, and keeps a dump in progress", async () => {
  const fits = new RunnerClassData(runner, "sandbox", home).archive;
  await wholeArchive(fits, "archive");
  await writeFile(path.join(runner.runnerDir, "class-data-sandbox-000000000000.jsa"), "an older Java's");
  await writeFile(path.join(runner.runnerDir, "class-data-plain-000000000000.jsa"), "the other kind's");
  const abandoned = path.join(runner.runnerDir, "class-data-abandoned");
  const inProgress = path.join(runner.runnerDir, "class-data-running");
  await mkdir(abandoned);
  await mkdir(inProgress);
  const anHourAgo = new Date(Date.now() - 3600_000);
  await utimes(abandoned, anHourAgo, anHourAgo);

  const classData = new RunnerClassData(runner, "sandbox", home);
  await expect
    .poll(async () => (await readdir(runner.runnerDir)).sort())
    .toEqual([path.basename(fits), `${path.basename(fits)}.sha256`, "class-data-plain-000000000000.jsa", "class-data-running", "runner.jar"].sort());
  await classData.settled();
  expect(classData.state).toBe("ready");
  expect(await classData.forStart(async () => ({ dumpInto: home, process: Promise.resolve(undefined) }))).toBe(fits);
});

it("never hands a runner a truncated or garbled archive: it goes, and a new one is made", async () => {
  const archive = new RunnerClassData(runner, "sandbox", home).archive;
  await wholeArchive(archive, "a whole archive");
  await writeFile(archive, "a whole arch"); // cut short after its checksum was written
  const truncated = new RunnerClassData(runner, "sandbox", home);
  await truncated.settled();
  expect(truncated.state).toBe("absent");
  expect(existsSync(archive)).toBe(false);
  let dumps = 0;
  expect(
    await truncated.forStart(async () => (dumps++, { dumpInto: await truncated.dumpFolder(), process: Promise.resolve(undefined) })),
  ).toBeUndefined();
  await truncated.settled();
  expect(dumps).toBe(1);

  await writeFile(archive, "garbage without a checksum");
  const garbled = new RunnerClassData(runner, "sandbox", home);
  await garbled.settled();
  expect(existsSync(archive)).toBe(false);
});
