// npm run bench (second half): how fast Flink SQL runs feel, beside a TypeScript run measured in the same
// run. Run → first result row with a warm runner and with a cold one, memory per running query, and 10
// learners' SQL jobs at once. Prints figures; asserts nothing. Uses the course's Kafka, else starts one.
import { readFile } from "node:fs/promises";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { exerciseFile, type LearnerClient } from "../support/sandbox-client.ts";
import { grade } from "../support/flink-runs.ts";
import { ensureFlinkRunner } from "../../sandbox-server/src/runs/index.ts";
import { benchKafka } from "./bench-kafka.ts";

const ROUNDS = Number(process.env.BENCH_FLINK_ROUNDS ?? 3);
const LEARNERS = Number(process.env.BENCH_FLINK_LEARNERS ?? 10);
const config = loadConfig();
const TABLE_EXERCISE = "flink-page-views-table";
const ETL_EXERCISE = "flink-etl";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? NaN;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1).padStart(6)} s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident memory of every SQL runner JVM now, in MiB. */
async function runnerMemoryMb(): Promise<number[]> {
  const { readdir } = await import("node:fs/promises");
  const sizes: number[] = [];
  for (const pid of (await readdir("/proc")).filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
      if (!cmdline.includes("dev.tributary.flink.SqlRunner") || !cmdline.split("\0")[0]!.endsWith("/java")) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1];
      if (rss) sizes.push(Number(rss) / 1024);
    } catch {
      // The process ended while being read.
    }
  }
  return sizes;
}

/** Run → first line matching `first` in stdout; the run is then stopped. Also the runners' memory at that moment. */
async function timeToFirst(
  learner: LearnerClient,
  id: string,
  code: string,
  fileName: string,
  first: RegExp,
): Promise<{ ms: number; memoryMb: number[] }> {
  const started = performance.now();
  const run = await learner.startRun(id, code, fileName);
  let ms = NaN;
  let memoryMb: number[] = [];
  await learner.readRun(run.eventsUrl, (output) => {
    if (Number.isNaN(ms) && first.test(output.stdout)) ms = performance.now() - started;
    return !Number.isNaN(ms) || output.exit !== undefined;
  });
  if (!Number.isNaN(ms)) memoryMb = await runnerMemoryMb();
  await learner.request("DELETE", `/api/runs/${run.id}`);
  await sleep(2000);
  return { ms, memoryMb };
}

async function sqlRows(sandbox: TestServer, warm: boolean): Promise<{ ms: number[]; memoryMb: number[] }> {
  const sql = await exerciseFile(TABLE_EXERCISE, "solution");
  const ms: number[] = [];
  const memoryMb: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const learner = sandbox.learner();
    // Opening the exercise is what warms a runner up; give it the time a learner spends reading.
    await learner.request("GET", `/api/exercises/${TABLE_EXERCISE}`);
    if (warm) await sleep(30_000);
    const result = await timeToFirst(learner, TABLE_EXERCISE, sql, "main.sql", /^\+I\[/m);
    ms.push(result.ms);
    memoryMb.push(...result.memoryMb.slice(0, 1));
    process.stdout.write(`\r${warm ? "warm" : "cold"} SQL round ${round + 1}/${ROUNDS}: ${seconds(result.ms)}`);
  }
  process.stdout.write("\n");
  return { ms, memoryMb };
}

