// provisioning/: starting and stopping a local Kafka for the course (Kafka's jars on the JVM, or Docker,
// both from one broker definition), one broker or three, and finding one this project started.
export { clusterTopology, bootstrapAddresses, type ClusterMode, type ClusterTopology, type KafkaNode } from "./topology.ts";
export {
  serverProperties,
  brokerSettings,
  brokerJvmFlags,
  brokerMemoryFlags,
  brokerOpenFiles,
  BROKER_ENVIRONMENT,
  PLACEMENT_SETTINGS,
  SUPER_USER_SETTING,
  SUPER_USER_NAME,
  superUserLogin,
} from "./broker-definition.ts";
export { startKafka, stopKafka, stopOwnKafka, kafkaStatus, brokerAccess, type KafkaStatus } from "./cluster.ts";
export { readRecord, changeRecord, type ClusterRecord } from "./cluster-record.ts";
export { stopKafkaNode, startKafkaNode, watchKafkaNodes, type NodeChange } from "./cluster-nodes.ts";
export { startJvmCluster, type RunningCluster } from "./jvm-cluster.ts";
export { brokerLogFile, type JvmClusterOptions } from "./kafka-node.ts";
export { terminateBroker, processAlive, portAnswers } from "./broker-processes.ts";
export { ephemeralPortRange, refuseEphemeralBrokerPorts, type PortRange } from "./ports.ts";
export { kafkaVersionFromPom } from "./kafka-jars.ts";
export { checkJavaAndMaven } from "../java-build/index.ts";
export { composeFile, dockerEngineAnswers } from "./docker.ts";
export {
  composeFiles,
  repositoryComposeFiles,
  containerProperties,
  CONTAINER_PLACEMENT,
  composeFileName,
  type ComposeLayout,
} from "./compose-files.ts";
