// npm run bench: how long a Run takes through the sandbox API, next to the same program under plain node.
// Prints figures; asserts nothing. Uses Kafka at KAFKA_BOOTSTRAP (or the course's), else starts a broker of its own.
import { randomBytes } from "node:crypto";
import { execFile, spawn } from "node:child_process";
import { build } from "esbuild";
import { Kafka } from "kafkajs";
import { mkdtemp, readFile, rm, writeFile, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
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
/** How long a crowd's learners read the page they opened before all press Run together. */
const READING_MS = Number(process.env.BENCH_READING_MS ?? 3000);
const config = loadConfig();
const run = promisify(execFile);

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
  plain: PlainCrowd;
  /** The same again, with kafkajs's idle connections quieted as in the course's runs (kafkajs-idle-queues.ts). */
  plainQuiet: PlainCrowd;
  /** Processes started and waiting when all pressed Run (every language's, kept for readers or not). */
  readyAtRun: number;
  cpu: CpuPerRun;
  peakRssMb: number;
  failures: string[];
}

/** CPU a crowd cost, per run, split by who spent it: milliseconds of one core. */
interface CpuPerRun {
  machine: number;
  /** The broker's JVM (only when the bench started it, so its pid is known). */
  broker?: number;
  /** This process: the sandbox server (it runs in here) and the bench's own clients. */
  server: number;
  /** Everything else: the programs, their sandboxes, the kernel's work for them. */
  programs: number;
}

