// kafka/: the server's run-time access to Kafka, with one client (@platformatic/kafka): the admin
// connection, learners' principals and the policy their topics are held to, health probes, and the
// snapshots checkpoints are graded on.
export { waitUntilKafkaAnswers, probeKafka, brokerNodeStates, brokersNeeded, type KafkaProbe, type BrokerNodeState } from "./readiness.ts";
export { SCRAM_MECHANISM, brokerAddress, connectTo, untilBrokerListsTopics, type BrokerAccess, type KafkaCredentials } from "./access.ts";
export { KafkaUnavailable } from "./errors.ts";
export { LearnerPrincipals, learnerNamespace, type LearnerKafka } from "./learner-principals.ts";
export {
  learnerTopicBounds,
  LEARNER_NAMESPACE_PATTERN,
  LEARNER_TOPIC_POLICY_CLASS,
  LEARNER_CONFIG_POLICY_CLASS,
  type LearnerTopicLimits,
} from "./learner-policy.ts";
export {
  BrokerInspector,
  groupKey,
  type BrokerState,
  type BrokerSnapshot,
  type SnapshotRequest,
  type TopicState,
  type GroupState,
  type PartitionOffsets,
} from "./inspect.ts";
export { READ_SIZE_CAPS, type ReadSizeCaps, type TopicRecord } from "./read-records.ts";
export { ExerciseSlates, type OwnedNames, type RunMarks, type TopicMark } from "./exercise-slate.ts";
export {
  LearnerWatches,
  type LiveViews,
  type LiveUpdate,
  type LiveListener,
  type LiveClusterResolver,
  type LiveClusterResolvers,
  type WatchingLearner,
} from "./learner-watch.ts";
export type { WatchedCluster } from "./learner-connections.ts";
