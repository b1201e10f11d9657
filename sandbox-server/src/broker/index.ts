// broker/: start, stop and inspect the course's Kafka (Docker or JVM).
export { clusterTopology, bootstrapAddresses, serverProperties, type ClusterTopology, type KafkaNode } from "./topology.ts";
export {
  startKafka, stopKafka, stopOwnKafka, kafkaStatus, brokerAccess, readRecord, stopKafkaNode, startKafkaNode, watchKafkaNodes,
  type ClusterRecord, type KafkaStatus, type NodeChange,
} from "./cluster.ts";
export { startJvmCluster, startJvmNode, terminateBroker, processAlive, kafkaVersionFromPom, portAnswers, type RunningCluster } from "./jvm.ts";
export { composeFile, dockerEngineAnswers } from "./docker.ts";
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
