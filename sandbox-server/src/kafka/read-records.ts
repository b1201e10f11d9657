// Reads every record of some topics up to the end offsets a snapshot saw, as the super user, with a
// consumer in a throwaway group that is deleted afterwards. Records written after the snapshot are
// ignored, so what a grader sees matches the offsets it is given.
import { randomBytes } from "node:crypto";
import type { Admin, Kafka } from "kafkajs";
import type { GradedRecord } from "../contract/grader.ts";

/** One record as it was on the broker; the grader contract's shape, so graders get it as read. */
export type TopicRecord = GradedRecord;

export interface RecordsRead {
  records: TopicRecord[];
  /** True when the topic held more records than the cap: only the first ones were read. */
  truncated: boolean;
}

/** Where to stop reading a topic: partition → [log start, log end] when the snapshot was taken. */
export type ReadBounds = Map<string, { partition: number; low: number; high: number }[]>;

const READ_TIMEOUT_MS = 15_000;

/** Reads `bounds`' topics from their log start to the snapshot's log end, at most `cap` records a topic. */
export async function readRecords(kafka: Kafka, admin: Admin, bounds: ReadBounds, cap: number): Promise<Map<string, RecordsRead>> {
  const result = new Map<string, RecordsRead>();
  // Per topic and partition: the offset after which nothing more is wanted.
  const stopAt = new Map<string, Map<number, number>>();
  for (const [topic, partitions] of bounds) {
    result.set(topic, { records: [], truncated: false });
    const wanted = new Map<number, number>();
    let budget = cap;
    for (const p of partitions) {
      if (p.high <= p.low) continue;
      const take = Math.min(p.high - p.low, Math.max(0, budget));
      if (take < p.high - p.low) result.get(topic)!.truncated = true;
      if (take > 0) wanted.set(p.partition, p.low + take);
      budget -= take;
    }
    if (wanted.size) stopAt.set(topic, wanted);
  }
  if (stopAt.size === 0) return result;

  const groupId = `tributary-grader-read-${randomBytes(6).toString("hex")}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  // "<topic>/<partition>" → the offset to stop before, for partitions not read to the end yet.
  const remaining = new Map<string, number>([...stopAt].flatMap(([topic, parts]) => [...parts].map(([p, end]) => [`${topic}/${p}`, end] as const)));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...stopAt.keys()], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading records took longer than ${READ_TIMEOUT_MS / 1000} s (${remaining.size} partition(s) unfinished)`)),
        READ_TIMEOUT_MS,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const key = `${batch.topic}/${batch.partition}`;
            const end = remaining.get(key);
            if (end === undefined) return;
            const into = result.get(batch.topic)!.records;
            for (const message of batch.messages) {
              const offset = Number(message.offset);
              if (offset >= end) break;
              into.push({
                partition: batch.partition,
                offset,
                timestamp: Number(message.timestamp),
                key: message.key ? message.key.toString("utf8") : null,
                value: message.value ? message.value.toString("utf8") : null,
                headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value ?? "")])),
              });
            }
            // Control records of transactions take offsets too: the batch's last offset says how far it went.
            if (Number(batch.lastOffset()) + 1 >= end) remaining.delete(key);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
  }
  for (const read of result.values()) read.records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  return result;
}
