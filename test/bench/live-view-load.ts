// npm run bench: what the live view costs the broker. One watcher, then 100 at once (one per learner, each
// learner with a topic of three partitions, records and a consumer group), next to the same broker idle,
// measured in the same run: the broker's CPU (its JVM's, from /proc), the requests the watchers sent, and
// the server's own CPU. A broker of its own, so nothing else loads it. Prints figures; asserts nothing.
import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { LearnerPrincipals, LearnerWatches, SCRAM_MECHANISM, learnerNamespace } from "../../sandbox-server/src/kafka/index.ts";
import { clusterTopology, startJvmCluster } from "../../sandbox-server/src/provisioning/index.ts";
import { BENCH_KAFKA_PORT } from "./bench-kafka.ts";

const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 100);
const WINDOW_MS = Number(process.env.BENCH_WATCH_SECONDS ?? 20) * 1000;
/** Ten ports above the run benchmark's broker, so both can run at once. */
const PORT = BENCH_KAFKA_PORT + 10;
const config = loadConfig();
/** Clock ticks per second, as /proc counts CPU time (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used: user and system time, fields 14 and 15 of /proc/<pid>/stat. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

const ownCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

interface Window {
  label: string;
  brokerCpuPercent: number;
  serverCpuPercent: number;
  requestsPerSecond: number;
  views: number;
}

console.log(`Starting a broker for the live view benchmark on 127.0.0.1:${PORT}…`);
const homeDir = path.join(config.projectRoot, ".tributary", "bench", "live-view-kafka");
await rm(path.join(homeDir, "single"), { recursive: true, force: true });
const cluster = await startJvmCluster({
  topology: clusterTopology("single", PORT),
  homeDir,
  pomPath: path.join(config.projectRoot, "kafka", "pom.xml"),
  learnerLimits: config.kafka.learnerQuotas,
  portSetting: "TRIBUTARY_BENCH_KAFKA_PORT",
  onProgress: () => {},
});
const access = { bootstrap: cluster.bootstrap, admin: cluster.admin };
const principals = new LearnerPrincipals(access, config.kafka.learnerQuotas);
const key = randomBytes(32);

try {
  console.log(`Making ${WATCHERS} learners, each with a topic of three partitions, 30 records and a group that read them…`);
  const learners = await Promise.all(
    Array.from({ length: WATCHERS }, async (_, i) => {
      const id = `bench-watcher-${i}`;
      const namespace = learnerNamespace(id, key);
      const { credentials } = await principals.forLearner(id, namespace);
      const kafka = new Kafka({
        clientId: "bench-live-view",
        brokers: cluster.bootstrap,
        logLevel: logLevel.NOTHING,
        ...(credentials && { sasl: { mechanism: SCRAM_MECHANISM.toLowerCase() as "scram-sha-256", ...credentials } }),
      });
      const topic = `${namespace}rides`;
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: false });
      // The producer's retries wait for the new topic's leaders.
      const producer = kafka.producer({ retry: { retries: 10 } });
      await producer.connect();
      await producer.send({ topic, messages: Array.from({ length: 30 }, (_, n) => ({ key: `ride-${n % 7}`, value: `{"ride":${n}}` })) });
      await producer.disconnect();
      await admin.setOffsets({ groupId: `${namespace}billing`, topic, partitions: [0, 1, 2].map((partition) => ({ partition, offset: "5" })) });
      await admin.disconnect();
      return { id, namespace };
    }),
  );
  const brokerPid = cluster.pids[0]!;

  async function measure(label: string, watching: number): Promise<Window> {
    const live = new LearnerWatches({
      course: async (learner) => ({
        bootstrap: cluster.bootstrap,
        credentials: (await principals.forLearner(learner.id, learner.namespace)).credentials,
      }),
    });
    let views = 0;
    const stops = learners.slice(0, watching).map((learner) => live.watch("course", learner, () => views++)!);
    // The first readings open connections and authenticate: measure the steady state after them.
    await new Promise((resolve) => setTimeout(resolve, watching > 0 ? 5000 : 0));
    const [brokerBefore, serverBefore, requestsBefore, viewsBefore, startedAt] = [
      await cpuSeconds(brokerPid),
      ownCpuSeconds(),
      live.requests,
      views,
      performance.now(),
    ];
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const seconds = (performance.now() - startedAt) / 1000;
    const window = {
      label,
      brokerCpuPercent: (((await cpuSeconds(brokerPid)) - brokerBefore) / seconds) * 100,
      serverCpuPercent: ((ownCpuSeconds() - serverBefore) / seconds) * 100,
      requestsPerSecond: (live.requests - requestsBefore) / seconds,
      views: views - viewsBefore,
    };
    for (const stop of stops) stop();
    await live.close();
    return window;
  }

  const windows = [await measure("idle broker (baseline)", 0), await measure("1 watcher", 1), await measure(`${WATCHERS} watchers`, WATCHERS)];
  const baseline = windows[0]!.brokerCpuPercent;
  console.log(`\nLive view load, ${WINDOW_MS / 1000} s per window, one broker (CPU in % of one core):`);
  console.log(`${"".padEnd(24)}${"broker CPU".padStart(12)}${"over idle".padStart(12)}${"server CPU".padStart(12)}${"requests/s".padStart(12)}`);
  for (const w of windows) {
    console.log(
      `${w.label.padEnd(24)}${`${w.brokerCpuPercent.toFixed(1)} %`.padStart(12)}${`${(w.brokerCpuPercent - baseline).toFixed(1)} %`.padStart(12)}${`${w.serverCpuPercent.toFixed(1)} %`.padStart(12)}${w.requestsPerSecond.toFixed(1).padStart(12)}`,
    );
  }
} finally {
  await principals.close();
  await cluster.stop();
}
