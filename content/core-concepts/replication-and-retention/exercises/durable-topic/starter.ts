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
// TODO: the ledger's settings, each { name, value } with the value as a string:
// - min.insync.replicas: as many in-sync copies as a write with acks -1 needs, so that one broker may be down
//   (the replicas less one; on a single broker, 1);
// - retention.ms: THIRTY_DAYS_MS.
const settings: { name: string; value: string }[] = [];

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
