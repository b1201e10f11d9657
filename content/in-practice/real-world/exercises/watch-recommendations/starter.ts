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

// Every run starts afresh: its topics are made anew and it reads them in a new group, so the
// checkpoint judges this run's work only.
await freshTopics([WATCHED, RECOMMENDATIONS], 2);

// Done for you: twelve members' viewing, keyed by member so each member's history stays in order.
const producer = kafka.producer();
await producer.connect();
const genres = Object.keys(CATALOG);
const events = Array.from({ length: 12 }, (_, i) => {
  const genre = genres[i % genres.length]!;
  return { member: `member-${i % 4}`, genre, title: CATALOG[genre]![Math.floor(i / 3) % CATALOG[genre]!.length]! };
});
await producer.send({ topic: WATCHED, messages: events.map((e) => ({ key: e.member, value: JSON.stringify(e) })) });
console.log(`generated ${events.length} watch events`);

// Your stream processor: remember what each member watched; recommend the next unseen title of the genre.
const history = new Map<string, Set<string>>();
const consumer = kafka.consumer({ groupId: group(`recommender-${Date.now()}`) });
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
      // TODO: find the first title of event.genre in CATALOG that this member has not seen, and if there is one,
      // produce { member, because: event.title, recommend } as JSON to RECOMMENDATIONS, keyed by member.
      console.log(`${event.member} watched ${event.title}`);
      if (++handled === events.length) done();
    },
  });
});
await consumer.disconnect();
await producer.disconnect();

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
