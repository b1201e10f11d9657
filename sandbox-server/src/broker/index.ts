// broker/: start, stop and inspect the course's Kafka (Docker or JVM).
export { clusterTopology, bootstrapAddresses, serverProperties, type ClusterTopology, type KafkaNode } from "./topology.ts";
export { startKafka, stopKafka, kafkaStatus, forgetKafka, brokerAccess, type ClusterRecord, type KafkaStatus } from "./cluster.ts";
export { startJvmCluster, kafkaVersionFromPom, portAnswers, mavenCopy, type RunningCluster, type NodeExit } from "./jvm.ts";
export { composeFile, dockerEngineAnswers } from "./docker.ts";
export { waitUntilKafkaAnswers, probeKafka, type KafkaProbe } from "./readiness.ts";
export { kafkajsConfig, SCRAM, type BrokerAccess, type KafkaCredentials } from "./access.ts";
export { LearnerPrincipals, learnerNamespace, type LearnerKafka } from "./learner-principals.ts";
export { BrokerInspector, type BrokerState, type TopicState, type GroupState, type PartitionOffsets } from "./inspect.ts";
