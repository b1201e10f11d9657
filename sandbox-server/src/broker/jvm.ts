// Apache Kafka on the JVM, without Docker: Maven gathers the broker's jars from Maven Central
// (cached in ~/.m2 and in the lib folder), then each node is formatted once and started.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, openSync, closeSync, readFileSync } from "node:fs";
import { mkdir, readFile, writeFile, readdir, rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { bootstrapAddresses, serverProperties, type ClusterTopology, type KafkaNode } from "./topology.ts";
import { waitUntilKafkaAnswers } from "./readiness.ts";
import { SCRAM, type KafkaCredentials } from "./access.ts";
import type { LearnerTopicLimits } from "../config.ts";

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
  readyTimeoutMs?: number;
}

export interface RunningCluster {
  runtime: "jvm" | "docker";
  bootstrap: string[];
  /** The broker's super user, when clients must authenticate. */
  admin?: KafkaCredentials;
  pids: number[];
  /** Stops every node and resolves once they have exited. */
  stop(): Promise<void>;
  /** Settles when any node exits; never for Docker. */
  exited: Promise<NodeExit>;
}

export interface NodeExit {
  node: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the node was asked to stop (SIGTERM, which the JVM turns into exit 143). */
  requested: boolean;
}

const JAVA_HINT =
  "Install Java 17 or newer and Maven (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless maven`; macOS: `brew install openjdk@17 maven`), or install Docker.";

/** The Kafka version the pom names; the pom is the one place it is written. */
export function kafkaVersionFromPom(pomPath: string): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pomPath, "utf8"));
  if (!match?.[1]) throw new Error(`${pomPath} does not set <kafka.version>.`);
  return match[1];
}

/** Fails with an install hint unless Java >= 17 and Maven are on PATH. */
export async function checkJavaAndMaven(): Promise<void> {
  let javaMajor = 0;
  try {
    const { stderr } = await execFileAsync("java", ["-version"]);
    javaMajor = Number(/version "(\d+)/.exec(stderr)?.[1] ?? 0);
  } catch {
    throw new Error(`Java was not found. ${JAVA_HINT}`);
  }
  if (javaMajor < 17) throw new Error(`Kafka 4 needs Java 17 or newer; this machine has Java ${javaMajor}. ${JAVA_HINT}`);
  try {
    await execFileAsync("mvn", ["-v"]);
  } catch {
    throw new Error(`Maven was not found; it fetches Kafka's jars. ${JAVA_HINT}`);
  }
}

/** Copies the pom's dependencies of one Maven scope into `dir`, reporting each jar fetched. */
export async function mavenCopy(pomPath: string, scope: "runtime" | "provided", dir: string, onProgress: (m: string) => void): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const maven = spawn(
    "mvn",
    ["-B", "-f", pomPath, "dependency:copy-dependencies", `-DincludeScope=${scope}`, `-DoutputDirectory=${dir}`],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let fetched = 0;
  const tail: string[] = [];
  maven.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    for (const line of chunk.split("\n")) {
      if (line.trim()) tail.push(line), tail.length > 30 && tail.shift();
      const jar = /Downloaded from \S+: \S+\/([^/\s]+\.jar)/.exec(line)?.[1];
      if (jar) onProgress(`fetched ${jar} (${++fetched} jars so far)`);
    }
  });
  maven.stderr.setEncoding("utf8").on("data", (chunk: string) => tail.push(chunk));
  const code = await new Promise<number | null>((resolve) => maven.on("close", resolve));
  if (code !== 0) {
    throw new Error(`Maven could not fetch the jars named in ${pomPath} (exit ${code}). Its last lines:\n${tail.join("\n")}`);
  }
  return (await readdir(dir)).filter((f) => f.endsWith(".jar"));
}

/** Gathers Kafka's runtime jars into `libDir` once; later calls find them there. */
export async function ensureBrokerJars(pomPath: string, libDir: string, onProgress: (m: string) => void): Promise<void> {
  const stamp = path.join(libDir, ".complete");
  if (existsSync(stamp)) return;
  onProgress(`fetching Apache Kafka ${kafkaVersionFromPom(pomPath)} jars with Maven (first time only)`);
  const jars = await mavenCopy(pomPath, "runtime", libDir, onProgress);
  await writeFile(stamp, `${jars.length} jars\n`);
  onProgress(`${jars.length} jars ready`);
}

