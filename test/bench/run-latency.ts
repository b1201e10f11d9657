// npm run bench: how long a Run takes through the sandbox API, next to the same program under plain node.
// Prints figures; asserts nothing. Uses Kafka at KAFKA_BOOTSTRAP (or the course's), else starts a broker of its own.
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { Kafka } from "kafkajs";
import { mkdtemp, readFile, rm, writeFile, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { LearnerPrincipals, type BrokerAccess } from "../../sandbox-server/src/kafka/index.ts";
import { compileProgram } from "../../sandbox-server/src/runs/index.ts";
import { startTestServer } from "../support/test-server.ts";
import { courseExercises, exerciseFile, type LearnerClient } from "../support/sandbox-client.ts";
import { ensurePythonRuntime } from "../../sandbox-server/src/runs/languages/python/packages.ts";
import { benchKafka } from "./bench-kafka.ts";
import { kafkajsConfig } from "../support/kafkajs-config.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const CONCURRENCY = (process.env.BENCH_LEARNERS ?? "10,50,100").split(",").map(Number);
/** Learners sent through a server at its default caps at once, most of them to wait in line. */
const QUEUE_LEARNERS = Number(process.env.BENCH_QUEUE_LEARNERS ?? 300);
const PRINCIPALS = Number(process.env.BENCH_PRINCIPALS ?? 30);
const config = loadConfig();

interface Timing {
  firstOutputMs: number;
  exitMs: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const summary = (timings: Timing[], key: keyof Timing) => ({
  p50: percentile(
    timings.map((t) => t[key]),
    50,
  ),
  p95: percentile(
    timings.map((t) => t[key]),
    95,
  ),
});
const ms = (value: number) => `${value.toFixed(0).padStart(5)} ms`;

/**
 * The producer solution under plain `node`, with kafkajs resolvable, as a learner would run it at home.
 * It authenticates with SCRAM too (as the super user), so both sides pay for the same handshake. One learner's
 * runs share a namespace (the first creates the topic); in a crowd each process has one of its own, as each
 * learner has: a crowd sharing one would create one topic, where a class creates one each.
 */
async function plainNode(code: string, access: BrokerAccess, namespace = "bench-plain-node-"): Promise<Timing> {
  const env = {
    ...process.env,
    KAFKA_BROKERS: access.bootstrap.join(","),
    KAFKA_NAMESPACE: namespace,
    ...(access.admin && { KAFKA_USERNAME: access.admin.username, KAFKA_PASSWORD: access.admin.password }),
    KAFKAJS_NO_PARTITIONER_WARNING: "1",
  };
  return timeProcess(process.execPath, [code], env);
}

/** Starts a program and times its first output and its exit; a program that fails is not timed. */
function timeProcess(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timing> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "inherit"] });
    let firstOutputMs = NaN;
    child.stdout.once("data", () => (firstOutputMs = performance.now() - started));
    child.once("error", reject);
    child.once("close", (code) => {
      if (code === 0) resolve({ firstOutputMs, exitMs: performance.now() - started });
      else reject(new Error(`${path.basename(command)} exited with code ${code}`));
    });
  });
}

/** The Python producer solution under Debian's python3 with kafka-python and the course's module on its path. */
function plainPython(script: string, access: BrokerAccess, python: { interpreter: string; packagesDir: string }): Promise<Timing> {
  return timeProcess(python.interpreter, [script], {
    PATH: process.env.PATH,
    PYTHONPATH: [python.packagesDir, path.join(config.projectRoot, "sandbox-server", "src", "runs", "inside")].join(":"),
    PYTHONUNBUFFERED: "1",
    KAFKA_BROKERS: access.bootstrap.join(","),
    KAFKA_NAMESPACE: "bench-plain-python-",
    ...(access.admin && { KAFKA_USERNAME: access.admin.username, KAFKA_PASSWORD: access.admin.password }),
  });
}

