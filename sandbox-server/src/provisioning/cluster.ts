// Starting, inspecting and stopping the course's Kafka, whichever runtime provides it.
// A small record (cluster.json) says what was started, so `status`, `stop`, `stop-node`, `start-node`
// and `npm start` work from any terminal. It is written whole (a rename) and removed only by the
// command that started the cluster, once that cluster is gone: whatever order of start, kill and Ctrl-C.
import { existsSync } from "node:fs";
import { readFile, writeFile, rename, rm, mkdir } from "node:fs/promises";
import path from "node:path";
import type { ClusterMode, TributaryConfig } from "../config.ts";
import { clusterTopology, bootstrapAddresses, type ClusterTopology } from "./topology.ts";
import { startJvmCluster, type RunningCluster } from "./jvm-cluster.ts";
import { startJvmNode, processAlive, terminateBroker, brokerLogFile, type JvmClusterOptions } from "./kafka-node.ts";
import { checkJavaAndMaven } from "./kafka-jars.ts";
import { dockerEngineAnswers, startDockerCluster, stopDockerCluster } from "./docker.ts";
import { probeKafka, type KafkaProbe } from "../kafka/readiness.ts";
import type { BrokerAccess, KafkaCredentials } from "../kafka/access.ts";

export interface ClusterRecord {
  runtime: "jvm" | "docker";
  mode: ClusterMode;
  bootstrap: string[];
  /** The cluster's super user (JVM clusters); the record file is readable by its owner only. */
  admin?: KafkaCredentials;
  /** Process id of each node, node 1 first; a restarted node's new pid replaces its old one. */
  pids: number[];
  /** The command that started the cluster (it stops it on Ctrl-C); only it forgets the record. */
  owner: number;
  /** Nodes stopped with `stop-node` and not started again: their absence is no surprise. */
  stoppedNodes: number[];
  /** Set by `stop` before it signals the nodes, so the owner knows the cluster was stopped on purpose. */
  stopping?: boolean;
  startedAt: string;
}

const recordFile = (config: TributaryConfig) => path.join(config.kafka.homeDir, "cluster.json");

/** The record of the cluster this project started, if any (a record that cannot be read counts as none). */
export async function readRecord(config: TributaryConfig): Promise<ClusterRecord | undefined> {
  const file = recordFile(config);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(await readFile(file, "utf8")) as ClusterRecord;
    return { ...record, stoppedNodes: record.stoppedNodes ?? [], owner: record.owner ?? 0 };
  } catch {
    return undefined;
  }
}

