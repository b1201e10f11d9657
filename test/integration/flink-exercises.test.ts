// The Flink SQL part of the course, run by real Flink against the real broker through the API, as a
// learner would: every solution passes its checkpoint, every untouched starter fails it, and every
// plausible wrong query in wrong/ fails it too, with the words its second line names, when it names them.
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runAndGrade } from "../support/run-and-grade.ts";
import { courseExercises, exerciseFile } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { runSqlAndGrade, terminalText } from "../support/flink-runs.ts";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { ensureFlinkRunner } from "../../sandbox-server/src/runs/index.ts";

const kafka = inject("kafkaAccess");
const contentDir = path.resolve(import.meta.dirname, "../../content");
const sqlExercises = [...(await courseExercises()).values()].filter((exercise) => exercise.language === "sql");
let sandbox: TestServer;

/** An exercise's wrong queries: the file, the words its verdict must contain (the second line's, if any), the SQL. */
async function wrongQueries(lesson: string, id: string): Promise<{ file: string; says: string | undefined; sql: string }[]> {
  const dir = path.join(contentDir, lesson, "exercises", id, "wrong");
  const files = (await readdir(dir)).filter((file) => file.endsWith(".sql")).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(path.join(dir, file), "utf8");
      // As for wrong/*.ts: the first line says what is wrong, the second may say what the verdict says.
      const says = /^-- The checkpoint says: (.+)$/.exec(sql.split("\n")[1] ?? "")?.[1]?.trim();
      return { file, says, sql };
    }),
  );
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
    for (const { file, sql } of wrong) expect(sql.split("\n")[0], `${exercise.id}/wrong/${file}`).toMatch(/^-- Wrong: .{10,}/);
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
    for (const { file, says, sql } of await wrongQueries(exercise.lesson, id)) {
      const { verdict, output } = await runSqlAndGrade(sandbox.learner(), id, sql, 40_000);
      expect(verdict.status, `wrong/${file} passed: ${verdict.message}\n${terminalText(output)}`).toBe("fail");
      if (says) expect(verdict.message, `wrong/${file}\n${terminalText(output)}`).toContain(says);
    }
  });
});

describe("the late-request exercise", () => {
  it("fails the starter's 2-second delay, naming the dropped request and the delay that waits for it", { timeout: 150_000 }, async () => {
    const { verdict, output } = await runSqlAndGrade(
      sandbox.learner(),
      "flink-late-requests",
      await exerciseFile("flink-late-requests", "starter"),
      40_000,
    );
    expect(verdict.status, terminalText(output)).toBe("fail");
    expect(verdict.message).toContain("window 08:00:00–08:00:10 in downtown counted 4 requests, but 5 were made in it: request 8, made at 08:00:07");
    expect(verdict.message).toContain("at least 7 seconds");
  });

  it("passes the solution run after the starter, though the starter wrote every request once before", { timeout: 300_000 }, async () => {
    const learner = sandbox.learner();
    await runSqlAndGrade(learner, "flink-late-requests", await exerciseFile("flink-late-requests", "starter"), 30_000);
    const { verdict, output } = await runSqlAndGrade(learner, "flink-late-requests", await exerciseFile("flink-late-requests", "solution"), 150_000);
    expect(verdict.status, `${verdict.message}\n${terminalText(output)}`).toBe("pass");
  });
});

describe("the page-views table exercise", () => {
  it("fails the untouched starter of a learner whose TypeScript ETL lab filled `page-views`", { timeout: 200_000 }, async () => {
    const learner = sandbox.learner();
    const lab = await runAndGrade(learner, "stream-etl", await exerciseFile("stream-etl", "solution"), { patienceMs: 60_000 });
    expect(lab.verdict.status, `the TypeScript ETL lab: ${lab.verdict.message}\n${lab.output}`).toBe("pass");
    const { verdict, output } = await runSqlAndGrade(
      learner,
      "flink-page-views-table",
      await exerciseFile("flink-page-views-table", "starter"),
      30_000,
    );
    expect(verdict.status, `leftovers passed: ${verdict.message}\n${terminalText(output)}`).toBe("fail");
    expect(verdict.message).toContain("holds none of the 8 page views your INSERT writes");
    expect(verdict.message).toContain("another program (the TypeScript ETL lab)");
  });
});