/** CPU time of a process (user and system), in ms; undefined once it is gone. */
async function processCpuMs(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (!stat) return undefined;
  // Fields after the command's closing parenthesis; utime and stime are the 14th and 15th of the whole line.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Starts counting CPU; the returned function stops and divides by the runs. */
async function cpuMeter(brokerPids: number[]): Promise<(runs: number) => Promise<CpuPerRun>> {
  const brokerCpu = async () => {
    const each = await Promise.all(brokerPids.map(processCpuMs));
    return each.some((ms) => ms === undefined) ? undefined : each.reduce((a: number, b) => a + (b ?? 0), 0);
  };
  const serverCpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const from = { machine: await machineCpuMs(), broker: brokerPids.length ? await brokerCpu() : undefined, server: serverCpu() };
  return async (runs) => {
    const machine = (await machineCpuMs()) - from.machine;
    const brokerTo = from.broker === undefined ? undefined : await brokerCpu();
    const broker = brokerTo === undefined || from.broker === undefined ? undefined : brokerTo - from.broker;
    const server = serverCpu() - from.server;
    const programs = machine - (broker ?? 0) - server;
    const per = (ms: number) => ms / Math.max(1, runs);
    return { machine: per(machine), ...(broker !== undefined && { broker: per(broker) }), server: per(server), programs: per(programs) };
  };
}

type PlainCrowd = { succeeded: number; exit: { p50: number; p95: number }; cpu: CpuPerRun };

/**
 * A script that, loaded with `node --import`, quiets kafkajs's idle connections as the course's launcher does:
 * the second baseline, so that the crowd's ratio is also known against plain `node` doing the same work.
 */
async function quietQueuesPreload(dir: string): Promise<string> {
  const file = path.join(dir, "quiet-idle-queues.mjs");
  const fix = path.join(config.projectRoot, "sandbox-server", "src", "runs", "inside", "kafkajs-idle-queues.ts");
  await build({
    stdin: {
      contents: `import { createRequire } from "node:module";\nimport { quietIdleRequestQueues } from ${JSON.stringify(fix)};\nquietIdleRequestQueues(createRequire(process.argv[1]));\n`,
      resolveDir: dir,
      loader: "ts",
    },
    bundle: true,
    outfile: file,
    platform: "node",
    format: "esm",
    logLevel: "silent",
  });
  return file;
}

/**
 * N plain `node` processes of the same program started together: the crowd's fair baseline on this machine.
 * They are started by a small process of their own (plain-crowd.mjs), as a shell would start them, and each
 * is timed from the moment the crowd started, as each learner is from when all pressed Run. Started from this
 * process instead, each start would block the next for as long as forking this large process takes (tens of
 * ms under load), and a process's clock would start only once those before it had been started.
 */
async function plainNodeCrowd(script: string, access: BrokerAccess, processes: number, preload?: string): Promise<PlainCrowd> {
  const meter = await cpuMeter(brokerPids);
  const env = {
    ...process.env,
    KAFKA_BROKERS: access.bootstrap.join(","),
    ...(access.admin && { KAFKA_USERNAME: access.admin.username, KAFKA_PASSWORD: access.admin.password }),
    KAFKAJS_NO_PARTITIONER_WARNING: "1",
  };
  const launcher = fileURLToPath(new URL("./plain-crowd.mjs", import.meta.url));
  const { stdout } = await run(
    process.execPath,
    [launcher, String(processes), "bench-plain-node-", process.execPath, ...(preload ? ["--import", preload] : []), script],
    {
      env,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const ended = JSON.parse(stdout) as { exitMs: number; code: number }[];
  const cpu = await meter(processes);
  // Their topics go, so that a broker the course shares does not keep them.
  const admin = new Kafka(kafkajsConfig(access, "bench-cleanup")).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((name) => /^bench-plain-node-[0-9a-f]{10}-/.test(name));
  if (topics.length) await admin.deleteTopics({ topics });
  await admin.disconnect();
  // A plain process that fails counts as failed, as a learner's run does.
  const succeeded = ended.filter((e) => e.code === 0).map((e) => ({ firstOutputMs: NaN, exitMs: e.exitMs }));
  return { succeeded: succeeded.length, exit: summary(succeeded, "exitMs"), cpu };
}

let sandboxIsolation = "";
/** The bench's own broker's JVMs, whose CPU is counted apart; none when the course's Kafka is measured. */
let brokerPids: number[] = [];

/** N learners (N cookies) start the same program at once; each run must exit 0. */
async function concurrentLearners(
  sandbox: Awaited<ReturnType<typeof startTestServer>>,
  code: string,
  learners: number,
  plain: PlainCrowd,
  plainQuiet: PlainCrowd,
): Promise<CrowdResult> {
  sandboxIsolation = sandbox.server.isolation.kind;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const failures: string[] = [];
  // Each opens the exercise's page first, as in a browser: the page's first read gives them their id, the
  // next brings it back, and the server makes their Kafka principal while they read (its CPU is measured
  // apart, below the crowds).
  const crowd = Array.from({ length: learners }, () => sandbox.learner());
  await Promise.all(crowd.map(async (learner) => (await learner.json("GET", "/api/progress"), await learner.json("GET", "/api/learner"))));
  await new Promise((resolve) => setTimeout(resolve, READING_MS));
  const health = await crowd[0]!.json<{ runs: { warmSandboxes: number } }>("GET", "/api/health");
  const meter = await cpuMeter(brokerPids);
  const timings = await Promise.all(
    crowd.map(async (learner, i) => {
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
  const cpu = await meter(learners);
  clearInterval(sampler);
  const succeeded = timings.filter((t): t is Timing => t !== undefined);
  process.stdout.write(`\r${learners} concurrent learners: ${succeeded.length} succeeded\n`);
  return {
    learners,
    succeeded: succeeded.length,
    exit: summary(succeeded, "exitMs"),
    plain,
    plainQuiet,
    readyAtRun: health.body.runs.warmSandboxes,
    cpu,
    peakRssMb: peakRss / 1024 / 1024,
    failures,
  };
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
  const server = await startTestServer(access, { env: { TRIBUTARY_WARM_FOR_READERS: undefined } });
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
  brokerPids = cluster?.pids ?? [];
  const solution = await exerciseFile("first-producer", "solution");
  const compiled = await compileProgram({ "main.ts": solution });
  if (!compiled.ok) throw new Error(compiled.message);
  const dir = await mkdtemp(path.join(os.tmpdir(), "tributary-bench-"));
  await symlink(path.join(config.projectRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  const script = path.join(dir, "main.mjs");
  await writeFile(script, compiled.code);
  const quietPreload = await quietQueuesPreload(dir);

  const pythonSolution = (await courseExercises()).get("first-producer")?.code.python?.solution;
  const python = await ensurePythonRuntime();
  const pythonScript = path.join(dir, "main.py");
  if (pythonSolution) await writeFile(pythonScript, pythonSolution);
  // At the product's defaults but for these caps: sandboxes are kept for readers (TRIBUTARY_WARM_FOR_READERS unset).
  const serverEnv = {
    TRIBUTARY_MAX_RUNS: String(Math.max(...CONCURRENCY) + 8),
    TRIBUTARY_RUNS_PER_MINUTE: String(ROUNDS * 4 + 10),
    TRIBUTARY_WARM_FOR_READERS: undefined,
  };
  const sandbox = await startTestServer(access, { env: serverEnv });
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
      const plainQuiet = await plainNodeCrowd(script, access, learners, quietPreload);
      // A server of its own for each crowd: the learners of an earlier crowd would still count as reading, and
      // have processes kept started for them that this crowd's runs would take.
      const crowdServer = await startTestServer(access, { env: serverEnv });
      try {
        crowd.push(await concurrentLearners(crowdServer, solution, learners, plain, plainQuiet));
      } finally {
        await crowdServer.close();
      }
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
  console.log(`\nConcurrent new learners: each opens the exercise's page, reads for ${READING_MS / 1000} s, then all press Run together`);
  console.log("(the producer solution), beside as many plain `node` processes of the same program started together just before:");
  console.log("as they are, and with kafkajs's idle connections quieted as the course's runs have them (see kafkajs-idle-queues.ts).");
  console.log("Every run and every process is timed from the moment its crowd started (goal: p95 ratio ≤ 1.3); each crowd has a");
  console.log('server of its own, and "ready" counts the processes it had started and waiting (all languages) when all pressed Run');
  console.log("learners   ready   succeeded   Run → exit p50   p95        plain node p50   p95   ratio   quieted p50   p95   ratio   server memory");
  for (const r of crowd) {
    const ok = `${r.succeeded}/${r.learners}`.padStart(9);
    const against = (plain: PlainCrowd) =>
      `${plain.succeeded < r.learners ? `(${plain.succeeded} ok) ` : ""}${ms(plain.exit.p50)} ${ms(plain.exit.p95)} ${(r.exit.p95 / plain.exit.p95).toFixed(2).padStart(6)}`;
    console.log(
      `${String(r.learners).padStart(8)}   ${String(r.readyAtRun).padStart(5)}   ${ok}   ${ms(r.exit.p50).padStart(14)}   ${ms(r.exit.p95)}   ${against(r.plain)}   ${against(r.plainQuiet)}   ${r.peakRssMb.toFixed(0).padStart(6)} MiB`,
    );
  }
  console.log("\nCPU per run in those crowds, ms of one core: the whole machine, and who spent it");
  console.log("learners   side              machine    broker    server (and bench)   programs and sandboxes");
  const cpuRow = (label: string, c: CpuPerRun) =>
    `${label}${ms(c.machine)}  ${c.broker === undefined ? "        —" : ms(c.broker)}    ${ms(c.server)}             ${ms(c.programs)}`;
  for (const r of crowd) {
    console.log(cpuRow(`${String(r.learners).padStart(8)}   plain node      `, r.plain.cpu));
    console.log(cpuRow(`${" ".repeat(8)}   plain, quieted  `, r.plainQuiet.cpu));
    console.log(cpuRow(`${" ".repeat(8)}   through API     `, r.cpu));
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
