// Apache Kafka from the official apache/kafka image, for hosts with a Docker engine: the same brokers as
// the JVM path (compose-files.ts), with the course's policies compiled on the host and mounted, and a
// super user of their own, whose password is kept in the state folder and given to the server.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { KafkaCredentials } from "../kafka/access.ts";
import { waitUntilKafkaAnswers } from "../kafka/readiness.ts";
import { checkJavaAndMaven } from "../java-build/index.ts";
import { newSuperUser } from "./broker-definition.ts";
import { COMPOSE_ENVIRONMENT, composeFileName, composeFiles } from "./compose-files.ts";
import type { RunningCluster } from "./jvm-cluster.ts";
import type { JvmClusterOptions } from "./kafka-node.ts";
import { ensureBrokerJars, ensureLearnerTopicPolicy, kafkaVersionFromPom } from "./kafka-jars.ts";
import { bootstrapAddresses, type ClusterMode } from "./topology.ts";

const execFileAsync = promisify(execFile);

/** Where the Docker path writes the compose files for this host's settings. */
const dockerDir = (homeDir: string) => path.join(homeDir, "docker");

/** The compose file a mode runs from: the one written for this host's settings, else the committed one. */
export function composeFile(projectRoot: string, homeDir: string, mode: ClusterMode): string {
  const written = path.join(dockerDir(homeDir), composeFileName(mode));
  return existsSync(written) ? written : path.join(projectRoot, "docker", composeFileName(mode));
}

/** True when a Docker engine (not just the client) answers within a few seconds. */
export async function dockerEngineAnswers(): Promise<boolean> {
  try {
    await execFileAsync("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

async function compose(file: string, args: string[], environment: Record<string, string> = {}): Promise<void> {
  await execFileAsync("docker", ["compose", "-f", file, ...args], { timeout: 300000, env: { ...process.env, ...environment } });
}

/** Writes a mode's compose files, for the settings the cluster starts with, into the state folder. */
async function writeComposeFiles(projectRoot: string, options: JvmClusterOptions): Promise<string> {
  const outDir = dockerDir(options.homeDir);
  const files = composeFiles({
    topology: options.topology,
    learnerLimits: options.learnerLimits,
    kafkaVersion: kafkaVersionFromPom(options.pomPath),
    outDir,
    projectRoot,
  });
  for (const [name, text] of files) {
    await mkdir(path.dirname(path.join(outDir, name)), { recursive: true });
    await writeFile(path.join(outDir, name), text, { mode: name.endsWith(".sh") ? 0o755 : 0o644 });
  }
  return path.join(outDir, composeFileName(options.topology.mode));
}

/**
 * The super user of a mode's Docker cluster, made once. Storage formatted without it (by an earlier
 * compose file, or before its password was lost) holds no usable login, only course data: it is removed.
 */
async function dockerSuperUser(file: string, homeDir: string, mode: ClusterMode, onProgress: (m: string) => void): Promise<KafkaCredentials> {
  const credentialsFile = path.join(dockerDir(homeDir), `${mode}-admin-credentials.json`);
  if (existsSync(credentialsFile)) return JSON.parse(await readFile(credentialsFile, "utf8")) as KafkaCredentials;
  onProgress(`removing the ${mode} cluster's Docker volumes, if any: they were formatted without this super user`);
  await compose(file, ["down", "--volumes"]);
  const credentials = newSuperUser();
  await writeFile(credentialsFile, `${JSON.stringify(credentials)}\n`, { mode: 0o600 });
  return credentials;
}

/** `docker compose up` for the mode, with the policies compiled and the super user made, then waits until Kafka answers. */
export async function startDockerCluster(projectRoot: string, options: JvmClusterOptions): Promise<RunningCluster> {
  const { topology, homeDir, pomPath, onProgress } = options;
  // The policies are compiled on the host against Kafka's own jars (a JRE and Maven suffice).
  await checkJavaAndMaven();
  const libDir = path.join(homeDir, `lib-${kafkaVersionFromPom(pomPath)}`);
  await ensureBrokerJars(pomPath, libDir, onProgress);
  const policyDir = await ensureLearnerTopicPolicy(pomPath, homeDir, libDir, onProgress);
  const file = await writeComposeFiles(projectRoot, options);
  const admin = await dockerSuperUser(file, homeDir, topology.mode, onProgress);
  onProgress(`starting apache/kafka with Docker (${path.relative(projectRoot, file)})`);
  await compose(file, ["up", "-d", "--wait"], { [COMPOSE_ENVIRONMENT.password]: admin.password, [COMPOSE_ENVIRONMENT.policyDir]: policyDir });
  const bootstrap = bootstrapAddresses(topology);
  await waitUntilKafkaAnswers({ bootstrap, admin }, { expectedBrokers: topology.nodes.length, timeoutMs: 120000, onProgress });
  return { runtime: "docker", bootstrap, admin, pids: [], stop: () => stopDockerCluster(projectRoot, homeDir, topology.mode) };
}

/** `docker compose down` for the mode; volumes are kept so topics survive a restart. */
export async function stopDockerCluster(projectRoot: string, homeDir: string, mode: ClusterMode): Promise<void> {
  await compose(composeFile(projectRoot, homeDir, mode), ["down"]);
}
