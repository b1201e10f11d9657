// Bounds the ledger by size (retention.bytes, 1 MiB) instead of by time (retention.ms), so records are kept only the default seven days.
// The checkpoint says: 7 days
import { Kafka, logLevel } from "kafkajs";
import { connection, topic } from "tributary";

const kafka = new Kafka({ clientId: "durable-topic", ...connection, logLevel: logLevel.WARN });
const LEDGER = topic("ledger");
// kafkajs names this ConfigResourceTypes.TOPIC, but does not export it to ES modules.
const TOPIC_RESOURCE = 2;
const THIRTY_DAYS_MS = String(30 * 24 * 60 * 60 * 1000);

const admin = kafka.admin();
await admin.connect();
const { brokers } = await admin.describeCluster();
console.log(`The cluster has ${brokers.length} broker(s).`);
const settings = [
  { name: "min.insync.replicas", value: String(Math.max(1, brokers.length - 1)) },
  { name: "retention.bytes", value: String(1024 * 1024) },
];

if (!(await admin.listTopics()).includes(LEDGER)) {
  await admin.createTopics({
    topics: [{ topic: LEDGER, numPartitions: 1, replicationFactor: brokers.length, configEntries: settings }],
    waitForLeaders: false,
  });
  console.log("Created the ledger.");
} else {
  // The topic exists: change its settings in place. (Settings left out go back to the broker's defaults.)
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC_RESOURCE, name: LEDGER, configEntries: settings }] });
  console.log("Updated the ledger's settings.");
}

for (const p of await partitionsOf(LEDGER)) {
  console.log(`partition ${p.partitionId}: leader broker ${p.leader}, replicas [${p.replicas}], in sync [${p.isr}]`);
}
await admin.disconnect();

/** Done for you: a topic's partitions, asking again while Kafka is still announcing a topic it has just made. */
async function partitionsOf(name: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await admin.fetchTopicMetadata({ topics: [name] })).topics[0]?.partitions ?? [];
    } catch (error) {
      if (attempt === 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
