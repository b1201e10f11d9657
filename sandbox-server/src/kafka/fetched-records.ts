// The records of a Fetch answer's batches as a read_committed consumer sees them: control records and
// aborted transactions' records left out, each with its offset and the timestamp its batch says.
import { IS_CONTROL, IS_TRANSACTIONAL, type RecordsBatch } from "@platformatic/kafka";

/** The batch's timestamps are the broker's append times (timestamp type bit). */
const LOG_APPEND_TIME = 0x08;

export interface FetchedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

/** Records at `from` and after, in offset order, and the offset after the last batch read. */
export function fetchedRecords(
  batches: RecordsBatch[],
  from: bigint,
  aborted: { producerId: bigint; firstOffset: bigint }[] | null,
): { records: FetchedRecord[]; next: bigint } {
  const pending = [...(aborted ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const abortedProducers = new Set<bigint>();
  const records: FetchedRecord[] = [];
  let next = from;
  for (const batch of batches) {
    const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    while (pending.length && pending[0]!.firstOffset <= last) abortedProducers.add(pending.shift()!.producerId);
    if (batch.attributes & IS_CONTROL) abortedProducers.delete(batch.producerId);
    else if (!((batch.attributes & IS_TRANSACTIONAL) !== 0 && abortedProducers.has(batch.producerId))) {
      for (const record of batch.records) {
        const offset = batch.firstOffset + BigInt(record.offsetDelta);
        if (offset < from) continue;
        const timestamp = batch.attributes & LOG_APPEND_TIME ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta;
        records.push({ offset: Number(offset), timestamp: Number(timestamp), key: record.key ?? null, value: record.value ?? null });
      }
    }
    if (last + 1n > next) next = last + 1n;
  }
  return { records, next };
}