/** Writes the record whole: another command reading it meanwhile sees the old one or the new, never half. */
async function writeRecord(config: TributaryConfig, record: ClusterRecord): Promise<void> {
  await mkdir(config.kafka.homeDir, { recursive: true });
  const temporary = `${recordFile(config)}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, recordFile(config));
}

/** The layout of a recorded cluster, from its mode and first port. */
function recordTopology(record: ClusterRecord): ClusterTopology {
  return clusterTopology(record.mode, Number(record.bootstrap[0]!.split(":")[1]));
}

/** Whether any process of a recorded cluster still runs (Docker: assumed, compose knows). */
function recordAlive(record: ClusterRecord): boolean {
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

function jvmOptions(config: TributaryConfig, topology: ClusterTopology, onProgress: (m: string) => void): JvmClusterOptions {
  return {
    topology,
    homeDir: config.kafka.homeDir,
    pomPath: path.join(config.projectRoot, "kafka", "pom.xml"),
    learnerLimits: config.kafka.learnerQuotas,
    onProgress,
  };
}

/** Starts Kafka in the configured mode and records it; the caller owns the returned cluster. */
export async function startKafka(config: TributaryConfig, mode: ClusterMode, onProgress: (message: string) => void): Promise<RunningCluster> {
  const earlier = await readRecord(config);
  if (earlier && earlier.runtime === "jvm" && recordAlive(earlier)) {
    throw new Error(
      `A Kafka started by Tributary still runs (${earlier.mode}, bootstrap ${earlier.bootstrap.join(",")}, pids ${earlier.pids.filter(processAlive).join(", ")}). ` +
        "Use it, or stop it first with `npm run kafka -- stop`.",
    );
  }
  const topology = clusterTopology(mode, config.kafka.portBase);
  const runtime = await chooseRuntime(config);
  const cluster =
    runtime === "docker"
      ? await startDockerCluster(config.projectRoot, topology, onProgress)
      : await startJvmCluster(jvmOptions(config, topology, onProgress));
  await writeRecord(config, {
    runtime,
    mode,
    bootstrap: cluster.bootstrap,
    admin: cluster.admin,
    pids: cluster.pids,
    owner: process.pid,
    stoppedNodes: [],
    startedAt: new Date().toISOString(),
  });
  return cluster;
}

/**
 * Stops a cluster this process started, with every node restarted since, and forgets its record,
 * unless the record is by now another command's (a Kafka started after this one died).
 */
export async function stopOwnKafka(config: TributaryConfig, cluster: RunningCluster): Promise<void> {
  const record = await readRecord(config);
  const ours = record?.owner === process.pid;
  if (ours && record.runtime === "jvm") cluster.pids.splice(0, cluster.pids.length, ...record.pids);
  await cluster.stop();
  if (ours) await rm(recordFile(config), { force: true });
}

export interface KafkaStatus {
  record?: ClusterRecord;
  /** Whether each recorded node's process runs, node 1 first. */
  nodesAlive: boolean[];
  probe: KafkaProbe;
}

/**
 * How the server reaches the configured Kafka: its bootstrap addresses, with the super user given
 * in the environment or recorded by the `npm run kafka` that started a cluster at those addresses.
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
  const record = await readRecord(config);
  if (!record) return false;
  if (record.runtime === "docker") {
    onProgress(`docker compose down (${record.mode})`);
    await stopDockerCluster(config.projectRoot, record.mode);
  } else {
    await writeRecord(config, { ...record, stopping: true });
    const running = record.pids.filter(processAlive);
    onProgress(`stopping ${running.length} Kafka process(es)`);
    await Promise.all(
      running.map((pid) =>
        terminateBroker(pid, 25000, () => onProgress(`waiting for ${running.filter(processAlive).length} Kafka process(es) to shut down`)),
      ),
    );
  }
  await rm(recordFile(config), { force: true });
  return true;
}

async function recordedJvmCluster(config: TributaryConfig, nodeId: number): Promise<{ record: ClusterRecord; topology: ClusterTopology }> {
  const record = await readRecord(config);
  if (!record) throw new Error("No Kafka started by Tributary is running; start one with `npm run kafka -- multi`.");
  if (record.runtime !== "jvm") throw new Error("This Kafka runs in Docker; stop one broker with `docker compose stop`.");
  const topology = recordTopology(record);
  if (!Number.isInteger(nodeId) || nodeId < 1 || nodeId > topology.nodes.length) {
    throw new Error(`The running ${record.mode} cluster has nodes 1 to ${topology.nodes.length}; there is no node "${nodeId}".`);
  }
  return { record, topology };
}

/** Stops one node of a running cluster (`npm run kafka -- stop-node N`); the others keep serving. */
export async function stopKafkaNode(config: TributaryConfig, nodeId: number, onProgress: (m: string) => void): Promise<void> {
  const { record } = await recordedJvmCluster(config, nodeId);
  const pid = record.pids[nodeId - 1]!;
  if (!processAlive(pid)) throw new Error(`Kafka node ${nodeId} is not running; \`npm run kafka -- start-node ${nodeId}\` starts it.`);
  await writeRecord(config, { ...record, stoppedNodes: [...new Set([...record.stoppedNodes, nodeId])] });
  onProgress(`stopping Kafka node ${nodeId} (pid ${pid})`);
  await terminateBroker(pid, 25000);
}

/** Starts one node of a running cluster again (`npm run kafka -- start-node N`) and records its new pid. */
export async function startKafkaNode(config: TributaryConfig, nodeId: number, onProgress: (m: string) => void): Promise<number> {
  const { record, topology } = await recordedJvmCluster(config, nodeId);
  const old = record.pids[nodeId - 1]!;
  if (processAlive(old)) throw new Error(`Kafka node ${nodeId} already runs (pid ${old}).`);
  const pid = await startJvmNode(jvmOptions(config, topology, onProgress), nodeId, record.admin);
  const now = (await readRecord(config)) ?? record;
  const pids = [...now.pids];
  pids[nodeId - 1] = pid;
  await writeRecord(config, { ...now, pids, stoppedNodes: now.stoppedNodes.filter((id) => id !== nodeId) });
  return pid;
}

export type NodeChange =
  | { kind: "died"; node: number; logFile: string }
  | { kind: "stopped"; node: number }
  | { kind: "back"; node: number }
  | { kind: "cluster-stopped" };

/**
 * Watches the recorded cluster's nodes for the command that started it: a node that dies or is stopped,
 * a node that comes back, the whole cluster stopped from another terminal. Returns a function that stops watching.
 */
export function watchKafkaNodes(config: TributaryConfig, onChange: (change: NodeChange) => void, intervalMs = 500): () => void {
  let last: boolean[] | undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void readRecord(config)
      .then((record) => {
        if (!record || record.stopping) {
          if (last) onChange({ kind: "cluster-stopped" });
          clearInterval(timer);
          return;
        }
        const alive = record.pids.map(processAlive);
        alive.forEach((now, i) => {
          const before = last?.[i] ?? true;
          const node = i + 1;
          if (before && !now) {
            if (record.stoppedNodes.includes(node)) onChange({ kind: "stopped", node });
            else onChange({ kind: "died", node, logFile: brokerLogFile(config.kafka.homeDir, recordTopology(record), node) });
          } else if (!before && now) {
            onChange({ kind: "back", node });
          }
        });
        last = alive;
      })
      .finally(() => (busy = false));
  }, intervalMs);
  // Not unref'd: `npm run kafka` has nothing else to keep it running while it watches.
  return () => clearInterval(timer);
}
