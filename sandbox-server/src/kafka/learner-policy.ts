// What the brokers' learner policies (kafka/learner-topic-policy) hold each learner to, and how they
// recognise a learner's topics. The server hands these to the brokers and names them in refusals.

/** The caps the brokers' learner topic policies enforce. */
export interface LearnerTopicLimits {
  /** Topics, partitions in all, and partitions in one topic a learner may have at once. */
  topics: number;
  partitions: number;
  partitionsPerTopic: number;
  /** Bytes one learner's topics may hold on the broker's disk, all partitions together. */
  storageBytes: number;
  /** The largest record a learner's topic may take. */
  maxMessageBytes: number;
  /** Learners with Kafka data the broker is sized for: its file-descriptor limit follows from this. */
  classSize: number;
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
