// What a fault lab costs the machine: the time from "Start lab" to three brokers that answer with the learner's
// login made, the resident memory of its four JVMs, and a broker's restart; beside them, measured in the same run,
// the course's own single broker started the same way (the baseline a host already pays for).
//
//   bash scripts/node.sh test/bench/fault-lab.ts          (BENCH_LAB_ROUNDS=3 by default)
import { readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { LabCluster } from "../../sandbox-server/src/lab/index.ts";
import { clusterTopology, processAlive, startJvmCluster, type RunningCluster } from "../../sandbox-server/src/provisioning/index.ts";

const config = loadConfig();
const rounds = Number(process.env.BENCH_LAB_ROUNDS ?? 3);
/** Below the kernel's ephemeral range, apart from the course's and the other benchmarks' ports. */
const LAB_PORT = Number(process.env.TRIBUTARY_BENCH_LAB_PORT ?? 25500);
const BASELINE_PORT = LAB_PORT + 20;
const jvm = { homeDir: config.kafka.homeDir, pomPath: path.join(config.projectRoot, "kafka", "pom.xml"), learnerLimits: config.kafka.learnerQuotas };

/** Resident memory of processes, in MiB, read from /proc. */
async function rssMb(pids: readonly number[]): Promise<number> {
  let kib = 0;
  for (const pid of pids.filter(processAlive)) {
    const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
    kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return kib / 1024;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function baselineRound(dir: string): Promise<{ startMs: number; rssMb: number }> {
  await rm(dir, { recursive: true, force: true });
  const started = performance.now();
  const cluster: RunningCluster = await startJvmCluster({
    ...jvm,
    topology: clusterTopology("single", BASELINE_PORT),
    portSetting: "TRIBUTARY_BENCH_LAB_PORT",
    clusterDir: dir,
    onProgress: () => {},
  });
  const startMs = performance.now() - started;
  const rss = await rssMb(cluster.pids);
  await Promise.all(cluster.pids.map((pid) => process.kill(pid, "SIGKILL")));
  await rm(dir, { recursive: true, force: true });
  return { startMs, rssMb: rss };
}

async function labRound(dir: string): Promise<{ startMs: number; rssMb: number; restartMs: number }> {
  const started = performance.now();
  const lab = await LabCluster.start({
    jvm,
    dir,
    portBase: LAB_PORT,
    quotas: config.kafka.learnerQuotas,
    passwordKey: Buffer.alloc(32, 7),
    learner: { id: "bench", namespace: "t-bench." },
    onProgress: () => {},
  });
  const startMs = performance.now() - started;
  const rss = await rssMb(lab.pids);
  await lab.stopBroker(2, "t-bench.");
  const restarting = performance.now();
  await lab.startBroker(2);
  const restartMs = performance.now() - restarting;
  await lab.close();
  return { startMs, rssMb: rss, restartMs };
}

const root = path.join(os.tmpdir(), `tributary-bench-lab-${process.pid}`);
const baseline: { startMs: number; rssMb: number }[] = [];
const labs: { startMs: number; rssMb: number; restartMs: number }[] = [];
for (let round = 0; round < rounds; round++) {
  baseline.push(await baselineRound(path.join(root, "baseline")));
  labs.push(await labRound(path.join(root, "lab")));
  console.log(
    `round ${round + 1}/${rounds}: lab ${(labs.at(-1)!.startMs / 1000).toFixed(1)} s, single broker ${(baseline.at(-1)!.startMs / 1000).toFixed(1)} s`,
  );
}
await rm(root, { recursive: true, force: true });

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(`\nA fault lab (three brokers and a controller) against the course's single broker, started the same way; medians of ${rounds}`);
console.log("                         start → answering    resident memory    a stopped broker back");
console.log(
  `fault lab                ${s(median(labs.map((l) => l.startMs))).padStart(17)}    ${median(labs.map((l) => l.rssMb))
    .toFixed(0)
    .padStart(11)} MiB    ${s(median(labs.map((l) => l.restartMs))).padStart(20)}`,
);
console.log(
  `single broker (baseline) ${s(median(baseline.map((b) => b.startMs))).padStart(17)}    ${median(baseline.map((b) => b.rssMb))
    .toFixed(0)
    .padStart(11)} MiB    ${"—".padStart(20)}`,
);
console.log(
  `ratio                    ${(median(labs.map((l) => l.startMs)) / median(baseline.map((b) => b.startMs))).toFixed(2).padStart(16)}×    ${(median(labs.map((l) => l.rssMb)) / median(baseline.map((b) => b.rssMb))).toFixed(2).padStart(13)}×`,
);
