// A Kafka cluster on the JVM (one node, or three on one machine): every node formatted with one cluster
// id and super user, started together, and watched until Kafka answers.

import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { allNodes, bootstrapAddresses } from "./topology.ts";
import { serverProperties } from "./broker-definition.ts";
import { waitUntilKafkaAnswers } from "../kafka/readiness.ts";
import type { KafkaCredentials } from "../kafka/access.ts";
import { terminateBroker } from "./broker-processes.ts";
import {
  adminCredentials,
  formatNode,
  newClusterId,
  nodePaths,
  prepareJvm,
  refuseTakenPorts,
  spawnBroker,
  type JvmClusterOptions,
} from "./kafka-node.ts";

export interface RunningCluster {
  runtime: "jvm" | "docker";
  bootstrap: string[];
  /** The broker's super user, when clients must authenticate. */
  admin?: KafkaCredentials;
  /** Process id of each node, node 1 first (none for Docker); a restarted node's new pid replaces its old one. */
  pids: number[];
  /** Stops every node and resolves once they have exited. */
  stop(): Promise<void>;
}

/** Formats (first time) and starts every node of the topology, and waits until Kafka answers. */
export async function startJvmCluster(options: JvmClusterOptions): Promise<RunningCluster> {
  const { topology, onProgress } = options;
  const setup = await prepareJvm(options);
  for (const node of allNodes(topology)) await refuseTakenPorts(node);

  const { clusterDir, classpath } = setup;
  await mkdir(clusterDir, { recursive: true });
  const idFile = path.join(clusterDir, "cluster-id");
  const clusterId = existsSync(idFile) ? (await readFile(idFile, "utf8")).trim() : newClusterId();
  await writeFile(idFile, `${clusterId}\n`);
  const standalone = topology.nodes.length === 1 && !topology.controller;

  const nodes = allNodes(topology).map((node) => ({ node, paths: nodePaths(clusterDir, node) }));
  const admin = await adminCredentials(
    clusterDir,
    nodes.map((n) => n.paths),
    onProgress,
  );
  for (const { node, paths } of nodes) {
    await mkdir(paths.dataDir, { recursive: true });
    await writeFile(paths.propertiesFile, serverProperties(topology, node, paths.dataDir, admin, options.learnerLimits), { mode: 0o600 });
  }
  onProgress(`formatting storage for ${nodes.length} node(s) in ${clusterDir}`);
  await Promise.all(nodes.map(({ paths }) => formatNode(classpath, paths, clusterId, standalone, admin)));

  const brokers = topology.nodes.length;
  onProgress(
    `starting Apache Kafka ${setup.version} (${topology.mode}: ${brokers} broker${brokers > 1 ? "s" : ""}${topology.controller ? " and a controller" : ""})`,
  );
  const died = new AbortController();
  const children = nodes.map(({ node }) => spawnBroker(setup, topology, node, died));
  const cluster: RunningCluster = {
    runtime: "jvm",
    bootstrap: bootstrapAddresses(topology),
    admin,
    pids: children.map((c) => c.pid ?? -1),
    stop: async () => {
      // Stop nodes restarted meanwhile (their pids replace the first ones) as well as the first ones.
      await Promise.all(cluster.pids.map((pid) => terminateBroker(pid)));
    },
  };
  try {
    await waitUntilKafkaAnswers(
      { bootstrap: cluster.bootstrap, admin },
      {
        expectedBrokers: topology.nodes.length,
        timeoutMs: options.readyTimeoutMs ?? 240000,
        onProgress,
        signal: died.signal,
      },
    );
  } catch (error) {
    await cluster.stop();
    throw died.signal.aborted ? died.signal.reason : error;
  }
  // From here on a node's exit is the cluster's business (see cluster.ts), not a failed start.
  died.abort(new Error("started"));
  return cluster;
}
