// What the graders of joins, deduplication and Top-N, and pattern detection share: rows as Flink's json
// format writes them, its timestamps and decimals in a learner's words, an input written more than once,
// and an upsert topic read as the table it holds (the last value of each key; a tombstone deletes the key).
import { recordsOfLatestRun, type GradedRecord, type GraderInput } from "#contract/grader";

export type Row = Record<string, unknown>;

/** A record's value as a JSON object, or undefined when it is none. */
export function parseRow(value: string | null): Row | undefined {
  try {
    const parsed: unknown = JSON.parse(value ?? "");
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Row) : undefined;
  } catch {
    return undefined;
  }
}

/** Flink writes a TIMESTAMP(3) in JSON as "2026-01-01 10:00:05" (UTC here): its epoch milliseconds. */
export function eventTime(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const ms = Date.parse(`${text.replace(" ", "T")}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A time as the lessons write it: "10:00:05". */
export const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** An amount as the lessons write it: Flink's json format writes DECIMAL 30.00 as 3E+1. */
export const money = (amount: number) => amount.toFixed(2);

/** Decimals compared as Flink's DECIMAL columns hold them, to `places` digits. */
export const sameDecimal = (a: number, b: number, places = 2) => Math.round(a * 10 ** places) === Math.round(b * 10 ** places);

/** "29 minutes", "1 minute", "30 seconds": the time between two events. */
export function duration(ms: number): string {
  const whole = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  return ms % 60_000 === 0 ? whole(ms / 60_000, "minute") : whole(Math.round(ms / 1000), "second");
}

/** The judged run's records of a topic the checkpoint reads; none when the topic is missing. */
export function judgedRecords(input: GraderInput, topic: string): GradedRecord[] {
  const graded = input.topics[topic];
  return graded ? recordsOfLatestRun(graded) : [];
}

/** A value the input holds more than once: the script's INSERT ... VALUES ran more than once. */
export function repeatedInput(records: GradedRecord[], topic: string): string | undefined {
  const seen = new Set<string>();
  const repeated = records.find((record) => seen.size === seen.add(`${record.key}\u0000${record.value}`).size);
  if (!repeated) return undefined;
  return (
    `\`${topic}\` holds ${repeated.value} more than once: your script wrote its input twice, so the result cannot be judged. ` +
    "Keep one INSERT ... VALUES for each table, as given."
  );
}

/** An upsert topic's table: each key's latest row, and the keys whose latest record deleted them. */
export interface UpsertTable {
  rows: Map<string, Row>;
  deleted: Set<string>;
}

/**
 * The table an upsert-kafka topic holds, as a reader rebuilds it from the first record: each record sets
 * its key's row, a tombstone (no value) deletes it. Or what is wrong with a record that no upsert table writes.
 */
export function upsertTable(records: GradedRecord[], topic: string, keyedBy: string): UpsertTable | { malformed: string } {
  const rows = new Map<string, Row>();
  const deleted = new Set<string>();
  for (const record of records) {
    if (record.key === null) {
      return {
        malformed: `\`${topic}\` holds ${record.value} without a key: it is an upsert table, keyed by ${keyedBy}. Keep its 'connector' = 'upsert-kafka' and its PRIMARY KEY as given.`,
      };
    }
    if (record.value === null) {
      rows.delete(record.key);
      deleted.add(record.key);
      continue;
    }
    const row = parseRow(record.value);
    if (!row) return { malformed: `\`${topic}\` holds ${record.value}, which is not a JSON object: the table's 'value.format' is 'json'.` };
    rows.set(record.key, row);
    deleted.delete(record.key);
  }
  return { rows, deleted };
}

/** Why a topic still holds nothing: the continuous INSERT may not have written yet. */
export const notStartedYet = "(Or your INSERT has not written yet: its rows appear a few seconds after the run begins.)";
