// lab/: fault labs, a small Kafka cluster of three brokers per learner who asks, whose brokers the learner
// stops and starts from the page; capped, queued and stopped when idle (see lab-clusters.ts).
export { LabCluster, LabBrokerBusy, type LabClusterOptions } from "./lab-cluster.ts";
export { LabClusters, LabNotReady, labStarter, type LabHooks, type LabLearner, type LabSettings, type LabStarter } from "./lab-clusters.ts";
