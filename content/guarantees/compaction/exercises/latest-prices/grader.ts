// Judges `product-prices` as a compacted topic is read: the latest record of each key is the table, and a record
// with no value (a tombstone) deletes its key. The topic's policy is a declarative check beside this one. Each run
// starts without the topic, so every record here is the judged run's.
import type { GradedRecord, GraderCheck, GraderInput } from "#contract/grader";

/** The price updates the programs send, in order: [product, price], null when the product is withdrawn. */
export const UPDATES: [string, string | null][] = [
  ["p-1", "10.00"],
  ["p-2", "5.00"],
  ["p-3", "7.50"],
  ["p-4", "3.00"],
  ["p-1", "12.00"],
  ["p-4", "3.50"],
  ["p-3", null],
  ["p-4", "4.00"],
];
/** The product withdrawn from sale: its last record must be a tombstone. */
export const WITHDRAWN = "p-3";

const WORDS = {
  typescript: {
    key: "send each update with its product as its key: `messages: [{ key: product, value: price }]`.",
    tombstone: "Send the withdrawal with no value at all: `{ key: product, value: null }`.",
  },
  python: {
    key: "send each update with its product as its key: `producer.send(PRICES, key=product.encode(), value=…)`.",
    tombstone: "Send the withdrawal with no value at all: `producer.send(PRICES, key=product.encode(), value=None)`.",
  },
};

const shown = (value: string | null) => (value === null ? "null (a tombstone)" : value === "" ? '`""` (empty, but not null)' : `\`${value}\``);
const sequence = (values: (string | null)[]) => values.map((v) => (v === null ? "tombstone" : v)).join(", ");

/** The table a reader rebuilds from the records: the latest value per key, a tombstone removing its key. */
export function tableOf(records: GradedRecord[]): Map<string, string> {
  const table = new Map<string, string>();
  for (const { key, value } of records) {
    if (key === null) continue;
    if (value === null) table.delete(key);
    else table.set(key, value);
  }
  return table;
}

export default function grade(input: GraderInput): GraderCheck[] {
  const words = WORDS[input.run?.language === "python" ? "python" : "typescript"];
  const records = input.topics["product-prices"]?.records ?? [];
  const checks: GraderCheck[] = [];

  const keyed = "Every update is keyed by its product";
  const unkeyed = records.find((r) => r.key === null);
  if (records.length === 0) {
    checks.push({
      title: keyed,
      status: "fail",
      message: `\`product-prices\` holds no price update from your latest run. Kafka refuses a record without a key on a compacted topic ("Compacted topic cannot accept message without key"): ${words.key}`,
    });
    return checks;
  }
  if (unkeyed) {
    checks.push({
      title: keyed,
      status: "fail",
      message: `The record at offset ${unkeyed.offset}, ${shown(unkeyed.value)}, was sent without a key. Compaction keeps the latest record of each key, so ${words.key}`,
    });
    return checks;
  }
  const products = new Set(UPDATES.map(([product]) => product));
  const stranger = records.find((r) => !products.has(r.key!));
  checks.push(
    stranger
      ? {
          title: keyed,
          status: "fail",
          message: `The record at offset ${stranger.offset} has the key \`${stranger.key}\`, which is no product of the updates (${[...products].join(", ")}): ${words.key}`,
        }
      : { title: keyed, status: "pass", message: "Every record's key is its product." },
  );

  const table = "The table rebuilt from the topic holds the latest price of each product, and no withdrawn one";
  const rebuilt = tableOf(records);
  const last = new Map(UPDATES.map(([product, price]) => [product, price]));
  const withdrawal = records.filter((r) => r.key === WITHDRAWN).at(-1);
  const wrongPrice = [...last].find(([product, price]) => price !== null && rebuilt.get(product) !== price);
  if (withdrawal && withdrawal.value !== null) {
    checks.push({
      title: table,
      status: "fail",
      message: `${WITHDRAWN} was withdrawn, but its last record (offset ${withdrawal.offset}) has the value ${shown(withdrawal.value)}, so it is not a tombstone: a reader rebuilding the table still lists ${WITHDRAWN}, and compaction keeps that record for as long as the topic lives. ${words.tombstone}`,
    });
  } else if (wrongPrice) {
    const [product, price] = wrongPrice;
    checks.push({
      title: table,
      status: "fail",
      message: `Rebuilt from the topic, ${product} costs ${rebuilt.has(product) ? shown(rebuilt.get(product)!) : "nothing (it is missing)"}; its latest price is \`${price}\`. Send every update, in order.`,
    });
  } else {
    checks.push({
      title: table,
      status: "pass",
      message: `Rebuilt from the topic: ${[...rebuilt].map(([p, v]) => `${p} ${v}`).join(", ")}; ${WITHDRAWN} deleted by a tombstone.`,
    });
  }

  const once = "Each product's updates are there once, in the order they happened";
  const differs = [...products].find((product) => {
    const sent = UPDATES.filter(([p]) => p === product).map(([, price]) => price);
    const found = records.filter((r) => r.key === product).map((r) => r.value);
    return sequence(sent) !== sequence(found);
  });
  if (differs) {
    const sent = UPDATES.filter(([p]) => p === differs).map(([, price]) => price);
    const found = records.filter((r) => r.key === differs).map((r) => r.value);
    checks.push({
      title: once,
      status: "fail",
      message: `${differs}'s records are ${sequence(found) || "none"}; its updates were ${sequence(sent)}. Send each update once, in the order they happened, each one a record of its own.`,
    });
  } else {
    checks.push({ title: once, status: "pass", message: "Each product's updates are there once, in order." });
  }
  return checks;
}
