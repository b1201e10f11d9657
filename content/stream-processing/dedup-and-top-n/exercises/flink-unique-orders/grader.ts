// Passes when the table `dedup-unique-orders` holds (its last value per key, as an upsert topic holds a table)
// every order once, as the copy the checkout sent first: not a copy sent again (o1, o2), not the copy that
// happened to reach Kafka first (o4's), and no order lost. The copies and their times come from the judged
// run's `dedup-orders`, in the order they arrived; both topics are made anew before every run.
import type { GradedRecord, GraderCheck, GraderInput } from "#contract/grader";
import { clock, eventTime, judgedRecords, money, notStartedYet, parseRow, repeatedInput, sameDecimal, upsertTable, type Row } from "../../../flink-rows.ts";

const ORDERS = "dedup-orders";
const UNIQUE = "dedup-unique-orders";
const DEDUP_SQL = "ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY sent_at ASC) = 1";

/** One copy of an order, in the order the copies reached Kafka. */
interface Copy {
  orderId: string;
  customer: string;
  amount: number;
  sentAt: number;
}

function readCopies(records: GradedRecord[]): Copy[] {
  return records.flatMap((record) => {
    const row = parseRow(record.value);
    const sentAt = eventTime(row?.sent_at);
    if (typeof row?.order_id !== "string" || typeof row.customer !== "string" || typeof row.amount !== "number" || sentAt === undefined) return [];
    return [{ orderId: row.order_id, customer: row.customer, amount: row.amount, sentAt }];
  });
}

/** Each order's copies in arrival order, orders in the order their first copy arrived. */
function copiesByOrder(copies: Copy[]): Map<string, Copy[]> {
  const orders = new Map<string, Copy[]>();
  for (const copy of copies) orders.set(copy.orderId, [...(orders.get(copy.orderId) ?? []), copy]);
  return orders;
}

/** The copy sent first; of copies sent at the same time, the one that arrived first. */
const firstSent = (copies: Copy[]) => copies.reduce((first, copy) => (copy.sentAt < first.sentAt ? copy : first));

/** Why an order's row is not its first copy: the copy that arrived first, or one sent again later. */
function wrongCopy(copies: Copy[], row: Row): string {
  const first = firstSent(copies);
  const id = first.orderId;
  const sentAt = eventTime(row.sent_at);
  const kept = copies.find((copy) => copy.sentAt === sentAt);
  if (!kept) return `The row of ${id} says it was sent at ${String(row.sent_at)}, but no copy of ${id} was sent then: its first copy was sent at ${clock(first.sentAt)}.`;
  if (kept === copies[0]) {
    return (
      `${id} holds the copy sent at ${clock(kept.sentAt)}, which reached Kafka first; but the copy sent at ${clock(first.sentAt)} was sent first, and arrived late. ` +
      "Number the copies by sent_at, the time each was sent (event time), not by when Flink reads them (processing time): " +
      `${DEDUP_SQL}.`
    );
  }
  return (
    `${id} holds the copy sent at ${clock(kept.sentAt)}, a copy the checkout sent again; its first copy was sent at ${clock(first.sentAt)}. ` +
    `Keep each order's first copy: ${DEDUP_SQL}. On its own, an upsert table keeps the last copy of each key.`
  );
}

/** Why an order has no row: one row per customer instead of per order, or a watermark that never passed it. */
function missingMessage(first: Copy, rows: Map<string, Row>, latestSentAt: number): string {
  const sameCustomer = [...rows.values()].find((row) => row.customer === first.customer);
  if (sameCustomer) {
    return (
      `${first.orderId} (${first.customer}, ${money(first.amount)}) is not in \`${UNIQUE}\`, though ${first.customer}'s ${String(sameCustomer.order_id)} is: ` +
      `a copy is a copy of the same order, not of the same customer. Number the copies of each order: PARTITION BY order_id.`
    );
  }
  return (
    `${first.orderId} (sent first at ${clock(first.sentAt)}) is not in \`${UNIQUE}\`. Keeping the first copy by event time, Flink writes an order once the ` +
    `watermark has passed its first copy, when no earlier copy can still arrive; the latest copy, sent at ${clock(latestSentAt)}, moves the watermark to 5 seconds before that.` +
    (rows.size === 0 ? ` ${notStartedYet}` : "")
  );
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = `The table \`${UNIQUE}\` holds each order once, as the first copy the checkout sent`;
  const fail = (message: string): GraderCheck[] => [{ title, status: "fail", message }];
  const records = judgedRecords(input, ORDERS);
  const copies = readCopies(records);
  const orders = copiesByOrder(copies);
  if (orders.size === 0) return fail(`\`${ORDERS}\` holds nothing yet: run the whole script, INSERT INTO orders VALUES included.`);
  const twice = repeatedInput(records, ORDERS);
  if (twice) return fail(twice);
  const table = upsertTable(judgedRecords(input, UNIQUE), UNIQUE, "order_id");
  if ("malformed" in table) return fail(table.malformed);
  for (const [key, row] of table.rows) {
    if (!orders.has(key)) return fail(`\`${UNIQUE}\` has a row under the key ${key}, which is no order: the table is keyed by order_id, one row per order.`);
    if (row.order_id !== key) return fail(`The row under the key ${key} is ${JSON.stringify(row)}: each order's row is under its own order_id.`);
  }
  for (const copies of orders.values()) {
    const first = firstSent(copies);
    const row = table.rows.get(first.orderId);
    if (!row) return fail(missingMessage(first, table.rows, Math.max(...copies.map((copy) => copy.sentAt))));
    if (row.customer !== first.customer || typeof row.amount !== "number" || !sameDecimal(row.amount, first.amount)) {
      return fail(`The row of ${first.orderId} says ${JSON.stringify(row)}, but the order is ${first.customer}'s, ${money(first.amount)}.`);
    }
    if (eventTime(row.sent_at) !== first.sentAt) return fail(wrongCopy(copies, row));
  }
  const again = [...orders.values()].filter((copies) => copies.length > 1).map((copies) => copies[0]!.orderId);
  const late = [...orders.values()].filter((copies) => firstSent(copies) !== copies[0]).map((copies) => copies[0]!.orderId);
  return [
    {
      title,
      status: "pass",
      message:
        `All ${orders.size} orders are in \`${UNIQUE}\` once, each as its first copy: the copies of ${again.join(", ")} sent again are left out` +
        (late.length ? `, and ${late.join(", ")} keeps the copy sent first, though it reached Kafka after the copy sent again.` : "."),
    },
  ];
}
