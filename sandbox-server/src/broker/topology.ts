// The shape of a local cluster: which nodes, on which loopback ports.
import type { ClusterMode, LearnerTopicLimits } from "../config.ts";
import { SCRAM, type KafkaCredentials } from "./access.ts";

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

/** Every learner's namespace looks like this (see learnerNamespace); the topic policy keys on it. */
export const LEARNER_NAMESPACE_PATTERN = "l[0-9a-f]{12}-";

/** The broker's create-topic policy (kafka/learner-topic-policy), compiled when Kafka is set up. */
export const LEARNER_TOPIC_POLICY_CLASS = "dev.tributary.kafka.LearnerTopicPolicy";

/** JAAS values are quoted; a password with a quote or backslash would end the string early. */
function jaasQuoted(value: string): string {
  if (/["\\\n]/.test(value)) throw new Error("Kafka credentials may not contain quotes, backslashes or line breaks.");
  return `"${value}"`;
}

/**
 * The KRaft server.properties of one node of a cluster, every listener bound to loopback.
 *
 * Clients (learners, the server, the other brokers) must authenticate with SCRAM on the CLIENT
 * listener, and the StandardAuthorizer lets each principal touch only what an ACL grants it.
 * The controller listener cannot use SCRAM (the credentials live in the metadata it serves), so it
 * stays PLAINTEXT, and its anonymous principal must be a super user: it is never exposed to learners.
 */
export function serverProperties(
  topology: ClusterTopology,
  node: KafkaNode,
  dataDir: string,
  admin: KafkaCredentials,
  learnerLimits: LearnerTopicLimits,
): string {
  const { replicationFactor: rf, minInsyncReplicas: minIsr } = topology;
  const settings: Record<string, string | number> = {
    "process.roles": "broker,controller",
    "node.id": node.id,
    "listeners": `CLIENT://127.0.0.1:${node.clientPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    "advertised.listeners": `CLIENT://127.0.0.1:${node.clientPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    "listener.security.protocol.map": "CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "CLIENT",
    "sasl.enabled.mechanisms": SCRAM.kafka,
    "sasl.mechanism.inter.broker.protocol": SCRAM.kafka,
    [`listener.name.client.${SCRAM.kafka.toLowerCase()}.sasl.jaas.config`]:
      `org.apache.kafka.common.security.scram.ScramLoginModule required username=${jaasQuoted(admin.username)} password=${jaasQuoted(admin.password)};`,
    "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "super.users": `User:${admin.username};User:ANONYMOUS`,
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
    // Kafka has no quota on topics or partitions; this policy caps each learner's (read with the super user).
    "create.topic.policy.class.name": LEARNER_TOPIC_POLICY_CLASS,
    "tributary.learner.namespace.pattern": LEARNER_NAMESPACE_PATTERN,
    "tributary.learner.max.topics": learnerLimits.topics,
    "tributary.learner.max.partitions": learnerLimits.partitions,
    "tributary.learner.max.partitions.per.topic": learnerLimits.partitionsPerTopic,
    "tributary.learner.policy.bootstrap.servers": bootstrapAddresses(topology).join(","),
  };
  if (topology.nodes.length > 1) {
    // A broker that dies is fenced, and its partitions led elsewhere, after its session times out: 3 s
    // instead of 9. When it was the active controller, the others first notice (1.5 s, not 2) and elect
    // another. Both together stay inside the 10 s a kafkajs producer retries by default.
    settings["broker.session.timeout.ms"] = 3000;
    settings["broker.heartbeat.interval.ms"] = 1000;
    settings["controller.quorum.fetch.timeout.ms"] = 1500;
    settings["controller.quorum.election.backoff.max.ms"] = 500;
  }
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
