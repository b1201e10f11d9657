import { Kafka, logLevel } from "kafkajs";
import { connection, topic, group } from "tributary";

const kafka = new Kafka({ clientId: "spam-signals", ...connection, logLevel: logLevel.WARN });
const INTERACTIONS = topic("interactions");
const SIGNALS = topic("spam-signals");
const LIMIT = 10;
const WINDOW_MS = 60_000;

// Done for you: five members chat normally; one is busy (ten messages in a minute, the most allowed); a fan sends
// eight messages and likes six posts within a minute; one writes twelve messages over two minutes; and two blast
// messages at strangers. Every run starts from a clean slate: the course makes both topics anew.
const producer = kafka.producer();
await producer.connect();
const now = Date.now();
const events = [
  ...Array.from({ length: 15 }, (_, i) => ({ member: `member-${i % 5}`, action: i % 3 ? "like" : "message", to: `member-${(i + 1) % 5}`, at: now + i * 4000 })),
  ...Array.from({ length: 14 }, (_, i) => ({ member: "fan-member", action: i % 7 < 4 ? "message" : "like", to: `member-${i % 5}`, at: now + i * 3000 })),
  ...Array.from({ length: 14 }, (_, i) => ({ member: "spammer-a", action: "message", to: `stranger-${i}`, at: now + i * 2000 })),
  ...Array.from({ length: 12 }, (_, i) => ({ member: "spammer-b", action: "message", to: `stranger-${i}`, at: now + i * 3000 })),
  ...Array.from({ length: 10 }, (_, i) => ({ member: "busy-member", action: "message", to: `member-${i % 5}`, at: now + i * 5000 })),
  ...Array.from({ length: 12 }, (_, i) => ({ member: "slow-member", action: "message", to: `member-${i % 5}`, at: now + i * 10_000 })),
];
await producer.send({ topic: INTERACTIONS, messages: events.map((e) => ({ key: e.member, value: JSON.stringify(e) })) });
console.log(`generated ${events.length} interactions`);

// Your stream processor: per member, the times of their recent messages; flag a member once past the limit.
const recent = new Map<string, number[]>();
const flagged = new Set<string>();
const consumer = kafka.consumer({ groupId: group("spam-watch") });
await consumer.connect();
await consumer.subscribe({ topic: INTERACTIONS, fromBeginning: true });
let handled = 0;
await new Promise<void>((done) => {
  void consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value!.toString()) as { member: string; action: string; at: number };
      // TODO: for "message" events, keep the member's message times within the last WINDOW_MS in `recent`.
      // When a member passes LIMIT for the first time, add them to `flagged` and produce a spam signal
      // ({ member, messagesInLastMinute }) as JSON to SIGNALS, keyed by member.
      void event;
      if (++handled === events.length) done();
    },
  });
});
await consumer.disconnect();
await producer.disconnect();
console.log(`${flagged.size} member(s) flagged.`);
