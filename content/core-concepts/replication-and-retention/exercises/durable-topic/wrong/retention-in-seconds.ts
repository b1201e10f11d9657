// Gives the retention in seconds, not milliseconds.
// The checkpoint says: 2592 seconds
import { Kafka, logLevel } from "kafkajs";
import { connection, topic } from "tributary";

const kafka = new Kafka({ clientId: "durable-topic", ...connection, logLevel: logLevel.WARN });
const LEDGER = topic("ledger");
// kafkajs names this ConfigResourceTypes.TOPIC, but does not export it to ES modules.
const TOPIC_RESOURCE = 2;
const THIRTY_DAYS_MS = String(30 * 24 * 60 * 60);

const admin = kafka.admin();
await admin.connect();
const { brokers } = await admin.describeCluster();
console.log(`The cluster has ${brokers.length} broker(s).`);
// One broker may be down and writes with acks -1 still succeed: at most the replicas less one in sync (1 on one broker).
const settings = [
  { name: "min.insync.replicas", value: String(Math.max(1, brokers.length - 1)) },
  { name: "retention.ms", value: THIRTY_DAYS_MS },
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
