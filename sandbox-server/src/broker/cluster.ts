// Starting, inspecting and stopping the course's Kafka, whichever runtime provides it.
// A small state file records what was started so `status` and `stop` work from another terminal.
import { existsSync, readFileSync } from "node:fs";
import { readFile, writeFile, rm, mkdir } from "node:fs/promises";
import path from "node:path";
import type { ClusterMode, TributaryConfig } from "../config.ts";
import { clusterTopology, bootstrapAddresses } from "./topology.ts";
import { startJvmCluster, checkJavaAndMaven, type RunningCluster } from "./jvm.ts";
import { dockerEngineAnswers, startDockerCluster, stopDockerCluster } from "./docker.ts";
import { probeKafka, type KafkaProbe } from "./readiness.ts";
import type { BrokerAccess, KafkaCredentials } from "./access.ts";

export interface ClusterRecord {
  runtime: "jvm" | "docker";
  mode: ClusterMode;
  bootstrap: string[];
  /** The cluster's super user (JVM clusters); the record file is readable by its owner only. */
  admin?: KafkaCredentials;
  pids: number[];
  startedAt: string;
}

const recordFile = (config: TributaryConfig) => path.join(config.kafka.homeDir, "cluster.json");

async function readRecord(config: TributaryConfig): Promise<ClusterRecord | undefined> {
  const file = recordFile(config);
  if (!existsSync(file)) return undefined;
  return JSON.parse(await readFile(file, "utf8")) as ClusterRecord;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An exited child its parent has not reaped yet (a zombie) still answers signal 0.
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc (macOS): trust the signal
  }
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

/** Starts Kafka in the configured mode and records it; the caller owns the returned cluster. */
export async function startKafka(
  config: TributaryConfig,
  mode: ClusterMode,
  onProgress: (message: string) => void,
): Promise<RunningCluster> {
  const topology = clusterTopology(mode, config.kafka.portBase);
  const runtime = await chooseRuntime(config);
  const cluster =
    runtime === "docker"
      ? await startDockerCluster(config.projectRoot, topology, onProgress)
      : await startJvmCluster({
          topology,
          homeDir: config.kafka.homeDir,
          pomPath: path.join(config.projectRoot, "kafka", "pom.xml"),
          learnerLimits: config.kafka.learnerQuotas,
          onProgress,
        });
  await mkdir(config.kafka.homeDir, { recursive: true });
  const record: ClusterRecord = {
    runtime,
    mode,
    bootstrap: cluster.bootstrap,
    admin: cluster.admin,
    pids: cluster.pids,
    startedAt: new Date().toISOString(),
  };
  await writeFile(recordFile(config), JSON.stringify(record, null, 2) + "\n", { mode: 0o600 });
  return cluster;
}

/** Forgets the record of a cluster this process started and has now stopped. */
export async function forgetKafka(config: TributaryConfig): Promise<void> {
  await rm(recordFile(config), { force: true });
}

export interface KafkaStatus {
  record?: ClusterRecord;
  processesAlive: number;
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
    processesAlive: record ? record.pids.filter(alive).length : 0,
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
    const running = record.pids.filter(alive);
    onProgress(`stopping ${running.length} Kafka process(es)`);
    for (const pid of running) process.kill(pid, "SIGTERM");
    // A node sometimes hangs in controlled shutdown once the quorum is gone; it holds no data we need by then.
    const deadline = Date.now() + 25000;
    while (running.some(alive) && Date.now() < deadline) {
      onProgress(`waiting for ${running.filter(alive).length} Kafka process(es) to shut down`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const stuck = running.filter(alive);
    if (stuck.length) onProgress(`${stuck.length} Kafka process(es) did not shut down within 25 s; killing them`);
    for (const pid of stuck) process.kill(pid, "SIGKILL");
  }
  await forgetKafka(config);
  return true;
}
