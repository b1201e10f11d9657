// provisioning/: starting and stopping a local Kafka for the course (Kafka's jars on the JVM, or Docker),
// one broker or three, and finding one this project started.
export { clusterTopology, bootstrapAddresses, serverProperties, type ClusterTopology, type KafkaNode } from "./topology.ts";
export {
  startKafka,
  stopKafka,
  stopOwnKafka,
  kafkaStatus,
  brokerAccess,
  readRecord,
  stopKafkaNode,
  startKafkaNode,
  watchKafkaNodes,
  type ClusterRecord,
  type KafkaStatus,
  type NodeChange,
} from "./cluster.ts";
export { startJvmCluster, type RunningCluster } from "./jvm-cluster.ts";
export { startJvmNode, terminateBroker, processAlive, portAnswers, brokerLogFile, type JvmClusterOptions } from "./kafka-node.ts";
export { kafkaVersionFromPom, checkJavaAndMaven, mavenCopy, compileJava } from "./kafka-jars.ts";
export { composeFile, dockerEngineAnswers } from "./docker.ts";
