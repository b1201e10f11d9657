// Starting, inspecting and stopping the course's Kafka, whichever runtime provides it. What was started
// is recorded (cluster-record.ts) and removed only by the command that started that cluster, once that
// cluster is gone: whatever order of start, kill and Ctrl-C.
import path from "node:path";
import type { TributaryConfig } from "../config.ts";
import { probeKafka, type KafkaProbe } from "../kafka/readiness.ts";
import type { BrokerAccess } from "../kafka/access.ts";
import { checkJavaAndMaven } from "../java-build/index.ts";
import { changeRecord, readRecord, type ClusterRecord } from "./cluster-record.ts";
import { clusterTopology, bootstrapAddresses, type ClusterMode, type ClusterTopology } from "./topology.ts";
import { startJvmCluster, type RunningCluster } from "./jvm-cluster.ts";
import type { JvmClusterOptions } from "./kafka-node.ts";
import { processAlive, terminateBroker } from "./broker-processes.ts";
import { dockerEngineAnswers, startDockerCluster, stopDockerCluster } from "./docker.ts";
import { refuseEphemeralBrokerPorts } from "./ports.ts";

/** Whether any process of a recorded cluster still runs (Docker: assumed, compose knows). */
export function recordAlive(record: ClusterRecord): boolean {
  return record.runtime === "docker" || record.pids.some(processAlive);
}

/** Picks Docker when asked, or when "auto" and an engine answers; else the JVM. */
async function chooseRuntime(config: TributaryConfig): Promise<"docker" | "jvm"> {
  if (config.kafka.runtime !== "auto") return config.kafka.runtime;
  if (await dockerEngineAnswers()) return "docker";
  try {
    await checkJavaAndMaven();
    return "jvm";
  } catch (error) {
    throw new Error(`No Docker engine answers, and Kafka cannot run on the JVM either: ${(error as Error).message}`);
  }
}

/** How a cluster of the configured Kafka is laid out and built, on either runtime. */
export function clusterOptions(config: TributaryConfig, topology: ClusterTopology, onProgress: (m: string) => void): JvmClusterOptions {
  return {
    topology,
    homeDir: config.kafka.homeDir,
    pomPath: path.join(config.projectRoot, "kafka", "pom.xml"),
    learnerLimits: config.kafka.learnerQuotas,
    portSetting: "TRIBUTARY_KAFKA_PORT",
    onProgress,
  };
}

function refuseRunningCluster(record: ClusterRecord | undefined): void {
  if (record?.runtime !== "jvm" || !recordAlive(record)) return;
  throw new Error(
    `A Kafka started by Tributary still runs (${record.mode}, bootstrap ${record.bootstrap.join(",")}, pids ${record.pids.filter(processAlive).join(", ")}). ` +
      "Use it, or stop it first with `npm run kafka -- stop`.",
  );
}

/** Starts Kafka in the configured mode and records it; the caller owns the returned cluster. */
export async function startKafka(config: TributaryConfig, mode: ClusterMode, onProgress: (message: string) => void): Promise<RunningCluster> {
  const topology = clusterTopology(mode, config.kafka.portBase);
  refuseEphemeralBrokerPorts(topology, "TRIBUTARY_KAFKA_PORT");
  await changeRecord(config, async (record) => ({ record: undefined, result: refuseRunningCluster(record) }));
  const runtime = await chooseRuntime(config);
  const options = clusterOptions(config, topology, onProgress);
  const cluster = runtime === "docker" ? await startDockerCluster(config.projectRoot, options) : await startJvmCluster(options);
  await changeRecord(config, async () => {
    const record: ClusterRecord = {
      runtime,
      mode,
      bootstrap: cluster.bootstrap,
      admin: cluster.admin,
      pids: cluster.pids,
      owner: process.pid,
      stoppedNodes: [],
      startedAt: new Date().toISOString(),
    };
    return { record, result: undefined };
  });
  return cluster;
}

/**
 * Stops a cluster this process started, with every node restarted since, and forgets its record,
 * unless the record is by now another command's (a Kafka started after this one died).
 */
export async function stopOwnKafka(config: TributaryConfig, cluster: RunningCluster): Promise<void> {
  // Marked as stopping first, under the lock: no `start-node` can add a node this stop would not see.
  const ours = await changeRecord(config, async (record) => {
    if (record?.owner !== process.pid) return { record: undefined, result: false };
    if (record.runtime === "jvm") cluster.pids.splice(0, cluster.pids.length, ...record.pids);
    return { record: { ...record, stopping: true }, result: true };
  });
  await cluster.stop();
  if (ours) await changeRecord(config, async (record) => ({ record: record?.owner === process.pid ? null : undefined, result: undefined }));
}

export interface KafkaStatus {
  record?: ClusterRecord;
  /** Whether each recorded node's process runs, node 1 first. */
  nodesAlive: boolean[];
  probe: KafkaProbe;
}

/**
 * How the server reaches the configured Kafka: its bootstrap addresses, with the super user given
 * in the environment or recorded by the `npm run kafka` (or `npm start`) that started a cluster at
 * those addresses, on the JVM or in Docker.
 */
export async function brokerAccess(config: TributaryConfig): Promise<BrokerAccess> {
  const { bootstrap } = config.kafka;
  if (config.kafka.admin) return { bootstrap, admin: config.kafka.admin };
  const record = await readRecord(config);
  const sameCluster = record && record.bootstrap.join(",") === bootstrap.join(",");
  return { bootstrap, admin: sameCluster ? record.admin : undefined };
}

/** What was started, whether its processes live, and whether Kafka answers. */
export async function kafkaStatus(config: TributaryConfig): Promise<KafkaStatus> {
  const record = await readRecord(config);
  const bootstrap = record?.bootstrap ?? bootstrapAddresses(clusterTopology(config.kafka.mode, config.kafka.portBase));
  return {
    record,
    nodesAlive: record ? record.pids.map(processAlive) : [],
    probe: await probeKafka({ bootstrap, admin: config.kafka.admin ?? record?.admin }),
  };
}

/** Stops a cluster started by another process (`npm run kafka -- stop`). */
export async function stopKafka(config: TributaryConfig, onProgress: (m: string) => void): Promise<boolean> {
  const record = await changeRecord(config, async (now) => ({ record: now && { ...now, stopping: true }, result: now }));
  if (!record) return false;
  if (record.runtime === "docker") {
    onProgress(`docker compose down (${record.mode})`);
    await stopDockerCluster(config.projectRoot, config.kafka.homeDir, record.mode);
  } else {
    const running = record.pids.filter(processAlive);
    onProgress(`stopping ${running.length} Kafka process(es)`);
    await Promise.all(
      running.map((pid) =>
        terminateBroker(pid, 25000, () => onProgress(`waiting for ${running.filter(processAlive).length} Kafka process(es) to shut down`)),
      ),
    );
  }
  await changeRecord(config, async (now) => ({ record: now?.startedAt === record.startedAt ? null : undefined, result: undefined }));
  return true;
}