/**
 * Compiles the learner topic policy (kafka/learner-topic-policy) against the broker's jars, once
 * per version of its source and of Kafka, with Eclipse's compiler (a jar Maven fetches; no JDK needed).
 * Returns the folder of classes to put on the broker's classpath.
 */
export async function ensureLearnerTopicPolicy(
  pomPath: string,
  homeDir: string,
  libDir: string,
  onProgress: (m: string) => void,
): Promise<string> {
  const source = path.join(path.dirname(pomPath), "learner-topic-policy", "LearnerTopicPolicy.java");
  const digest = createHash("sha256").update(await readFile(source)).update(libDir).digest("hex").slice(0, 12);
  const classesDir = path.join(homeDir, `learner-topic-policy-${digest}`);
  if (existsSync(path.join(classesDir, ".complete"))) return classesDir;

  const toolsDir = path.join(homeDir, "tools");
  let compilerJar = existsSync(toolsDir) ? (await readdir(toolsDir)).find((f) => /^ecj-.*\.jar$/.test(f)) : undefined;
  if (!compilerJar) {
    onProgress("fetching Eclipse's Java compiler with Maven (first time only)");
    compilerJar = (await mavenCopy(pomPath, "provided", toolsDir, onProgress)).find((f) => f.startsWith("ecj-"));
    if (!compilerJar) throw new Error(`Maven fetched no ecj jar into ${toolsDir}; does kafka/pom.xml still name it?`);
  }
  onProgress("compiling the learner topic policy");
  await rm(classesDir, { recursive: true, force: true });
  // ecj takes no "*" in a classpath: name every jar.
  const jars = (await readdir(libDir)).filter((f) => f.endsWith(".jar")).map((f) => path.join(libDir, f));
  try {
    await execFileAsync("java", [
      "-jar", path.join(toolsDir, compilerJar),
      "-17", "-proc:none", "-nowarn", "-cp", jars.join(path.delimiter), "-d", classesDir, source,
    ]);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`The learner topic policy did not compile:\n${stdout ?? ""}${stderr ?? ""}`);
  }
  await writeFile(path.join(classesDir, ".complete"), "");
  return classesDir;
}

/** Whether something already listens on a loopback port. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, timeout: 500 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
  });
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64, never starting with "-". */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

interface NodePaths {
  dir: string;
  dataDir: string;
  propertiesFile: string;
  logFile: string;
}

function nodePaths(clusterDir: string, node: KafkaNode): NodePaths {
  const dir = path.join(clusterDir, `node-${node.id}`);
  return {
    dir,
    dataDir: path.join(dir, "data"),
    propertiesFile: path.join(dir, "server.properties"),
    logFile: path.join(dir, "broker.log"),
  };
}

function java(args: string[], logFile?: string): ChildProcess {
  const out = logFile ? openSync(logFile, "a") : "ignore";
  const child = spawn("java", args, { stdio: ["ignore", out, out] });
  if (typeof out === "number") closeSync(out);
  return child;
}

/**
 * The cluster's super user, created once with its storage. Its password never leaves the state
 * folder (mode 0600) and the processes given it: the server, and the brokers themselves.
 */
async function adminCredentials(clusterDir: string, nodes: NodePaths[], onProgress: (m: string) => void): Promise<KafkaCredentials> {
  const file = path.join(clusterDir, "admin-credentials.json");
  if (existsSync(file)) return JSON.parse(await readFile(file, "utf8")) as KafkaCredentials;
  if (nodes.some((paths) => existsSync(path.join(paths.dataDir, "meta.properties")))) {
    // Storage formatted before clients had to authenticate holds no super user; it holds only course data.
    onProgress(`clearing ${clusterDir}: it was formatted without client authentication`);
    await Promise.all(nodes.map((paths) => rm(paths.dataDir, { recursive: true, force: true })));
  }
  const credentials = { username: "tributary-admin", password: randomBytes(24).toString("base64url") };
  await writeFile(file, JSON.stringify(credentials) + "\n", { mode: 0o600 });
  return credentials;
}

/** Formats a node's storage with the cluster id and super user, unless it already holds a formatted log. */
async function formatNode(
  classpath: string,
  paths: NodePaths,
  clusterId: string,
  standalone: boolean,
  admin: KafkaCredentials,
): Promise<void> {
  if (existsSync(path.join(paths.dataDir, "meta.properties"))) return;
  const args = ["-cp", classpath, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", paths.propertiesFile];
  args.push("--add-scram", `${SCRAM.kafka}=[name=${admin.username},password=${admin.password}]`);
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

/** Sends SIGTERM, then SIGKILL after `graceMs`, and resolves once the process is gone. */
function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => (clearTimeout(timer), resolve()));
    child.kill("SIGTERM");
  });
}

