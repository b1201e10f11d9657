// The shape of a local cluster: which nodes, on which loopback ports.

/** One broker, or three with replication factor 3. */
export type ClusterMode = "single" | "multi";

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
