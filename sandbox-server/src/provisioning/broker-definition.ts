// The one definition of a course broker: its settings, its JVM's flags and environment, and its
// open-file limit. The JVM path (kafka-node.ts) and the Docker path (compose-files.ts) both read it, and
// differ only where a container must: the address the client listener binds, and the data folder.
import { randomBytes } from "node:crypto";
import { SCRAM_MECHANISM, type KafkaCredentials } from "../kafka/access.ts";
import {
  learnerTopicBounds,
  LEARNER_CONFIG_POLICY_CLASS,
  LEARNER_NAMESPACE_PATTERN,
  LEARNER_TOPIC_POLICY_CLASS,
  type LearnerTopicLimits,
} from "../kafka/learner-policy.ts";
import { bootstrapAddresses, type ClusterTopology, type KafkaNode } from "./topology.ts";

/** Where one broker runs: what differs between a broker on the host's JVM and one in a container. */
export interface BrokerPlacement {
  /**
   * The address the client listener binds: loopback on the host; every address of a container's own
   * network namespace in Docker, which publishes the port on the host's loopback only.
   */
  clientBindHost: string;
  dataDir: string;
}

/** The settings a placement decides; every other setting is the same on both paths. */
export const PLACEMENT_SETTINGS = ["listeners", "log.dirs"] as const;

/** The setting that holds the super user's password, which only the running broker is given. */
export const SUPER_USER_SETTING = `listener.name.client.${SCRAM_MECHANISM.toLowerCase()}.sasl.jaas.config`;

/** The super user every course cluster is formatted with; its password is made per cluster and never committed. */
export const SUPER_USER_NAME = "tributary-admin";

/** A new super user for a cluster about to be formatted. */
export function newSuperUser(): KafkaCredentials {
  return { username: SUPER_USER_NAME, password: randomBytes(24).toString("base64url") };
}

/** JAAS values are quoted; a password with a quote or backslash would end the string early. */
function jaasQuoted(value: string): string {
  if (/["\\\n]/.test(value)) throw new Error("Kafka credentials may not contain quotes, backslashes or line breaks.");
  return `"${value}"`;
}

/** The value of SUPER_USER_SETTING: the brokers log in to each other (and the topic policy to them) as the super user. */
export function superUserLogin(admin: KafkaCredentials): string {
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username=${jaasQuoted(admin.username)} password=${jaasQuoted(admin.password)};`;
}

const MiB = 1024 * 1024;

/**
 * The KRaft settings of one node of a cluster, all but the super user's password.
 *
 * Clients (learners, the server, the other brokers) must authenticate with SCRAM on the CLIENT
 * listener, and the StandardAuthorizer lets each principal touch only what an ACL grants it.
 * The controller listener cannot use SCRAM (the credentials live in the metadata it serves), so it
 * stays PLAINTEXT on loopback, and its anonymous principal must be a super user: it is never exposed to learners.
 */
export function brokerSettings(
  topology: ClusterTopology,
  node: KafkaNode,
  placement: BrokerPlacement,
  admin: Pick<KafkaCredentials, "username">,
  learnerLimits: LearnerTopicLimits,
): Record<string, string> {
  const { replicationFactor: rf, minInsyncReplicas: minIsr } = topology;
  const bounds = learnerTopicBounds(learnerLimits);
  const settings: Record<string, string | number> = {
    "process.roles": "broker,controller",
    "node.id": node.id,
    listeners: `CLIENT://${placement.clientBindHost}:${node.clientPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    "advertised.listeners": `CLIENT://127.0.0.1:${node.clientPort},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    "listener.security.protocol.map": "CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "CLIENT",
    "sasl.enabled.mechanisms": SCRAM_MECHANISM,
    "sasl.mechanism.inter.broker.protocol": SCRAM_MECHANISM,
    "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "super.users": `User:${admin.username};User:ANONYMOUS`,
    "log.dirs": placement.dataDir,
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
  if (topology.controller) {
    // Brokers serve clients only; the controller only keeps the metadata (it also applies the topic and
    // config policies and the ACLs, so it keeps their settings).
    const controller = topology.controller;
    const isController = node.id === controller.id;
    settings["process.roles"] = isController ? "controller" : "broker";
    settings.listeners = isController ? `CONTROLLER://127.0.0.1:${node.controllerPort}` : `CLIENT://${placement.clientBindHost}:${node.clientPort}`;
    settings["advertised.listeners"] = isController ? `CONTROLLER://127.0.0.1:${node.controllerPort}` : `CLIENT://127.0.0.1:${node.clientPort}`;
    if (isController) delete settings["inter.broker.listener.name"];
    settings["controller.quorum.voters"] = `${controller.id}@127.0.0.1:${controller.controllerPort}`;
    settings["broker.session.timeout.ms"] = 3000;
    settings["broker.heartbeat.interval.ms"] = 1000;
  } else if (topology.nodes.length > 1) {
    // A broker that dies is fenced, and its partitions led elsewhere, after its session times out: 3 s
    // instead of 9. When it was the active controller, the others first notice (1.5 s, not 2) and elect
    // another. Both together stay inside the 10 s a kafkajs producer retries by default.
    settings["broker.session.timeout.ms"] = 3000;
    settings["broker.heartbeat.interval.ms"] = 1000;
    settings["controller.quorum.fetch.timeout.ms"] = 1500;
    settings["controller.quorum.election.backoff.max.ms"] = 500;
    // A static quorum: every node is a voter, formatted with the same cluster id.
    settings["controller.quorum.voters"] = topology.nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(",");
  } else {
    settings["controller.quorum.bootstrap.servers"] = `127.0.0.1:${node.controllerPort}`;
  }
  return Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, String(value)]));
}