/** Formats (first time) and starts every node of the topology, and waits until Kafka answers. */
export async function startJvmCluster(options: JvmClusterOptions): Promise<RunningCluster> {
  const { topology, homeDir, pomPath, onProgress } = options;
  await checkJavaAndMaven();
  const version = kafkaVersionFromPom(pomPath);
  const libDir = path.join(homeDir, `lib-${version}`);
  await ensureBrokerJars(pomPath, libDir, onProgress);
  const policyDir = await ensureLearnerTopicPolicy(pomPath, homeDir, libDir, onProgress);

  for (const node of topology.nodes) {
    for (const port of [node.clientPort, node.controllerPort]) {
      if (await portAnswers(port)) {
        throw new Error(
          `Port ${port} on 127.0.0.1 is already in use. Is Kafka already running? Try \`npm run kafka -- status\` or \`npm run kafka -- stop\`.`,
        );
      }
    }
  }

  const clusterDir = path.join(homeDir, topology.mode);
  await mkdir(clusterDir, { recursive: true });
  const idFile = path.join(clusterDir, "cluster-id");
  const clusterId = existsSync(idFile) ? (await readFile(idFile, "utf8")).trim() : newClusterId();
  await writeFile(idFile, clusterId + "\n");

  const log4jConfig = path.join(path.dirname(pomPath), "log4j2.yaml");
  const classpath = [path.join(libDir, "*"), policyDir].join(path.delimiter);
  const heapMb = topology.nodes.length === 1 ? 512 : 384;
  const standalone = topology.nodes.length === 1;

  const nodes = topology.nodes.map((node) => ({ node, paths: nodePaths(clusterDir, node) }));
  const admin = await adminCredentials(clusterDir, nodes.map((n) => n.paths), onProgress);
  for (const { node, paths } of nodes) {
    await mkdir(paths.dataDir, { recursive: true });
    await writeFile(paths.propertiesFile, serverProperties(topology, node, paths.dataDir, admin, options.learnerLimits), { mode: 0o600 });
  }
  onProgress(`formatting storage for ${nodes.length} node(s) in ${clusterDir}`);
  await Promise.all(nodes.map(({ paths }) => formatNode(classpath, paths, clusterId, standalone, admin)));

  onProgress(`starting Apache Kafka ${version} (${topology.mode}: ${nodes.length} broker${nodes.length > 1 ? "s" : ""})`);
  const died = new AbortController();
  const children = nodes.map(({ node, paths }) => {
    const child = java(
      [
        `-Xms${heapMb}m`, `-Xmx${heapMb}m`, "-XX:+UseG1GC", "-Djava.awt.headless=true",
        `-Dlog4j2.configurationFile=${log4jConfig}`, `-Dkafka.logs.dir=${paths.dir}`,
        "-cp", classpath, "kafka.Kafka", paths.propertiesFile,
      ],
      paths.logFile,
    );
    child.once("exit", (code, signal) => {
      if (died.signal.aborted) return;
      died.abort(
        new Error(
          `Kafka node ${node.id} exited during start-up (${signal ?? `exit ${code}`}). Last lines of ${paths.logFile}:\n${lastLines(paths.logFile, 15)}`,
        ),
      );
    });
    return child;
  });

  const exited = new Promise<NodeExit>((resolve) => {
    children.forEach((child, i) =>
      child.once("exit", (code, signal) =>
        resolve({ node: i + 1, code, signal, requested: code === 143 || signal === "SIGTERM" }),
      ),
    );
  });
  const cluster: RunningCluster = {
    runtime: "jvm",
    exited,
    bootstrap: bootstrapAddresses(topology),
    admin,
    pids: children.map((c) => c.pid ?? -1),
    stop: async () => {
      // Brokers first wait on the controllers for a controlled shutdown; 20 s is plenty on loopback.
      await Promise.all(children.map((child) => terminate(child, 20000)));
    },
  };
  try {
    await waitUntilKafkaAnswers({ bootstrap: cluster.bootstrap, admin }, {
      expectedBrokers: nodes.length,
      timeoutMs: options.readyTimeoutMs ?? 120000,
      onProgress,
      signal: died.signal,
    });
  } catch (error) {
    await cluster.stop();
    throw died.signal.aborted ? died.signal.reason : error;
  }
  return cluster;
}
