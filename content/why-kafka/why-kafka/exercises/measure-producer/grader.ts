// The benchmark's run must have sent its 3,000 readings once each, spread so that every partition of
// `bench` took part. When partitions sat idle, the verdict shows where the run's keys went: the
// partitioner hashes a key, so a handful of keys may share a partition however many there are.
import type { GradedRecord, GradedTopic, GraderCheck, GraderInput } from "#contract/grader";

const READINGS = 3000;

const count = (n: number) => n.toLocaleString("en");
const times = (n: number) => (n === 2 ? "twice" : `${n} times`);
const list = (items: string[]) => (items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`);

function readingOf(record: GradedRecord): number | undefined {
  try {
    const value = JSON.parse(record.value ?? "") as { reading?: unknown };
    return typeof value.reading === "number" ? value.reading : undefined;
  } catch {
    return undefined;
  }
}

/** Where the run's keys went, as "sensor-0 → 0, sensor-1 → 1" (a few of them). */
function keyPlaces(records: GradedRecord[]): { keys: number; shown: string } {
  const partitionOf = new Map<string | null, number>();
  for (const r of records) if (!partitionOf.has(r.key)) partitionOf.set(r.key, r.partition);
  const shown = [...partitionOf]
    .slice(0, 6)
    .map(([key, partition]) => `${key === null ? "no key" : `"${key}"`} → ${partition}`)
    .join(", ");
  return { keys: partitionOf.size, shown: partitionOf.size > 6 ? `${shown} …` : shown };
}

const fail = (title: string, message: string): GraderCheck => ({ title, status: "fail", message });

/** The run sent the 3,000 readings, each once. */
function countCheck(bench: GradedTopic): GraderCheck {
  const title = `Your run sent the ${count(READINGS)} readings once each`;
  const { records } = bench;
  if (bench.truncated) return fail(title, `\`bench\` holds more than ${count(records.length)} messages; the benchmark sends ${count(READINGS)}, in 30 batches of 100.`);
  if (records.length !== READINGS) {
    return fail(
      title,
      `Your run sent ${count(records.length)} ${records.length === 1 ? "message" : "messages"} to \`bench\`; the benchmark sends ${count(READINGS)}, in 30 batches of 100: let the loop run until \`sent\` reaches MESSAGES, once.`,
    );
  }
  const seen = new Map<number, number>();
  for (const r of records) {
    const reading = readingOf(r);
    if (reading !== undefined) seen.set(reading, (seen.get(reading) ?? 0) + 1);
  }
  const repeated = [...seen].find(([, n]) => n > 1);
  if (repeated) return fail(title, `Reading ${repeated[0]} is in \`bench\` ${times(repeated[1])}: send each batch once, readings 0 to ${READINGS - 1}.`);
  return { title, status: "pass", message: `\`bench\` holds ${count(READINGS)} readings.` };
}

/** Every partition took part; when one sat idle, where the run's keys went. */
function spreadCheck(bench: GradedTopic): GraderCheck {
  const title = "Every partition of `bench` took part";
  const { records } = bench;
  if (records.length === 0) return fail(title, "Your run sent nothing to `bench`.");
  const perPartition = Array.from({ length: bench.partitions }, (_, p) => records.filter((r) => r.partition === p).length);
  if (perPartition.every((n) => n > 0)) return { title, status: "pass", message: `Messages per partition: ${perPartition.map(count).join(", ")}.` };
  const used = perPartition.flatMap((n, p) => (n > 0 ? [String(p)] : []));
  const { keys, shown } = keyPlaces(records);
  const why =
    keys === 1
      ? `every message has the key ${shown.split(" → ")[0]}, and the partitioner sends one key always to one partition. Give the messages different keys.`
      : `your ${keys} keys went ${shown}. The partitioner hashes each key, so ${keys} keys need not fill ${bench.partitions} partitions: use many more keys (thirty sensors, say).`;
  return fail(title, `Only partition${used.length === 1 ? "" : "s"} ${list(used)} of the ${bench.partitions} hold${used.length === 1 ? "s" : ""} messages: ${why}`);
}

export default function grade(input: GraderInput): GraderCheck[] {
  const bench = input.topics.bench;
  if (!bench) return [fail("`bench` exists", "There is no topic `bench`: run the benchmark (the course makes `bench` before each run).")];
  // The spread is the lesson's point: it is judged first.
  return [spreadCheck(bench), countCheck(bench)];
}
