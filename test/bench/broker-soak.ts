// A soak of the course's broker: a few learners run and check exercises for SOAK_MINUTES (30), while the
// broker JVM's resident memory, open descriptors and threads, and the server's live sandboxes (bubblewrap
// process trees), are sampled every 30 s. Prints figures; asserts nothing. Starts a broker of its own on
// SOAK_KAFKA_PORT (24192), with the flags `npm start` uses.
import { readFile, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { startJvmCluster, clusterTopology } from "../../sandbox-server/src/provisioning/index.ts";
import { startTestServer } from "../support/test-server.ts";
import { exerciseFile } from "../support/sandbox-client.ts";
import { runFolders, sandboxTrees } from "../support/live-sandboxes.ts";

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const LEARNERS = Number(process.env.SOAK_LEARNERS ?? 3);
const PORT = Number(process.env.SOAK_KAFKA_PORT ?? 24192);
const SAMPLE_MS = 30_000;
const config = loadConfig();

async function processFigures(pid: number): Promise<{ rssMb: number; fds: number; threads: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
  return { rssMb: field("VmRSS") / 1024, fds: (await readdir(`/proc/${pid}/fd`)).length, threads: field("Threads") };
}

const homeDir = path.join(config.projectRoot, ".tributary", "soak", "kafka");
await rm(path.join(homeDir, "single"), { recursive: true, force: true });
const cluster = await startJvmCluster({
  topology: clusterTopology("single", PORT),
  homeDir,
  pomPath: path.join(config.projectRoot, "kafka", "pom.xml"),
  learnerLimits: config.kafka.learnerQuotas,
  portSetting: "SOAK_KAFKA_PORT",
  onProgress: () => {},
});
const server = await startTestServer({ bootstrap: cluster.bootstrap, admin: cluster.admin });
// Ctrl-C ends the soak early; the broker and server it started go with it.
process.once(
  "SIGINT",
  () =>
    void server
      .close()
      .then(() => cluster.stop())
      .then(() => process.exit(130)),
);
const pid = cluster.pids[0]!;
const programs = await Promise.all(
  (["first-producer", "first-consumer", "keys-and-ordering"] as const).map(async (id) => ({ id, code: await exerciseFile(id, "solution") })),
);

const deadline = Date.now() + MINUTES * 60_000;
let runs = 0;
let failedRuns = 0;
let checks = 0;
async function learnerLoop(index: number): Promise<void> {
  const learner = server.learner();
  for (let round = index; Date.now() < deadline; round++) {
    const { id, code } = programs[round % programs.length]!;
    const { id: runId, eventsUrl } = await learner.startRun(id, code);
    // A consumer reads until stopped: stop it once it has printed a record, as a learner would.
    const output = await learner.readRun(eventsUrl, (sofar) => id === "first-consumer" && sofar.stdout.includes("offset"));
    if (!output.exit) await learner.request("DELETE", `/api/runs/${runId}`);
    runs++;
    if (output.exit && output.exit.code !== 0) failedRuns++;
    await learner.json("POST", `/api/exercises/${id}/grade`);
    checks++;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

console.log(`Soak: ${LEARNERS} learners for ${MINUTES} min against one broker (pid ${pid}) on 127.0.0.1:${PORT}`);
console.log(" minute   RSS MiB   fds  threads   runs  failed  checks  sandboxes");
const started = Date.now();
const samples: number[] = [];
const sample = async () => {
  const figures = await processFigures(pid);
  samples.push(figures.rssMb);
  const minute = ((Date.now() - started) / 60_000).toFixed(1).padStart(7);
  console.log(
    `${minute} ${figures.rssMb.toFixed(0).padStart(9)} ${String(figures.fds).padStart(5)} ${String(figures.threads).padStart(8)} ${String(runs).padStart(6)} ${String(failedRuns).padStart(7)} ${String(checks).padStart(7)} ${String(await sandboxTrees()).padStart(10)}`,
  );
};
await sample();
const sampler = setInterval(() => void sample(), SAMPLE_MS);
await Promise.all(Array.from({ length: LEARNERS }, (_, i) => learnerLoop(i)));
clearInterval(sampler);
await sample();
const tenth = Math.max(1, Math.floor(samples.length / 10));
const early = samples.slice(0, tenth);
const late = samples.slice(-tenth);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
console.log(
  `RSS: first samples ${mean(early).toFixed(0)} MiB, last samples ${mean(late).toFixed(0)} MiB, peak ${Math.max(...samples).toFixed(0)} MiB`,
);
// Once the last runs ended and the pools refilled, the server holds its warm pools (TypeScript's and Python's) and nothing more.
await new Promise((resolve) => setTimeout(resolve, 10_000));
console.log(
  `Sandboxes after the soak: ${await sandboxTrees()} bubblewrap trees, ${(await runFolders()).length} run folders; warm pools: ${2 * server.config.runs.warmSandboxes}`,
);
await server.close();
await cluster.stop();
process.exit(0);