/** Settings as a Java properties file, one `key=value` a line, in the order given. */
export function propertiesText(settings: Record<string, string>): string {
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n")}\n`;
}

/** The server.properties of one node on the host's JVM: every listener on loopback, the super user's login included. */
export function serverProperties(
  topology: ClusterTopology,
  node: KafkaNode,
  dataDir: string,
  admin: KafkaCredentials,
  learnerLimits: LearnerTopicLimits,
): string {
  const settings = brokerSettings(topology, node, { clientBindHost: "127.0.0.1", dataDir }, admin, learnerLimits);
  return propertiesText({ ...settings, [SUPER_USER_SETTING]: superUserLogin(admin) });
}

/** Heap per broker, in MiB: course data is small, and three brokers share one machine. */
export const BROKER_HEAP_MB = { single: 384, multi: 256 } as const;

/**
 * Every memory area of a broker's JVM, bounded, so its resident memory stays flat over a long course
 * instead of creeping up as the heap is first touched, the JIT fills its code cache and NIO caches
 * direct buffers per thread. The heap is touched at start (AlwaysPreTouch): what `ps` shows after
 * start-up is what the broker keeps. Measured: see the README (Kafka's memory).
 */
export function brokerMemoryFlags(nodeCount: number): string[] {
  const heapMb = nodeCount === 1 ? BROKER_HEAP_MB.single : BROKER_HEAP_MB.multi;
  return [
    `-Xms${heapMb}m`,
    `-Xmx${heapMb}m`,
    "-XX:+AlwaysPreTouch",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:MaxMetaspaceSize=128m",
    "-XX:ReservedCodeCacheSize=64m",
    "-XX:MaxDirectMemorySize=64m",
    // NIO keeps a direct buffer per thread as large as the largest write it did; cap what it keeps.
    "-Djdk.nio.maxCachedBufferSize=262144",
  ];
}

/** A broker JVM's flags, whichever path starts it; each path adds its classpath and log configuration. */
export function brokerJvmFlags(nodeCount: number): string[] {
  return [...brokerMemoryFlags(nodeCount), "-Djava.awt.headless=true"];
}

/**
 * A broker's environment beyond its JVM flags. glibc gives every thread that allocates its own malloc
 * arena (64 MiB each, up to 8 per core); a broker's hundred threads then grow its resident memory for
 * hours. Two arenas serve a course.
 */
export const BROKER_ENVIRONMENT = { MALLOC_ARENA_MAX: "2" } as const;

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
