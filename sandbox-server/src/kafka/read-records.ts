// Reads every record of some topics up to the end offsets a snapshot saw, with plain Fetch requests to
// each partition's leader: no consumer group is joined, so nothing is left behind on the broker.
// Records written after the snapshot are ignored, so what a grader sees matches the offsets it is given.
// Reading is read_committed, as a course consumer reads: records of aborted transactions are left out,
// and the control records transactions leave take offsets but are never records.
import { fetchV17, type Connection, IS_CONTROL, IS_TRANSACTIONAL, type RecordsBatch } from "@platformatic/kafka";
import type { GradedRecord } from "../contract/grader.ts";
import { KafkaUnavailable } from "./errors.ts";
import { protocolErrorCodes, responseDespiteErrors } from "./protocol-errors.ts";

/** One record as it was on the broker; the grader contract's shape, so graders get it as read. */
export type TopicRecord = GradedRecord;

export interface RecordsRead {
  records: TopicRecord[];
  /** True when the topic held more records than the cap: only the first ones were read. */
  truncated: boolean;
  /** What was too big to read, in a sentence for the learner (a record over its cap, or a snapshot over its own). */
  tooBig?: string;
}

/** How many bytes a Check reads: of one record (key, value and headers), and of one snapshot's records in all. */
export interface ReadSizeCaps {
  recordBytes: number;
  snapshotBytes: number;
}

/** One record may be as large as Kafka's default largest message; a snapshot holds a few dozen of those. */
export const READ_SIZE_CAPS: ReadSizeCaps = { recordBytes: 1024 * 1024, snapshotBytes: 32 * 1024 * 1024 };

/** A size as a learner reads it: KB below a megabyte, MB with a decimal above. */
const sizeOf = (bytes: number) =>
  bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** What to read of one topic: its id, and per partition its leader and [log start, log end] when the snapshot was taken. */
export interface TopicBounds {
  topicId: string;
  partitions: { partition: number; low: number; high: number; leader: number }[];
}

const READ_TIMEOUT_MS = 15_000;
const READ_COMMITTED = 1;
/** The batch's timestamps are the broker's append times (timestamp type bit). */
const LOG_APPEND_TIME = 0x08;
const UNKNOWN_TOPIC = new Set<number>([protocolErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, protocolErrorCodes.UNKNOWN_TOPIC_ID]);

interface PartitionRead {
  topic: string;
  topicId: string;
  partition: number;
  leader: number;
  next: bigint;
  /** The offset to stop before: the snapshot's log end, or sooner where the cap says so. */
  end: bigint;
  into: TopicRecord[];
  /** The topic's result, to say what was too big. */
  result: RecordsRead;
}

/** The bytes one snapshot has read so far, against its caps. */
interface ByteBudget {
  caps: ReadSizeCaps;
  used: number;
}

/** The first `cap` records of each topic, partition by partition, as offsets to read. */
function plan(bounds: Map<string, TopicBounds>, cap: number, result: Map<string, RecordsRead>): PartitionRead[] {
  const reads: PartitionRead[] = [];
  for (const [topic, { topicId, partitions }] of bounds) {
    const read: RecordsRead = { records: [], truncated: false };
    result.set(topic, read);
    let budget = cap;
    for (const p of [...partitions].sort((a, b) => a.partition - b.partition)) {
      if (p.high <= p.low) continue;
      const take = Math.min(p.high - p.low, Math.max(0, budget));
      if (take < p.high - p.low) read.truncated = true;
      if (take > 0)
        reads.push({
          topic,
          topicId,
          partition: p.partition,
          leader: p.leader,
          next: BigInt(p.low),
          end: BigInt(p.low + take),
          into: read.records,
          result: read,
        });
      budget -= take;
    }
  }
  return reads;
}

/** Why a record of `bytes` at `offset` may not be read within the caps, or undefined when it may. */
function overCaps(read: PartitionRead, offset: bigint, bytes: number, budget: ByteBudget): string | undefined {
  const { recordBytes, snapshotBytes } = budget.caps;
  if (bytes > recordBytes)
    return `The message at offset ${offset} of partition ${read.partition} of \`${read.topic}\` is ${sizeOf(bytes)}, more than the ${sizeOf(recordBytes)} a Check reads of one message: only the messages before it were checked.`;
  if (budget.used + bytes > snapshotBytes)
    return `\`${read.topic}\` holds more than the ${sizeOf(snapshotBytes)} of messages a Check reads at once: only the first ${read.into.length} of partition ${read.partition} were checked.`;
  return undefined;
}

