// kafka/: the server's run-time access to Kafka: the admin connection, learners' principals, health
// probes and the snapshots checkpoints are graded on.
export { waitUntilKafkaAnswers, probeKafka, brokerNodeStates, brokersNeeded, type KafkaProbe, type BrokerNodeState } from "./readiness.ts";
export { kafkajsConfig, SCRAM, type BrokerAccess, type KafkaCredentials } from "./access.ts";
export { LearnerPrincipals, learnerNamespace, type LearnerKafka } from "./learner-principals.ts";
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
export type { TopicRecord } from "./read-records.ts";
export { ExerciseSlates, type OwnedNames, type RunMarks, type TopicMark } from "./exercise-slate.ts";