/** A Run through the API, timed to its first output and to its exit. */
async function timeRun(learner: LearnerClient, code: string, entry: string): Promise<Timing> {
  const started = performance.now();
  const { eventsUrl } = await learner.startRun("first-producer", code, entry);
  let firstOutputMs = NaN;
  await learner.readRun(eventsUrl, (output) => {
    if (Number.isNaN(firstOutputMs) && output.stdout) firstOutputMs = performance.now() - started;
    return false;
  });
  return { firstOutputMs, exitMs: performance.now() - started };
}

/** The line of a program's stderr that names its error (a stack's first line), else its last line. */
const firstErrorLine = (stderr: string) => {
  const lines = stderr.split("\n").filter((line) => line.trim());
  return (lines.find((line) => /\b\w*Error\b/.test(line)) ?? lines.at(-1) ?? "").trim().slice(0, 200);
};

interface CrowdResult {
  learners: number;
  succeeded: number;
  exit: { p50: number; p95: number };
  /** The same number of plain `node` processes running the same program at once, in the same run. */
  plain: { succeeded: number; exit: { p50: number; p95: number } };
  peakRssMb: number;
  failures: string[];
}

/** N plain `node` processes of the same program started together: the crowd's fair baseline on this machine. */
async function plainNodeCrowd(script: string, access: BrokerAccess, processes: number) {
  const timings = await Promise.all(
    Array.from({ length: processes }, () => plainNode(script, access, `bench-plain-node-${randomBytes(5).toString("hex")}-`).catch(() => undefined)),
  );
  // Their topics go, so that a broker the course shares does not keep them.
  const admin = new Kafka(kafkajsConfig(access, "bench-cleanup")).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((name) => /^bench-plain-node-[0-9a-f]{10}-/.test(name));
  if (topics.length) await admin.deleteTopics({ topics });
  await admin.disconnect();
  const succeeded = timings.filter((t): t is Timing => t !== undefined);
  return { succeeded: succeeded.length, exit: summary(succeeded, "exitMs") };
}

let sandboxIsolation = "";

/** N learners (N cookies) start the same program at once; each run must exit 0. */
async function concurrentLearners(
  sandbox: Awaited<ReturnType<typeof startTestServer>>,
  code: string,
  learners: number,
  plain: CrowdResult["plain"],
): Promise<CrowdResult> {
  sandboxIsolation = sandbox.server.isolation.kind;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const failures: string[] = [];
  const timings = await Promise.all(
    Array.from({ length: learners }, async (_, i) => {
      const learner = sandbox.learner();
      const started = performance.now();
      try {
        const { eventsUrl } = await learner.startRun("first-producer", code);
        const output = await learner.readRun(eventsUrl);
        if (output.exit.code !== 0) throw new Error(`${output.exit.message} ${firstErrorLine(output.stderr)}`);
        return { firstOutputMs: NaN, exitMs: performance.now() - started };
      } catch (error) {
        failures.push(`learner ${i + 1}: ${(error as Error).message}`);
        return undefined;
      }
    }),
  );
  clearInterval(sampler);
  const succeeded = timings.filter((t): t is Timing => t !== undefined);
  process.stdout.write(`\r${learners} concurrent learners: ${succeeded.length} succeeded\n`);
  return { learners, succeeded: succeeded.length, exit: summary(succeeded, "exitMs"), plain, peakRssMb: peakRss / 1024 / 1024, failures };
}

interface QueueResult {
  learners: number;
  succeeded: number;
  /** Runs that waited in line, and the furthest back any stood. */
  waited: number;
  furthestBack: number;
  /** Runs the server refused (its line was full), with what it told them. */
  refused: string[];
  failures: string[];
  minutes: number;
}

/**
 * `learners` learners press Run at once on a server at its default caps (TRIBUTARY_MAX_RUNS, memory, cores,
 * TRIBUTARY_MAX_QUEUED): every run must succeed, or have been told it waited and where it stood, or why it was refused.
 */