/** Takes a fetched partition's batches: its records below `end`, without aborted transactions' records. */
function take(read: PartitionRead, batches: RecordsBatch[], aborted: { producerId: bigint; firstOffset: bigint }[], budget: ByteBudget): void {
  const pending = [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const abortedProducers = new Set<bigint>();
  for (const batch of batches) {
    const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    while (pending.length && pending[0]!.firstOffset <= last) abortedProducers.add(pending.shift()!.producerId);
    const transactional = (batch.attributes & IS_TRANSACTIONAL) !== 0;
    if (batch.attributes & IS_CONTROL) {
      // A transaction's end marker: later batches of this producer belong to another transaction.
      abortedProducers.delete(batch.producerId);
    } else if (!(transactional && abortedProducers.has(batch.producerId))) {
      for (const record of batch.records) {
        const offset = batch.firstOffset + BigInt(record.offsetDelta);
        if (offset < read.next || offset >= read.end) continue;
        const bytes =
          (record.key?.length ?? 0) +
          (record.value?.length ?? 0) +
          record.headers.reduce((sum, [n, v]) => sum + (n?.length ?? 0) + (v?.length ?? 0), 0);
        const tooBig = overCaps(read, offset, bytes, budget);
        if (tooBig) {
          // Nothing more of this partition is read, so a Check never holds more than the caps allow.
          read.result.tooBig ??= tooBig;
          read.result.truncated = true;
          read.next = read.end;
          return;
        }
        budget.used += bytes;
        read.into.push({
          partition: read.partition,
          offset: Number(offset),
          timestamp: Number(batch.attributes & LOG_APPEND_TIME ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta),
          key: record.key ? record.key.toString("utf8") : null,
          value: record.value ? record.value.toString("utf8") : null,
          headers: Object.fromEntries(record.headers.map(([name, value]) => [name?.toString("utf8") ?? "", value?.toString("utf8") ?? ""])),
        });
      }
    }
    if (last + 1n > read.next) read.next = last + 1n;
  }
}

/** Fetches one leader's partitions until each reached its end; returns the topics found gone. */
async function readFromLeader(connection: Connection, reads: PartitionRead[], deadline: number, budget: ByteBudget): Promise<Set<string>> {
  const vanished = new Set<string>();
  let open = reads.filter((r) => r.next < r.end);
  while (open.length) {
    if (Date.now() > deadline)
      throw new KafkaUnavailable(`Reading records took longer than ${READ_TIMEOUT_MS / 1000} s (${open.length} partition(s) unfinished).`);
    const byTopic = new Map<string, PartitionRead[]>();
    for (const read of open) byTopic.set(read.topicId, [...(byTopic.get(read.topicId) ?? []), read]);
    const topics = [...byTopic].map(([topicId, parts]) => ({
      topicId,
      partitions: parts.map((r) => ({
        partition: r.partition,
        currentLeaderEpoch: -1,
        fetchOffset: r.next,
        lastFetchedEpoch: -1,
        partitionMaxBytes: 1024 * 1024,
      })),
    }));
    // Session id 0 and epoch -1: a full fetch outside any fetch session.
    const response = await responseDespiteErrors(fetchV17.api.async(connection, 100, 1, 8 * 1024 * 1024, READ_COMMITTED, 0, -1, topics, [], ""));
    if (response.errorCode !== 0) throw new KafkaUnavailable(`A broker refused to serve records (Kafka error ${response.errorCode}).`);
    for (const { topicId, partitions } of response.responses) {
      for (const fetched of partitions) {
        const read = byTopic.get(topicId)?.find((r) => r.partition === fetched.partitionIndex);
        if (!read) continue;
        if (UNKNOWN_TOPIC.has(fetched.errorCode)) {
          vanished.add(read.topic);
          read.next = read.end;
        } else if (fetched.errorCode === protocolErrorCodes.OFFSET_OUT_OF_RANGE) {
          // Retention removed the first records meanwhile: read on from what is still held.
          read.next = fetched.logStartOffset > read.next ? fetched.logStartOffset : read.end;
        } else if (fetched.errorCode !== 0) {
          throw new KafkaUnavailable(
            `Partition ${read.partition} of a topic could not be read just now (Kafka error ${fetched.errorCode}); its leader may be moving.`,
          );
        } else {
          take(read, fetched.records ?? [], fetched.abortedTransactions ?? [], budget);
          // An open transaction holds read_committed readers at its first offset: the rest is not committed yet.
          if (read.next < read.end && read.next >= fetched.lastStableOffset && !fetched.records?.length) read.next = read.end;
        }
      }
    }
    open = open.filter((r) => r.next < r.end);
  }
  return vanished;
}

/**
 * Reads `bounds`' topics from their log start to the snapshot's log end, at most `cap` records a topic,
 * over `leaders`' connections (by node id), within `caps` bytes. Topics found deleted meanwhile are in `vanished`.
 */
export async function readRecords(
  leaders: Map<number, Connection>,
  bounds: Map<string, TopicBounds>,
  cap: number,
  caps: ReadSizeCaps = READ_SIZE_CAPS,
): Promise<{ read: Map<string, RecordsRead>; vanished: Set<string> }> {
  const read = new Map<string, RecordsRead>();
  const byLeader = new Map<number, PartitionRead[]>();
  for (const partition of plan(bounds, cap, read)) byLeader.set(partition.leader, [...(byLeader.get(partition.leader) ?? []), partition]);
  const deadline = Date.now() + READ_TIMEOUT_MS;
  const vanished = new Set<string>();
  const budget: ByteBudget = { caps, used: 0 };
  await Promise.all(
    [...byLeader].map(async ([leader, reads]) => {
      const connection = leaders.get(leader);
      if (!connection) throw new KafkaUnavailable(`Broker ${leader}, which leads partitions to read, does not answer.`);
      for (const topic of await readFromLeader(connection, reads, deadline, budget)) vanished.add(topic);
    }),
  );
  for (const { records } of read.values()) records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  return { read, vanished };
}
