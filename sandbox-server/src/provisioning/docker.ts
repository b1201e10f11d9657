// Apache Kafka from the official apache/kafka image, for users with a Docker engine.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { bootstrapAddresses, type ClusterTopology } from "./topology.ts";
import { waitUntilKafkaAnswers } from "../kafka/readiness.ts";
import type { RunningCluster } from "./jvm-cluster.ts";

const execFileAsync = promisify(execFile);

/** The compose file for a mode: docker/compose.single.yaml or docker/compose.multi.yaml. */
export function composeFile(projectRoot: string, mode: ClusterTopology["mode"]): string {
  return path.join(projectRoot, "docker", `compose.${mode}.yaml`);
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

async function compose(file: string, args: string[]): Promise<void> {
  await execFileAsync("docker", ["compose", "-f", file, ...args], { timeout: 300000 });
}

/** `docker compose up -d` for the mode, then waits until Kafka answers. */
export async function startDockerCluster(
  projectRoot: string,
  topology: ClusterTopology,
  onProgress: (message: string) => void,
): Promise<RunningCluster> {
  const file = composeFile(projectRoot, topology.mode);
  onProgress(`starting apache/kafka with Docker (${path.relative(projectRoot, file)})`);
  await compose(file, ["up", "-d", "--wait"]);
  const bootstrap = bootstrapAddresses(topology);
  // The compose files' brokers take unauthenticated clients: learners are kept apart by topic names only.
  await waitUntilKafkaAnswers({ bootstrap }, { expectedBrokers: topology.nodes.length, timeoutMs: 120000, onProgress });
  return {
    runtime: "docker",
    bootstrap,
    pids: [],
    stop: () => stopDockerCluster(projectRoot, topology.mode),
  };
}

/** `docker compose down` for the mode; volumes are kept so topics survive a restart. */
export async function stopDockerCluster(projectRoot: string, mode: ClusterTopology["mode"]): Promise<void> {
  await compose(composeFile(projectRoot, mode), ["down"]);
}