async function throughTheQueue(access: BrokerAccess, code: string, learners: number): Promise<QueueResult> {
  const server = await startTestServer(access);
  const started = performance.now();
  const result: QueueResult = { learners, succeeded: 0, waited: 0, furthestBack: 0, refused: [], failures: [], minutes: 0 };
  try {
    await Promise.all(
      Array.from({ length: learners }, async (_, i) => {
        const learner = server.learner();
        let eventsUrl: string;
        try {
          ({ eventsUrl } = await learner.startRun("first-producer", code));
        } catch (error) {
          result.refused.push((error as Error).message);
          return;
        }
        try {
          const output = await learner.readRun(eventsUrl);
          const places = output.events.flatMap((e) => (e.type === "queued" ? [e.position] : []));
          if (places.length) result.waited++;
          result.furthestBack = Math.max(result.furthestBack, ...places);
          if (output.exit.code !== 0) throw new Error(`${output.exit.message} ${firstErrorLine(output.stderr)}`);
          result.succeeded++;
        } catch (error) {
          result.failures.push(`learner ${i + 1}: ${(error as Error).message}`);
        }
      }),
    );
  } finally {
    result.minutes = (performance.now() - started) / 60_000;
    await server.close();
  }
  return result;
}

async function main() {
  const { access, cluster } = await benchKafka(config);
  const solution = await exerciseFile("first-producer", "solution");
  const compiled = await compileProgram({ "main.ts": solution });
  if (!compiled.ok) throw new Error(compiled.message);
  const dir = await mkdtemp(path.join(os.tmpdir(), "tributary-bench-"));
  await symlink(path.join(config.projectRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  const script = path.join(dir, "main.mjs");
  await writeFile(script, compiled.code);

  const pythonSolution = (await courseExercises()).get("first-producer")?.code.python?.solution;
  const python = await ensurePythonRuntime();
  const pythonScript = path.join(dir, "main.py");
  if (pythonSolution) await writeFile(pythonScript, pythonSolution);
  const sandbox = await startTestServer(access, {
    env: { TRIBUTARY_MAX_RUNS: String(Math.max(...CONCURRENCY) + 8), TRIBUTARY_RUNS_PER_MINUTE: String(ROUNDS * 4 + 10) },
  });
  const learner = sandbox.learner();
  const viaNode: Timing[] = [];
  const viaApi: Timing[] = [];
  const crowd: CrowdResult[] = [];
  const viaPython: Timing[] = [];
  const viaApiPython: Timing[] = [];
  try {
    // One warm-up of each, so neither side pays for a cold disk cache.
    await plainNode(script, access);
    await learner.run("first-producer", solution);
    for (let round = 0; round < ROUNDS; round++) {
      viaNode.push(await plainNode(script, access));
      viaApi.push(await timeRun(learner, solution, "main.ts"));
      process.stdout.write(`\rround ${round + 1}/${ROUNDS}`);
    }
    process.stdout.write("\n");
    if (pythonSolution && typeof python !== "string") {
      await plainPython(pythonScript, access, python);
      await timeRun(learner, pythonSolution, "main.py");
      for (let round = 0; round < ROUNDS; round++) {
        viaPython.push(await plainPython(pythonScript, access, python));
        viaApiPython.push(await timeRun(learner, pythonSolution, "main.py"));
        process.stdout.write(`\rPython round ${round + 1}/${ROUNDS}`);
      }
      process.stdout.write("\n");
    } else {
      console.log(`Python runs not measured: ${typeof python === "string" ? python : "first-producer has no solution.py"}`);
    }
    for (const learners of CONCURRENCY) {
      const plain = await plainNodeCrowd(script, access, learners);
      crowd.push(await concurrentLearners(sandbox, solution, learners, plain));
    }
  } finally {
    await sandbox.close();
  }
  let queue: QueueResult | undefined;
  let principals: PrincipalCost | undefined;
  try {
    if (QUEUE_LEARNERS > 0) queue = await throughTheQueue(access, solution, QUEUE_LEARNERS);
    if (PRINCIPALS > 0) principals = await principalCost(access, PRINCIPALS);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await cluster?.stop();
  }

  const node = { first: summary(viaNode, "firstOutputMs"), exit: summary(viaNode, "exitMs") };
  const api = { first: summary(viaApi, "firstOutputMs"), exit: summary(viaApi, "exitMs") };
  console.log(`\n\nProducer exercise (first-producer solution), ${ROUNDS} runs each, Kafka at ${access.bootstrap.join(",")}`);
  console.log("                         Run → first output        Run → exit");
  console.log("                         p50        p95            p50        p95");
  console.log(`plain node               ${ms(node.first.p50)}   ${ms(node.first.p95)}       ${ms(node.exit.p50)}   ${ms(node.exit.p95)}`);
  console.log(`sandbox API (HTTP+SSE)   ${ms(api.first.p50)}   ${ms(api.first.p95)}       ${ms(api.exit.p50)}   ${ms(api.exit.p95)}`);
  console.log(
    `ratio API / node (p50)   ${(api.first.p50 / node.first.p50).toFixed(2).padStart(8)}                  ${(api.exit.p50 / node.exit.p50).toFixed(2).padStart(8)}`,
  );
  if (viaPython.length) {
    const plain = { first: summary(viaPython, "firstOutputMs"), exit: summary(viaPython, "exitMs") };
    const run = { first: summary(viaApiPython, "firstOutputMs"), exit: summary(viaApiPython, "exitMs") };
    console.log(`\nThe same exercise in Python (solution.py, kafka-python), ${ROUNDS} runs each`);
    console.log("                         Run → first output        Run → exit");
    console.log("                         p50        p95            p50        p95");
    console.log(`plain python3            ${ms(plain.first.p50)}   ${ms(plain.first.p95)}       ${ms(plain.exit.p50)}   ${ms(plain.exit.p95)}`);
    console.log(`sandbox API (HTTP+SSE)   ${ms(run.first.p50)}   ${ms(run.first.p95)}       ${ms(run.exit.p50)}   ${ms(run.exit.p95)}`);
    console.log(
      `ratio API / python (p50) ${(run.first.p50 / plain.first.p50).toFixed(2).padStart(8)}                  ${(run.exit.p50 / plain.exit.p50).toFixed(2).padStart(8)}`,
    );
  }
  console.log(`isolation: ${sandboxIsolation}`);
  console.log("\nConcurrent learners, each running the producer solution once, all started together,");
  console.log("beside as many plain `node` processes of the same program started together just before (goal: p95 ratio ≤ 1.3)");
  console.log("learners   succeeded   Run → exit p50   p95        plain node  p50        p95        p95 ratio   server memory (peak RSS)");
  for (const r of crowd) {
    const ok = `${r.succeeded}/${r.learners}`.padStart(9);
    const plainOk = `${r.plain.succeeded}/${r.learners}`.padStart(9);
    const ratio = (r.exit.p95 / r.plain.exit.p95).toFixed(2).padStart(9);
    console.log(
      `${String(r.learners).padStart(8)}   ${ok}   ${ms(r.exit.p50).padStart(14)}   ${ms(r.exit.p95)}   ${plainOk} ${ms(r.plain.exit.p50)}   ${ms(r.plain.exit.p95)}   ${ratio}   ${r.peakRssMb.toFixed(0).padStart(6)} MiB`,
    );
  }
  const failures = crowd.flatMap((r) => r.failures);
  if (failures.length) console.log(`\nfailures (first 5):\n${failures.slice(0, 5).join("\n")}`);
  if (queue) printQueue(queue);
  if (principals) {
    console.log(`\nKafka principals for ${PRINCIPALS} new learners, CPU of the whole machine (broker and server) per principal`);
    console.log(`one after another        ${ms(principals.oneByOne.cpuMs)} CPU   ${ms(principals.oneByOne.wallMs)} wall`);
    console.log(`asked for all at once    ${ms(principals.together.cpuMs)} CPU   ${ms(principals.together.wallMs)} wall (made in batches)`);
  }
}

interface PrincipalCost {
  oneByOne: { cpuMs: number; wallMs: number };
  together: { cpuMs: number; wallMs: number };
}

/** CPU time the whole machine has spent (every core, every process), in ms. */
async function machineCpuMs(): Promise<number> {
  const fields = (await readFile("/proc/stat", "utf8")).split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user, nice, system, irq, softirq, steal: not idle or waiting for disks; the kernel counts in hundredths of a second.
  return [0, 1, 2, 5, 6, 7].reduce((sum: number, index) => sum + (fields[index] ?? 0), 0) * 10;
}

/**
 * What a new learner's Kafka principal costs: `learners` made one after another (as the first runs of learners
 * arriving apart), beside as many asked for at once (a class arriving together, made in batches). Each is removed after.
 */
async function principalCost(access: BrokerAccess, learners: number): Promise<PrincipalCost> {
  const measure = async (ask: (namespaces: string[], principals: LearnerPrincipals) => Promise<unknown>) => {
    const principals = new LearnerPrincipals(access, config.kafka.learnerQuotas);
    const namespaces = Array.from({ length: learners }, () => `l${randomBytes(10).toString("hex")}-`);
    try {
      // What the machine spends idle (the broker's own work) is measured first, and taken off after.
      const pause = () => new Promise((resolve) => setTimeout(resolve, 2000));
      const idleFrom = await machineCpuMs();
      await pause();
      const cpu = await machineCpuMs();
      const idlePerPause = cpu - idleFrom;
      const started = performance.now();
      await ask(namespaces, principals);
      const wallMs = (performance.now() - started) / learners;
      // Until the broker has applied what it was sent.
      await pause();
      return { cpuMs: Math.max(0, (await machineCpuMs()) - cpu - idlePerPause), wallMs };
    } finally {
      await principals.removeIdle(-1);
      await principals.close();
    }
  };
  const perLearner = ({ cpuMs, wallMs }: { cpuMs: number; wallMs: number }) => ({ cpuMs: cpuMs / learners, wallMs });

  const oneByOne = await measure(async (namespaces, principals) => {
    for (const namespace of namespaces) await principals.forLearner(namespace, namespace);
  });
  const together = await measure((namespaces, principals) => Promise.all(namespaces.map((namespace) => principals.forLearner(namespace, namespace))));
  return { oneByOne: perLearner(oneByOne), together: perLearner(together) };
}

function printQueue(q: QueueResult): void {
  const { maxConcurrent, maxQueued, memoryBudgetMb, cpus } = config.runs;
  console.log(
    `\n${q.learners} learners press Run at once on a server at its default caps (${maxConcurrent} runs, ${memoryBudgetMb} MiB, ${cpus} cores, ${maxQueued} in line)`,
  );
  console.log(`succeeded ${q.succeeded}/${q.learners}; ${q.waited} of them waited in line (the furthest back stood ${q.furthestBack}th)`);
  console.log(`refused with a reason ${q.refused.length}${q.refused.length ? `: "${q.refused[0]}"` : ""}`);
  console.log(`failed ${q.failures.length}${q.failures.length ? `:\n${q.failures.slice(0, 5).join("\n")}` : ""}`);
  console.log(`runs per minute sustained: ${(q.succeeded / q.minutes).toFixed(0)} (${q.succeeded} runs in ${(q.minutes * 60).toFixed(0)} s)`);
}

main().catch((error: Error) => {
  console.error(`\n✗ ${error.message}`);
  process.exit(1);
});
