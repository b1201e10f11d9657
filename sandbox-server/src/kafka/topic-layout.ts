// Where a topic's partitions live: its id, and per partition its leader and the brokers holding, in
// sync with, and eligible to lead it. One DescribeTopicPartitions request, which any broker answers.
import { describeTopicPartitionsV0, type Connection } from "@platformatic/kafka";
import { KafkaUnavailable } from "./errors.ts";
import { protocolErrorCodes, responseDespiteErrors } from "./protocol-errors.ts";

export interface PartitionLayout {
  partition: number;
  /** The broker leading the partition; -1 when none does. */
  leader: number;
  replicaIds: number[];
  isrIds: number[];
  /** Replicas eligible to lead though out of sync (KIP-966), where the broker reports them. */
  elrIds?: number[];
}

export interface TopicLayout {
  topicId: string;
  partitions: PartitionLayout[];
}

/** More partitions than a learner may have in all; Kafka answers at most this many per request. */
const PARTITIONS_PER_ANSWER = 2000;

/** The layout of each named topic that exists, by name; topics that do not exist are absent. */
export async function describeTopics(connection: Connection, names: string[]): Promise<Map<string, TopicLayout>> {
  const layouts = new Map<string, TopicLayout>();
  if (names.length === 0) return layouts;
  const response = await responseDespiteErrors(
    describeTopicPartitionsV0.api.async(
      connection,
      names.map((name) => ({ name })),
      PARTITIONS_PER_ANSWER,
    ),
  );
  for (const topic of response.topics) {
    if (topic.errorCode === protocolErrorCodes.UNKNOWN_TOPIC_OR_PARTITION || !topic.name) continue;
    if (topic.errorCode !== 0) throw new KafkaUnavailable(`Topic ${topic.name} could not be described just now (Kafka error ${topic.errorCode}).`);
    const partitions = topic.partitions
      .map((p) => ({
        partition: p.partitionIndex,
        leader: p.leaderId,
        replicaIds: p.replicaNodes,
        isrIds: p.isrNodes,
        ...(p.eligibleLeaderReplicas ? { elrIds: p.eligibleLeaderReplicas } : {}),
      }))
      .sort((a, b) => a.partition - b.partition);
    layouts.set(topic.name, { topicId: topic.topicId, partitions });
  }
  return layouts;
}
