// What the Flink SQL part of the course promises beyond each exercise's own checks (test/integration/
// course-sql.test.ts runs every solution, starter and a sampled wrong query; test/unit/flink-sql-programs.test.ts
// and recorded-wrong-programs.test.ts judge every wrong query on what Flink wrote): a clean slate for every run,
// the late request and its watermark, a table that needs its startup mode, Stop cancelling a query through
// Flink, and the runners' class-data archive.
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runAndGrade } from "../support/run-and-grade.ts";
import { courseExercises, exerciseFile, type LearnerClient } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { grade, runSql, runSqlAndGrade, terminalText, type Verdict } from "../support/flink-runs.ts";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { ensureFlinkRunner } from "../../sandbox-server/src/runs/index.ts";

const kafka = inject("kafkaAccess");
const sqlExercises = [...(await courseExercises()).values()].filter((exercise) => exercise.language === "sql");
let sandbox: TestServer;
const sqlExercise = (id: string) => sqlExercises.find((e) => e.id === id)!;

/**
 * Runs a wrong query and grades it until a verdict on this run names its mistake, the run ends or `patienceMs`
 * pass, then stops it and grades once more: a wrong query's words usually show within seconds.
 */
async function runUntilVerdictSays(learner: LearnerClient, id: string, sql: string, says: string, patienceMs = 40_000) {
  const run = await learner.startRun(id, sql, "main.sql");
  let ended = false;
  const reading = learner.readRun(run.eventsUrl).then((out) => ((ended = true), out));
  const deadline = Date.now() + patienceMs;
  const judgesThisRun = (verdict: Verdict) => (verdict as Verdict & { run?: { id: string } }).run?.id === run.id;
  let verdict = await grade(learner, id);
  while (!(judgesThisRun(verdict) && verdict.message.includes(says)) && !ended && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    verdict = await grade(learner, id);
  }
  if (!ended) await learner.request("DELETE", `/api/runs/${run.id}`);
  const output = await reading;
  return { verdict: await grade(learner, id), output };
}

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
});

afterAll(async () => {
  await sandbox?.close();
});

describe("a clean slate for every run", () => {
  it("fails a table over the wrong topic after a good run, as the good run's records are gone", { timeout: 300_000 }, async () => {
    const learner = sandbox.learner();
    const good = await runSqlAndGrade(learner, "flink-page-views-table", await exerciseFile("flink-page-views-table", "solution"), 150_000);
    expect(good.verdict.status, good.verdict.message).toBe("pass");
    const wrong = sqlExercise("flink-page-views-table").wrong.find((w) => w.name === "underscore-topic")!;
    const { verdict, output } = await runUntilVerdictSays(learner, "flink-page-views-table", wrong.code, wrong.verdictSays!);
    expect(verdict.status, terminalText(output)).toBe("fail");
    expect(verdict.message).toContain(wrong.verdictSays);
  });

  it("fails one-minute windows after a good run, as the good run's windows are gone", { timeout: 300_000 }, async () => {
    const learner = sandbox.learner();
    const good = await runSqlAndGrade(learner, "flink-surge-windows", await exerciseFile("flink-surge-windows", "solution"), 150_000);
    expect(good.verdict.status, good.verdict.message).toBe("pass");
    const wrong = sqlExercise("flink-surge-windows").wrong.find((w) => w.name === "one-minute-windows")!;
    const { verdict, output } = await runUntilVerdictSays(learner, "flink-surge-windows", wrong.code, wrong.verdictSays!);
    expect(verdict.status, terminalText(output)).toBe("fail");
    expect(verdict.message).toContain(wrong.verdictSays);
  });

  it("judges the ETL on the SQL's own page views, never on those the TypeScript ETL lab wrote", { timeout: 300_000 }, async () => {
    const learner = sandbox.learner();
    const lab = await runAndGrade(learner, "stream-etl", await exerciseFile("stream-etl", "solution"), { patienceMs: 60_000 });
    expect(lab.verdict.status, `the TypeScript ETL lab: ${lab.verdict.message}\n${lab.output}`).toBe("pass");
    const wrong = sqlExercise("flink-etl").wrong.find((w) => w.name === "codes-not-names")!;
    const { verdict, output } = await runUntilVerdictSays(learner, "flink-etl", wrong.code, wrong.verdictSays!);
    expect(verdict.status, terminalText(output)).toBe("fail");
    // The view it cites is the script's first (user-1, cookie c1), not one of the lab's (their user agent names X11).
    expect(verdict.message).toContain('The raw view {"user":"user-1","page":"/","country":"DE","userAgent":"Mozilla/5.0","sessionCookie":"c1"}');
    expect(verdict.message).not.toContain("X11");
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
    // What the lesson shows: the script's last SELECT prints the short window's row from `late-surge-prices`.
    expect(output.stdout).toContain("+I[downtown, 2026-01-01T08:00, 2026-01-01T08:00:10, 4]");
  });
});

describe("the page-views table exercise", () => {
  it("fails the untouched starter of a learner whose TypeScript ETL lab filled its own `page-views`, none of which reaches the table", {
    timeout: 200_000,
  }, async () => {
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
    // The starter's INSERT does not plan (three values, one column): the run ends at that error, and the topic stays empty.
    expect(verdict.message).toContain(sqlExercise("flink-page-views-table").starterFailsWith);
    const { checks } = verdict as typeof verdict & { checks: { message: string }[] };
    expect(checks.map((check) => check.message)).toContainEqual(expect.stringContaining("`table-page-views` is empty"));
  });

  it("fails a table without a startup mode: the run ends at the SELECT's error, though the INSERT wrote every view", {
    timeout: 200_000,
  }, async () => {
    const learner = sandbox.learner();
    const wrong = sqlExercise("flink-page-views-table").wrong.find((w) => w.name === "no-startup-mode")!;
    // As a learner would: run, read the error, then Check.
    const output = await runSql(learner, "flink-page-views-table", wrong.code);
    expect(output.exit.reason, terminalText(output)).toBe("compile-error");
    expect(output.stderr).toMatch(/group\.id is required/);
    const verdict = await grade(learner, "flink-page-views-table");
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(wrong.verdictSays);
    const { checks } = verdict as typeof verdict & { checks: { status: string; message: string }[] };
    // The grader alone would pass what the INSERT wrote: the run's error is what fails it.
    expect(checks.at(-1)).toMatchObject({ status: "pass" });
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
