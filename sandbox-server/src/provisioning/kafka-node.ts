// One Kafka node on the JVM: its folders, its storage formatted once, its process started (with bounded
// memory and open files) and stopped; also a node restarted on its own in a running cluster.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, openSync, closeSync, readFileSync } from "node:fs";
import { readFile, writeFile, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { ClusterTopology, KafkaNode } from "./topology.ts";
import { waitUntilKafkaAnswers } from "../kafka/readiness.ts";
import { SCRAM_MECHANISM, type KafkaCredentials } from "../kafka/access.ts";
import type { LearnerTopicLimits } from "../kafka/learner-policy.ts";
import { checkJavaAndMaven } from "../java-build/index.ts";
import { ensureBrokerJars, ensureLearnerTopicPolicy, kafkaVersionFromPom } from "./kafka-jars.ts";
import { BROKER_ENVIRONMENT, brokerJvmFlags, brokerOpenFiles, newSuperUser } from "./broker-definition.ts";
import { portAnswers, terminateBroker } from "./broker-processes.ts";
import { refuseEphemeralBrokerPorts } from "./ports.ts";

const execFileAsync = promisify(execFile);

export interface JvmClusterOptions {
  topology: ClusterTopology;
  /** Folder for jars, data and logs (git-ignored). */
  homeDir: string;
  /** The pom that names Kafka's version and artifacts. */
  pomPath: string;
  onProgress: (message: string) => void;
  /** What the brokers' topic policy lets each learner have. */
  learnerLimits: LearnerTopicLimits;
  /** The setting that chose the ports (TRIBUTARY_KAFKA_PORT, …), named when they cannot be used. */
  portSetting: string;
  readyTimeoutMs?: number;
  /** Where the nodes' storage and logs go; `<homeDir>/<mode>` unless given (a lab has a folder of its own). */
  clusterDir?: string;
}

/** The most open files this process's children may be given (the hard limit), where the shell can tell. */
async function openFilesHardLimit(): Promise<number | undefined> {
  try {
    const { stdout } = await execFileAsync("sh", ["-c", "ulimit -Hn"]);
    const value = Number(stdout.trim());
    return Number.isInteger(value) ? value : undefined; // "unlimited"
  } catch {
    return undefined;
  }
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64, never starting with "-". */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

export interface NodePaths {
  dir: string;
  dataDir: string;
  propertiesFile: string;
  logFile: string;
}

export function nodePaths(clusterDir: string, node: KafkaNode): NodePaths {
  const dir = path.join(clusterDir, `node-${node.id}`);
  return {
    dir,
    dataDir: path.join(dir, "data"),
    propertiesFile: path.join(dir, "server.properties"),
    logFile: path.join(dir, "broker.log"),
  };
}

/**
 * Starts a JVM. A broker runs `detached`, in a process group of its own: a Ctrl-C in the terminal then
 * reaches only the command that started it, which stops it in order, and a broker outlives a command
 * that started it in the background (`start-node`). `openFiles` raises its open-file limit first.
 */
function java(args: string[], logFile?: string, options: { detached?: boolean; openFiles?: number } = {}): ChildProcess {
  const out = logFile ? openSync(logFile, "a") : "ignore";
  const spawnOptions = {
    stdio: ["ignore", out, out] as ["ignore", typeof out, typeof out],
    env: { ...process.env, ...BROKER_ENVIRONMENT },
    detached: options.detached,
  };
  // The shell raises the open-file limit as far as asked, or as far as the hard limit allows, then becomes java.
  const child = options.openFiles
    ? spawn("sh", ["-c", 'ulimit -n "$0" 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec java "$@"', String(options.openFiles), ...args], spawnOptions)
    : spawn("java", args, spawnOptions);
  if (typeof out === "number") closeSync(out);
  return child;
}

/**
 * The cluster's super user, created once with its storage. Its password never leaves the state
 * folder (mode 0600) and the processes given it: the server, and the brokers themselves.
 */
export async function adminCredentials(clusterDir: string, nodes: NodePaths[], onProgress: (m: string) => void): Promise<KafkaCredentials> {
  const file = path.join(clusterDir, "admin-credentials.json");
  if (existsSync(file)) return JSON.parse(await readFile(file, "utf8")) as KafkaCredentials;
  if (nodes.some((paths) => existsSync(path.join(paths.dataDir, "meta.properties")))) {
    // Storage formatted before clients had to authenticate holds no super user; it holds only course data.
    onProgress(`clearing ${clusterDir}: it was formatted without client authentication`);
    await Promise.all(nodes.map((paths) => rm(paths.dataDir, { recursive: true, force: true })));
  }
  const credentials = newSuperUser();
  await writeFile(file, `${JSON.stringify(credentials)}\n`, { mode: 0o600 });
  return credentials;
}

/** Formats a node's storage with the cluster id and super user, unless it already holds a formatted log. */
export async function formatNode(
  classpath: string,
  paths: NodePaths,
  clusterId: string,
  standalone: boolean,
  admin: KafkaCredentials,
): Promise<void> {
  if (existsSync(path.join(paths.dataDir, "meta.properties"))) return;
  const args = ["-cp", classpath, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", paths.propertiesFile];
  args.push("--add-scram", `${SCRAM_MECHANISM}=[name=${admin.username},password=${admin.password}]`);
  if (standalone) args.push("--standalone");
  const child = java(args, paths.logFile);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) {
    throw new Error(`Formatting Kafka storage in ${paths.dataDir} failed (exit ${code}); see ${paths.logFile}.`);
  }
}

function lastLines(file: string, count: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-count).join("\n");
  } catch {
    return "(no log)";
  }
}

