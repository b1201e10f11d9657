// The shape of a local cluster: which nodes, on which loopback ports.
import type { ClusterMode } from "../config.ts";

export interface KafkaNode {
  id: number;
  /** Port clients (and the other brokers) connect to. */
  clientPort: number;
  /** Port of the KRaft controller quorum. */
  controllerPort: number;
}

export interface ClusterTopology {
  mode: ClusterMode;
  nodes: KafkaNode[];
  /** Replication factor and min.insync.replicas for internal and new topics. */
  replicationFactor: number;
  minInsyncReplicas: number;
}

/** Lays out one combined broker+controller node, or three, on consecutive port pairs from `portBase`. */
export function clusterTopology(mode: ClusterMode, portBase: number): ClusterTopology {
  const count = mode === "multi" ? 3 : 1;
  const nodes = Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    clientPort: portBase + 2 * i,
    controllerPort: portBase + 2 * i + 1,
  }));
  return {
    mode,
    nodes,
    replicationFactor: count,
    minInsyncReplicas: count === 1 ? 1 : 2,
  };
}

export function bootstrapAddresses(topology: ClusterTopology): string[] {
  return topology.nodes.map((node) => `127.0.0.1:${node.clientPort}`);
}

/** The KRaft server.properties of one node of a cluster, every listener bound to loopback. */
export function serverProperties(topology: ClusterTopology, node: KafkaNode, dataDir: string): string {
  const { replicationFactor: rf, minInsyncReplicas: minIsr } = topology;
  const settings: Record<string, string | number> = {
    "process.roles": "broker,controller",
    "node.id": node.id,
    "listeners": `PLAINTEXT://127.0.0.1:${node.clientPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${node.clientPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "log.dirs": dataDir,
    "num.partitions": topology.nodes.length,
    "default.replication.factor": rf,
    "min.insync.replicas": minIsr,
    "offsets.topic.replication.factor": rf,
    "transaction.state.log.replication.factor": rf,
    "transaction.state.log.min.isr": minIsr,
    "share.coordinator.state.topic.replication.factor": rf,
    "share.coordinator.state.topic.min.isr": minIsr,
    // Learners should see their consumer join at once, not after the default 3 s wait.
    "group.initial.rebalance.delay.ms": 0,
    // Course data is small; keep the disk footprint small too.
    "log.segment.bytes": 16 * 1024 * 1024,
    "log.retention.hours": 168,
  };
  if (topology.nodes.length === 1) {
    settings["controller.quorum.bootstrap.servers"] = `127.0.0.1:${node.controllerPort}`;
  } else {
    // A static quorum: every node is a voter, formatted with the same cluster id.
    settings["controller.quorum.voters"] = topology.nodes
      .map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`)
      .join(",");
  }
  return Object.entries(settings).map(([key, value]) => `${key}=${value}`).join("\n") + "\n";
}
