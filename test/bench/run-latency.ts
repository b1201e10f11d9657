// npm run bench: how long a Run takes through the sandbox API, next to the same program under plain node.
// Prints figures; asserts nothing. Uses Kafka at KAFKA_BOOTSTRAP (or the course's), else starts a broker of its own.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { probeKafka, startJvmCluster, clusterTopology, type RunningCluster } from "../../sandbox-server/src/broker/index.ts";
import { compileProgram } from "../../sandbox-server/src/runs/index.ts";
import { startTestServer } from "../support/test-server.ts";
import { exerciseFile } from "../support/sandbox-client.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const config = loadConfig();

interface Timing {
  firstOutputMs: number;
  exitMs: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const summary = (timings: Timing[], key: keyof Timing) => ({ p50: percentile(timings.map((t) => t[key]), 50), p95: percentile(timings.map((t) => t[key]), 95) });
const ms = (value: number) => `${value.toFixed(0).padStart(5)} ms`;

async function kafka(): Promise<{ bootstrap: string[]; cluster?: RunningCluster }> {
  if ((await probeKafka(config.kafka.bootstrap)).reachable) return { bootstrap: config.kafka.bootstrap };
  console.log("Kafka does not answer; starting a broker for the benchmark on 127.0.0.1:39092…");
  const cluster = await startJvmCluster({
    topology: clusterTopology("single", 39092),
    homeDir: path.join(config.projectRoot, ".tributary", "bench", "kafka"),
    pomPath: path.join(config.projectRoot, "kafka", "pom.xml"),
    onProgress: () => {},
  });
  return { bootstrap: cluster.bootstrap, cluster };
}

/** The producer solution under plain `node`, with kafkajs resolvable, as a learner would run it at home. */
async function plainNode(code: string, bootstrap: string[]): Promise<Timing> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [code], { env: { ...process.env, KAFKA_BROKERS: bootstrap.join(","), KAFKAJS_NO_PARTITIONER_WARNING: "1" }, stdio: ["ignore", "pipe", "inherit"] });
    let firstOutputMs = NaN;
    child.stdout.once("data", () => (firstOutputMs = performance.now() - started));
    child.once("error", reject);
    child.once("close", () => resolve({ firstOutputMs, exitMs: performance.now() - started }));
  });
}

async function main() {
  const { bootstrap, cluster } = await kafka();
  const solution = await exerciseFile("first-producer", "solution");
  const compiled = await compileProgram({ "main.ts": solution });
  if (!compiled.ok) throw new Error(compiled.message);
  const dir = await mkdtemp(path.join(os.tmpdir(), "tributary-bench-"));
  await symlink(path.join(config.projectRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  const script = path.join(dir, "main.mjs");
  await writeFile(script, compiled.code);

  const sandbox = await startTestServer(bootstrap);
  const learner = sandbox.learner();
  const viaNode: Timing[] = [];
  const viaApi: Timing[] = [];
  try {
    // One warm-up of each, so neither side pays for a cold disk cache.
    await plainNode(script, bootstrap);
    await learner.run("first-producer", solution);
    for (let round = 0; round < ROUNDS; round++) {
      viaNode.push(await plainNode(script, bootstrap));
      const started = performance.now();
      const { eventsUrl } = await learner.startRun("first-producer", solution);
      let firstOutputMs = NaN;
      await learner.readRun(eventsUrl, (output) => {
        if (Number.isNaN(firstOutputMs) && output.stdout) firstOutputMs = performance.now() - started;
        return false;
      });
      viaApi.push({ firstOutputMs, exitMs: performance.now() - started });
      process.stdout.write(`\rround ${round + 1}/${ROUNDS}`);
    }
  } finally {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
    await cluster?.stop();
  }

  const node = { first: summary(viaNode, "firstOutputMs"), exit: summary(viaNode, "exitMs") };
  const api = { first: summary(viaApi, "firstOutputMs"), exit: summary(viaApi, "exitMs") };
  console.log(`\n\nProducer exercise (first-producer solution), ${ROUNDS} runs each, Kafka at ${bootstrap.join(",")}`);
  console.log("                         Run → first output        Run → exit");
  console.log("                         p50        p95            p50        p95");
  console.log(`plain node               ${ms(node.first.p50)}   ${ms(node.first.p95)}       ${ms(node.exit.p50)}   ${ms(node.exit.p95)}`);
  console.log(`sandbox API (HTTP+SSE)   ${ms(api.first.p50)}   ${ms(api.first.p95)}       ${ms(api.exit.p50)}   ${ms(api.exit.p95)}`);
  console.log(`ratio API / node (p50)   ${(api.first.p50 / node.first.p50).toFixed(2).padStart(8)}                  ${(api.exit.p50 / node.exit.p50).toFixed(2).padStart(8)}`);
  console.log(`bench process memory: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB resident (server runs in this process)`);
}

main().catch((error: Error) => {
  console.error(`\n✗ ${error.message}`);
  process.exit(1);
});