/** LEARNERS learners run the ETL solution at once; each must pass its checkpoint. */
async function crowd(sandbox: TestServer): Promise<{ passed: number; allMs: number; peakMemoryMb: number }> {
  const sql = await exerciseFile(ETL_EXERCISE, "solution");
  let peak = 0;
  const sampler = setInterval(
    () =>
      void runnerMemoryMb().then(
        (sizes) =>
          (peak = Math.max(
            peak,
            sizes.reduce((a, b) => a + b, 0),
          )),
      ),
    1000,
  );
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: LEARNERS }, async () => {
      const learner = sandbox.learner();
      const run = await learner.startRun(ETL_EXERCISE, sql, "main.sql");
      const reading = learner.readRun(run.eventsUrl);
      let passed = false;
      for (let tries = 0; tries < 180 && !passed; tries++) {
        passed = (await grade(learner, ETL_EXERCISE)).status === "pass";
        if (!passed) await sleep(2000);
      }
      await learner.request("DELETE", `/api/runs/${run.id}`);
      await reading;
      return passed;
    }),
  );
  clearInterval(sampler);
  return { passed: results.filter(Boolean).length, allMs: performance.now() - started, peakMemoryMb: peak };
}

/**
 * Waits until the server has made the runners' class-data archive (its first runner starts that), so cold
 * runs are measured as every run after a server's first minute is: true when it exists.
 */
async function classDataReady(sandbox: TestServer): Promise<boolean> {
  const { readdir } = await import("node:fs/promises");
  const { runnerDir } = await ensureFlinkRunner(config.flink.pomPath, config.flink.homeDir, () => {});
  const archived = async () => (await readdir(runnerDir)).some((name) => /^class-data-.*\.jsa$/.test(name));
  if (await archived()) return true;
  process.stdout.write("making the SQL runners' class-data archive (first time only)…\n");
  await timeToFirst(sandbox.learner(), TABLE_EXERCISE, await exerciseFile(TABLE_EXERCISE, "solution"), "main.sql", /^\+I\[/m);
  for (let waited = 0; waited < 300 && !(await archived()); waited++) await sleep(1000);
  return archived();
}

async function main() {
  const { access, cluster } = await benchKafka(config);
  const servers: TestServer[] = [];
  try {
    const cold = await startTestServer(access, { env: { TRIBUTARY_FLINK_WARM_RUNNERS: "0", TRIBUTARY_RUNS_PER_MINUTE: "100" } });
    servers.push(cold);
    const producer = await exerciseFile("first-producer", "solution");
    const typescript: number[] = [];
    for (let round = 0; round < ROUNDS; round++) typescript.push((await timeToFirst(cold.learner(), "first-producer", producer, "main.ts", /\S/)).ms);
    const classData = await classDataReady(cold);
    const coldSql = await sqlRows(cold, false);
    const warmServer = await startTestServer(access, { env: { TRIBUTARY_FLINK_WARM_RUNNERS: "1", TRIBUTARY_RUNS_PER_MINUTE: "100" } });
    servers.push(warmServer);
    const warmSql = await sqlRows(warmServer, true);
    const many = await crowd(cold);

    console.log(`\n\nFlink SQL runs through the API, ${ROUNDS} rounds each (median), Kafka at ${access.bootstrap.join(",")}`);
    console.log(`TypeScript producer: Run → first output          ${seconds(median(typescript))}`);
    console.log(`Flink SQL, cold JVM: Run → first result row      ${seconds(median(coldSql.ms))}`);
    console.log(`Flink SQL, warm JVM: Run → first result row      ${seconds(median(warmSql.ms))}`);
    console.log(
      `memory per running query (runner JVM RSS)        ${median([...coldSql.memoryMb, ...warmSql.memoryMb])
        .toFixed(0)
        .padStart(6)} MiB`,
    );
    console.log(
      `${LEARNERS} learners' ETL jobs at once: ${many.passed}/${LEARNERS} passed their checkpoint, all within ${seconds(many.allMs)}; runners' peak memory together ${many.peakMemoryMb.toFixed(0)} MiB`,
    );
    console.log(`isolation: ${cold.server.isolation.kind}; runners' class-data archive: ${classData ? "in use" : "not made"}`);
  } finally {
    for (const server of servers) await server.close();
    await cluster?.stop();
  }
}

main().catch((error: Error) => {
  console.error(`\n✗ ${error.message}`);
  process.exit(1);
});
