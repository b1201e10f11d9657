// The shape of a local cluster: which nodes, on which loopback ports.
import type { ClusterMode, LearnerTopicLimits } from "../config.ts";
import { SCRAM, type KafkaCredentials } from "../kafka/access.ts";

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
export const LEARNER_NAMESPACE_PATTERN = "l[0-9a-f]{20}-";

/** The broker's create-topic policy (kafka/learner-topic-policy), compiled when Kafka is set up. */
export const LEARNER_TOPIC_POLICY_CLASS = "dev.tributary.kafka.LearnerTopicPolicy";

/** The brokers' alter-config policy: the same bounds on learners' topic settings when they change them later. */
export const LEARNER_CONFIG_POLICY_CLASS = "dev.tributary.kafka.LearnerConfigPolicy";

const MiB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The bounds on a learner's topic settings (kafka/learner-topic-policy/LearnerTopicConfigs.java).
 * A partition holds at most its retention plus the segment being written, so a learner's storage
 * budget, spread over their partitions, gives each partition half of its share as retention.
 */
export function learnerTopicBounds(limits: LearnerTopicLimits) {
  return {
    maxRetentionBytes: Math.max(MiB, Math.floor(limits.storageBytes / (2 * limits.partitions))),
    maxRetentionMs: 30 * DAY_MS,
    maxMessageBytes: limits.maxMessageBytes,
    // Kafka's own floor for segment.bytes; the broker's default roll time, so learners never roll faster.
    minSegmentBytes: MiB,
    minSegmentMs: 7 * DAY_MS,
    minSegmentIndexBytes: MiB,
  };
}

/**
 * File descriptors a broker needs for a full class: each segment of a partition is an open file, a
 * partition has at most (retention / smallest segment) + 2 segments by size and
 * (longest retention / shortest roll) more by time; add each learner's connections and the JVM's own.
 */
export function brokerOpenFiles(limits: LearnerTopicLimits): number {
  const bounds = learnerTopicBounds(limits);
  const segmentsPerPartition =
    Math.ceil(bounds.maxRetentionBytes / bounds.minSegmentBytes) + 2 + Math.ceil(bounds.maxRetentionMs / bounds.minSegmentMs);
  const connectionsPerLearner = 64;
  const perLearner = limits.partitions * segmentsPerPartition + connectionsPerLearner;
  return 4096 + limits.classSize * perLearner;
}

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
  const bounds = learnerTopicBounds(learnerLimits);
  const settings: Record<string, string | number> = {
    "process.roles": "broker,controller",
    "node.id": node.id,
    listeners: `CLIENT://127.0.0.1:${node.clientPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    "advertised.listeners": `CLIENT://127.0.0.1:${node.clientPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    "listener.security.protocol.map": "CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "CLIENT",
    "sasl.enabled.mechanisms": SCRAM.kafka,
    "sasl.mechanism.inter.broker.protocol": SCRAM.kafka,
    [`listener.name.client.${SCRAM.kafka.toLowerCase()}.sasl.jaas.config`]: `org.apache.kafka.common.security.scram.ScramLoginModule required username=${jaasQuoted(admin.username)} password=${jaasQuoted(admin.password)};`,
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
    // Course data is small; keep the disk footprint small too. Learners' topics get the budget's
    // share per partition unless they set less (their policy refuses more).
    "log.segment.bytes": bounds.maxRetentionBytes,
    "log.retention.bytes": bounds.maxRetentionBytes,
    "log.retention.hours": 168,
    // Retention is checked often enough that a learner cannot write far past their budget in between.
    "log.retention.check.interval.ms": 30_000,
    // The heap holds requests being read: bound them, one by one and all together.
    "message.max.bytes": bounds.maxMessageBytes + 12,
    "socket.request.max.bytes": 16 * MiB,
    "queued.max.request.bytes": 64 * MiB,
    // Kafka has no quota on topics or partitions; this policy caps each learner's (read with the super user).
    "create.topic.policy.class.name": LEARNER_TOPIC_POLICY_CLASS,
    "tributary.learner.namespace.pattern": LEARNER_NAMESPACE_PATTERN,
    "tributary.learner.max.topics": learnerLimits.topics,
    "tributary.learner.max.partitions": learnerLimits.partitions,
    "tributary.learner.max.partitions.per.topic": learnerLimits.partitionsPerTopic,
    "tributary.learner.policy.bootstrap.servers": bootstrapAddresses(topology).join(","),
    // Learners' topic settings, on create (the policy above) and on alter.
    "alter.config.policy.class.name": LEARNER_CONFIG_POLICY_CLASS,
    "tributary.learner.max.retention.bytes": bounds.maxRetentionBytes,
    "tributary.learner.max.retention.ms": bounds.maxRetentionMs,
    "tributary.learner.max.message.bytes": bounds.maxMessageBytes,
    "tributary.learner.min.segment.ms": bounds.minSegmentMs,
    "tributary.learner.min.segment.bytes": bounds.minSegmentBytes,
    "tributary.learner.min.segment.index.bytes": bounds.minSegmentIndexBytes,
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
    settings["controller.quorum.voters"] = topology.nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(",");
  }
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n")}\n`;
}
