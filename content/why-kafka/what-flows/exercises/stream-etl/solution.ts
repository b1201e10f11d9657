import { Kafka, logLevel } from "kafkajs";
import { connection, topic, group } from "tributary";

const kafka = new Kafka({ clientId: "stream-etl", ...connection, logLevel: logLevel.WARN });
const RAW = topic("page-views");
const CLEAN = topic("page-views-clean");
const COUNTRIES: Record<string, string> = { DE: "Germany", FR: "France", JP: "Japan", BR: "Brazil" };

// Done for you: the source writes 20 raw page views, with more fields than the target wants.
// Every run starts afresh: before it, the course empties both topics and forgets the group `etl`,
// so the checkpoint judges this run's work only.
const producer = kafka.producer();
await producer.connect();
const codes = ["DE", "FR", "JP", "BR", "NL"];
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
const consumer = kafka.consumer({ groupId: group("etl") });
await consumer.connect();
await consumer.subscribe({ topic: RAW, fromBeginning: true });
let processed = 0;
await new Promise<void>((done) => {
  void consumer.run({
    eachMessage: async ({ message }) => {
      const raw = JSON.parse(message.value?.toString() ?? "{}");
      // A code the table does not know becomes "unknown".
      const clean = { user: raw.user, page: raw.page, country: COUNTRIES[raw.country] ?? "unknown" };
      await producer.send({ topic: CLEAN, messages: [{ key: clean.user, value: JSON.stringify(clean) }] });
      if (++processed === views.length) done();
    },
  });
});
await consumer.disconnect();
await producer.disconnect();
console.log(`processor: wrote ${processed} clean page views, e.g. ${JSON.stringify({ user: "user-0", page: "/", country: "Germany" })}`);