export interface JvmSetup {
  version: string;
  classpath: string;
  log4jConfig: string;
  clusterDir: string;
  /** Each broker's open-file limit, sized for a class at the learners' caps. */
  openFiles: number;
}

/** Java, Kafka's jars and the topic policy, ready; the same for a whole cluster and for one restarted node. */
export async function prepareJvm(options: JvmClusterOptions): Promise<JvmSetup> {
  const { topology, homeDir, pomPath, onProgress } = options;
  refuseEphemeralBrokerPorts(topology, options.portSetting);
  await checkJavaAndMaven();
  const version = kafkaVersionFromPom(pomPath);
  const libDir = path.join(homeDir, `lib-${version}`);
  await ensureBrokerJars(pomPath, libDir, onProgress);
  const policyDir = await ensureLearnerTopicPolicy(pomPath, homeDir, libDir, onProgress);
  const openFiles = brokerOpenFiles(options.learnerLimits);
  const hardLimit = await openFilesHardLimit();
  if (hardLimit !== undefined && hardLimit < openFiles) {
    onProgress(
      `⚠ a class of ${options.learnerLimits.classSize} (TRIBUTARY_CLASS_SIZE) needs ${openFiles} open files per broker, but this system allows ${hardLimit} (ulimit -Hn); raise it, or lower the class size`,
    );
  }
  return {
    version,
    classpath: [path.join(libDir, "*"), policyDir].join(path.delimiter),
    log4jConfig: path.join(path.dirname(pomPath), "log4j2.yaml"),
    clusterDir: options.clusterDir ?? path.join(homeDir, topology.mode),
    openFiles,
  };
}

export async function refuseTakenPorts(node: KafkaNode): Promise<void> {
  for (const port of [node.clientPort, node.controllerPort]) {
    if (await portAnswers(port)) {
      throw new Error(
        `Port ${port} on 127.0.0.1 is already in use. Is Kafka already running? Try \`npm run kafka -- status\` or \`npm run kafka -- stop\`.`,
      );
    }
  }
}

/** Starts one node's JVM in the background; `died` is aborted, with the log's last lines, if it exits. */
export function spawnBroker(setup: JvmSetup, topology: ClusterTopology, node: KafkaNode, died: AbortController): ChildProcess {
  const paths = nodePaths(setup.clusterDir, node);
  const child = java(
    [
      ...brokerJvmFlags(topology.nodes.length),
      `-Dlog4j2.configurationFile=${setup.log4jConfig}`,
      `-Dkafka.logs.dir=${paths.dir}`,
      "-cp",
      setup.classpath,
      "kafka.Kafka",
      paths.propertiesFile,
    ],
    paths.logFile,
    { detached: true, openFiles: setup.openFiles },
  );
  child.unref();
  child.once("exit", (code, signal) => {
    if (died.signal.aborted) return;
    died.abort(
      new Error(
        `Kafka node ${node.id} exited during start-up (${signal ?? `exit ${code}`}). Last lines of ${paths.logFile}:\n${lastLines(paths.logFile, 15)}`,
      ),
    );
  });
  return child;
}

/** The log file of one node, for messages that send a host to it. */
export function brokerLogFile(homeDir: string, topology: ClusterTopology, nodeId: number): string {
  const node = topology.nodes.find((n) => n.id === nodeId);
  if (!node) throw new Error(`The ${topology.mode} cluster has no node ${nodeId}.`);
  return nodePaths(path.join(homeDir, topology.mode), node).logFile;
}

export interface StartingNode {
  pid: number;
  /** Resolves once the cluster lists the node again; rejects (with the node stopped) if it does not come up. */
  ready: Promise<void>;
}

/**
 * Starts one node of a cluster whose storage is formatted (it was stopped or died), with `setup` from
 * prepareJvm. Resolves as soon as its process runs, so the caller can record its pid before waiting for
 * it; the node runs on after the caller exits.
 */
export async function startJvmNode(setup: JvmSetup, options: JvmClusterOptions, nodeId: number, admin?: KafkaCredentials): Promise<StartingNode> {
  const { topology, onProgress } = options;
  const node = topology.nodes.find((n) => n.id === nodeId);
  if (!node) {
    throw new Error(`The ${topology.mode} cluster has nodes ${topology.nodes.map((n) => n.id).join(", ")}; there is no node ${nodeId}.`);
  }
  const paths = nodePaths(setup.clusterDir, node);
  if (!existsSync(path.join(paths.dataDir, "meta.properties"))) {
    throw new Error(`Node ${nodeId} has no storage in ${paths.dataDir}; start the whole cluster (npm run kafka -- ${topology.mode}).`);
  }
  await refuseTakenPorts(node);
  onProgress(`starting Kafka node ${nodeId} on 127.0.0.1:${node.clientPort}`);
  const died = new AbortController();
  const child = spawnBroker(setup, topology, node, died);
  const pid = child.pid ?? -1;
  // Ready once the cluster lists it again: the other nodes need not all run (two may be started one after the other).
  const ready = waitUntilKafkaAnswers(
    { bootstrap: [`127.0.0.1:${node.clientPort}`], admin },
    { expectedBrokers: 1, nodeId, timeoutMs: options.readyTimeoutMs ?? 240000, onProgress, signal: died.signal },
  ).then(
    () => void died.abort(new Error("started")),
    async (error: unknown) => {
      const reason = died.signal.aborted ? died.signal.reason : error;
      await terminateBroker(pid);
      throw reason;
    },
  );
  // The caller records the pid before it waits: a failure meanwhile is not an unhandled one.
  ready.catch(() => {});
  return { pid, ready };
}
