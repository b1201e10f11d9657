import { Kafka, logLevel } from "kafkajs";
import { connection, topic, group } from "tributary";

const kafka = new Kafka({ clientId: "surge-pricing", ...connection, logLevel: logLevel.WARN });
const REQUESTS = topic("trip-requests");
const SURGE = topic("surge-prices");
const WINDOW_MS = 10_000;

// Done for you: 60 trip requests over 20 seconds of event time, a minute ago, busiest downtown. Keyed by area.
// Every run starts from a clean slate: the course makes both topics anew.
const producer = kafka.producer();
await producer.connect();
const start = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS - 60_000;
const areas = ["downtown", "downtown", "downtown", "airport", "airport", "harbour"];
const requests = Array.from({ length: 60 }, (_, i) => ({ area: areas[i % areas.length]!, at: start + Math.floor((i * 20_000) / 60) }));
await producer.send({ topic: REQUESTS, messages: requests.map((r) => ({ key: r.area, value: JSON.stringify(r), timestamp: String(r.at) })) });
console.log(`generated ${requests.length} trip requests`);

// Your stream processor: count requests per area and 10-second window (by event time), then price each window.
const counts = new Map<string, number>();
const consumer = kafka.consumer({ groupId: group("surge-pricer") });
await consumer.connect();
await consumer.subscribe({ topic: REQUESTS, fromBeginning: true });
let handled = 0;
await new Promise<void>((done) => {
  void consumer.run({
    eachMessage: async ({ message }) => {
      const request = JSON.parse(message.value!.toString()) as { area: string; at: number };
      const windowStart = Math.floor(request.at / WINDOW_MS) * WINDOW_MS;
      const key = `${request.area}@${windowStart}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (++handled === requests.length) done();
    },
  });
});
await consumer.disconnect();

// Done for you: one price per area and window, 1.0 up to 5 requests, then 0.25 more for every 3 requests beyond.
const multiplier = (n: number) => (n <= 5 ? 1 : 1 + 0.25 * Math.ceil((n - 5) / 3));
const prices = [...counts].map(([key, n]) => {
  const [area, windowStart] = key.split("@");
  return { area: area!, window: new Date(Number(windowStart)).toISOString(), requests: n, multiplier: multiplier(n) };
});
await producer.send({ topic: SURGE, messages: prices.map((p) => ({ key: p.area, value: JSON.stringify(p) })) });
await producer.disconnect();
for (const p of prices) console.log(`${p.window} ${p.area.padEnd(9)} ${String(p.requests).padStart(3)} requests → ×${p.multiplier.toFixed(2)}`);
