// Bounds the ledger by size (retention.bytes, 1 MiB) instead of by time (retention.ms), so records are kept only the default seven days.
// The checkpoint says: 7 days
import { Kafka, logLevel } from "kafkajs";
import { connection, topic } from "tributary";

const kafka = new Kafka({ clientId: "durable-topic", ...connection, logLevel: logLevel.WARN });
const LEDGER = topic("ledger");
// kafkajs names this ConfigResourceTypes.TOPIC, but does not export it to ES modules.
const TOPIC_RESOURCE = 2;

const admin = kafka.admin();
await admin.connect();
const { brokers } = await admin.describeCluster();
console.log(`The cluster has ${brokers.length} broker(s).`);
const settings = [
  { name: "min.insync.replicas", value: String(Math.min(2, brokers.length)) },
  { name: "retention.bytes", value: String(1024 * 1024) },
];

if (!(await admin.listTopics()).includes(LEDGER)) {
  await admin.createTopics({
    topics: [{ topic: LEDGER, numPartitions: 1, replicationFactor: brokers.length, configEntries: settings }],
    waitForLeaders: true,
  });
  console.log("Created the ledger.");
} else {
  // The topic exists: change its settings in place.
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC_RESOURCE, name: LEDGER, configEntries: settings }] });
  console.log("Updated the ledger's settings.");
}

const { topics } = await admin.fetchTopicMetadata({ topics: [LEDGER] });
for (const p of topics[0]?.partitions ?? []) {
  console.log(`partition ${p.partitionId}: leader broker ${p.leader}, replicas [${p.replicas}], in sync [${p.isr}]`);
}
await admin.disconnect();
