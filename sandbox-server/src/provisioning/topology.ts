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
  /**
   * A KRaft controller of its own, apart from the brokers (whose nodes then only serve clients). Without one,
   * every node is broker and controller; with one, stopping two of three brokers leaves the quorum standing,
   * so the last broker is told that the others are gone and refuses acks=all writes it cannot copy.
   */
  controller?: KafkaNode;
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

/**
 * A fault lab's layout: three brokers and a controller of their own, on four consecutive port pairs from
 * `portBase` (the controller's client port is reserved, never listened on).
 */
export function labTopology(portBase: number): ClusterTopology {
  return { ...clusterTopology("multi", portBase), controller: { id: 4, clientPort: portBase + 6, controllerPort: portBase + 7 } };
}

/** Ports a lab takes from its base. */
export const LAB_PORTS = 8;

/** Every node to format and start: the brokers, then a controller of its own if there is one. */
export function allNodes(topology: ClusterTopology): KafkaNode[] {
  return topology.controller ? [...topology.nodes, topology.controller] : topology.nodes;
}
