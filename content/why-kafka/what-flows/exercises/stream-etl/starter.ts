import { Kafka, logLevel } from "kafkajs";
import { connection, topic, group } from "tributary";

const kafka = new Kafka({ clientId: "stream-etl", ...connection, logLevel: logLevel.WARN });
const RAW = topic("page-views");
const CLEAN = topic("page-views-clean");
const COUNTRIES: Record<string, string> = { DE: "Germany", FR: "France", JP: "Japan", BR: "Brazil" };

// Done for you: the source writes 20 raw page views, with more fields than the target wants.
// Every run starts afresh: its topics are made anew and it reads them in a new group, so the
// checkpoint judges this run's work only.
await freshTopics([RAW, CLEAN], 1);

const producer = kafka.producer();
await producer.connect();
const codes = Object.keys(COUNTRIES);
const views = Array.from({ length: 20 }, (_, i) => ({
  user: `user-${i % 7}`,
  page: ["/", "/pricing", "/docs", "/blog"][i % 4],
  country: codes[i % codes.length],
  userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
  sessionCookie: `c${i}`,
}));
await producer.send({ topic: RAW, messages: views.map((view) => ({ key: view.user, value: JSON.stringify(view) })) });
console.log(`source: wrote ${views.length} raw page views`);

// The event processor: extract each raw view, transform it, load it into the clean topic.
const consumer = kafka.consumer({ groupId: group(`etl-${Date.now()}`) });
await consumer.connect();
await consumer.subscribe({ topic: RAW, fromBeginning: true });
let processed = 0;
await new Promise<void>((done) => {
  void consumer.run({
    eachMessage: async ({ message }) => {
      const raw = JSON.parse(message.value?.toString() ?? "{}");
      // TODO transform: keep user and page, and replace the country code with its name (COUNTRIES).
      // TODO load: send the clean view as JSON to CLEAN, keyed by user.
      void raw;
      if (++processed === views.length) done();
    },
  });
});
await consumer.disconnect();
await producer.disconnect();
console.log(`processor: read ${processed} page views`);

/** Done for you: deletes the topics an earlier run left, and creates them anew. */
async function freshTopics(names: string[], numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const leftovers = (await admin.listTopics()).filter((name) => names.includes(name));
  if (leftovers.length) await admin.deleteTopics({ topics: leftovers });
  // Deleting takes Kafka a moment: wait until it no longer lists them.
  for (let waited = 0; (await admin.listTopics()).some((name) => leftovers.includes(name)); waited += 200) {
    if (waited >= 30_000) throw new Error("Kafka has not finished deleting the old topics after 30 s; run the program again.");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.createTopics({ topics: names.map((topic) => ({ topic, numPartitions })), waitForLeaders: true });
      break;
    } catch (error) {
      // A new topic can take Kafka a moment to announce: try again.
      if (attempt === 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  await admin.disconnect();
}