describe("Stop", () => {
  it("cancels the run's running query through Flink, then ends the run as stopped", { timeout: 200_000 }, async () => {
    const learner = sandbox.learner();
    const run = await learner.startRun("flink-page-views-table", await exerciseFile("flink-page-views-table", "solution"), "main.sql");
    let stopped = false;
    const output = await learner.readRun(run.eventsUrl, (sofar) => {
      if (!stopped && /^\+I\[/m.test(sofar.stdout)) {
        stopped = true;
        void learner.request("DELETE", `/api/runs/${run.id}`);
      }
      return sofar.exit !== undefined;
    });
    expect(stopped, terminalText(output)).toBe(true);
    expect(output.exit.reason).toBe("stopped");
    // The continuous SELECT's job, started after the INSERT's, is the one Flink cancels.
    const jobs = [...output.stdout.matchAll(/\[job ([0-9a-f]{8}) (running|finished|cancelled)\]/g)].map((match) => `${match[1]} ${match[2]}`);
    expect(output.stdout, terminalText(output)).toMatch(/\[query running\]/);
    expect(
      jobs.filter((job) => job.endsWith("cancelled")),
      terminalText(output),
    ).toHaveLength(1);
    expect(
      jobs.some((job) => job.endsWith("finished")),
      terminalText(output),
    ).toBe(true);
  });
});

describe("class-data sharing", () => {
  /** The SQL runner JVMs running now: their command line and the files they have mapped. */
  async function runnerJvms(): Promise<{ cmdline: string; maps: string }[]> {
    const found: { cmdline: string; maps: string }[] = [];
    for (const pid of (await readdir("/proc")).filter((name) => /^\d+$/.test(name))) {
      try {
        const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").join(" ");
        if (!cmdline.includes("dev.tributary.flink.SqlRunner") || !/\/java /.test(cmdline)) continue;
        found.push({ cmdline, maps: await readFile(`/proc/${pid}/maps`, "utf8") });
      } catch {
        // Ended meanwhile.
      }
    }
    return found;
  }

  it("the server makes the runners' class-data archive once, and runners started later map it", { timeout: 400_000 }, async () => {
    const config = loadConfig();
    const { runnerDir } = await ensureFlinkRunner(config.flink.pomPath, config.flink.homeDir, () => {});
    const archive = async () => (await readdir(runnerDir)).find((name) => /^class-data-sandbox-.*\.jsa$/.test(name));
    // Opening a SQL exercise starts a spare runner, and the server's first runner starts the archive: a minute of CPU.
    await sandbox.learner().request("GET", "/api/exercises/flink-page-views-table");
    for (let waited = 0; waited < 240 && !(await archive()); waited++) await new Promise((resolve) => setTimeout(resolve, 1000));
    const name = await archive();
    expect(name, `no class-data archive in ${runnerDir}`).toBeDefined();
    // Every runner maps it: the server's own copy, which nobody (the user runners run as) may change.
    const stat = await lstat(path.join(runnerDir, name!));
    expect(stat.isFile()).toBe(true);
    expect(stat.uid).toBe(process.getuid!());
    expect(stat.mode & 0o777).toBe(0o444);
    await expect
      .poll(async () => (await readdir(runnerDir)).filter((entry) => /^class-data-[^.]*$/.test(entry)), { message: "a dump's folder stayed behind" })
      .toEqual([]);
    // A run now takes a runner started after the archive existed, or starts one; either way the next spare maps it.
    const { verdict } = await runSqlAndGrade(
      sandbox.learner(),
      "flink-page-views-table",
      await exerciseFile("flink-page-views-table", "solution"),
      150_000,
    );
    expect(verdict.status).toBe("pass");
    let mapped: { cmdline: string; maps: string } | undefined;
    for (let waited = 0; waited < 60 && !mapped; waited++) {
      mapped = (await runnerJvms()).find((jvm) => jvm.cmdline.includes(`-XX:SharedArchiveFile=`) && jvm.maps.includes(name!));
      if (!mapped) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const seen = (await runnerJvms()).map((jvm) => `${jvm.cmdline.slice(0, 300)}\n  maps a .jsa: ${/\.jsa/.test(jvm.maps)}`);
    expect(mapped, `no SQL runner JVM maps ${name}; runners now:\n${seen.join("\n")}`).toBeDefined();
  });
});
