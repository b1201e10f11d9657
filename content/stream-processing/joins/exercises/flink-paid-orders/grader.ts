// Passes when `interval-paid-orders` holds exactly what the interval join should write: each order with each
// payment of it made from the order's time to 15 minutes after, once; nothing for a payment made later (p2,
// 29 minutes after o2), for an order never paid (o3) or for a payment of no order (p9). The expected rows are
// computed from the judged run's `interval-orders` and `interval-payments`; all three topics are made anew
// before every run.
import type { GradedRecord, GraderCheck, GraderInput } from "#contract/grader";
import { clock, duration, eventTime, judgedRecords, money, notStartedYet, parseRow, repeatedInput, sameDecimal } from "../../../flink-rows.ts";

const ORDERS = "interval-orders";
const PAYMENTS = "interval-payments";
const PAID = "interval-paid-orders";
/** How long the checkout waits for an order's payment. */
export const BOUND_MS = 15 * 60_000;
const BOUND_SQL = "p.paid_at BETWEEN o.ordered_at AND o.ordered_at + INTERVAL '15' MINUTE";

interface Order {
  id: string;
  customer: string;
  amount: number;
  at: number;
}

interface Payment {
  id: string;
  orderId: string;
  at: number;
}

/** A row of `interval-paid-orders`: ids may be null, as an outer join writes them. */
interface PaidRow {
  orderId: string | null;
  paymentId: string | null;
  customer: unknown;
  amount: unknown;
  paidAt: number | undefined;
  text: string;
}

const idOrNull = (value: unknown) => (typeof value === "string" ? value : null);

function readOrders(records: GradedRecord[]): Order[] {
  return records.flatMap((record) => {
    const row = parseRow(record.value);
    const at = eventTime(row?.ordered_at);
    if (typeof row?.order_id !== "string" || typeof row.customer !== "string" || typeof row.amount !== "number" || at === undefined) return [];
    return [{ id: row.order_id, customer: row.customer, amount: row.amount, at }];
  });
}

function readPayments(records: GradedRecord[]): Payment[] {
  return records.flatMap((record) => {
    const row = parseRow(record.value);
    const at = eventTime(row?.paid_at);
    if (typeof row?.payment_id !== "string" || typeof row.order_id !== "string" || at === undefined) return [];
    return [{ id: row.payment_id, orderId: row.order_id, at }];
  });
}

/** The rows of `interval-paid-orders`, or what is wrong with the first record that is no paid order. */
function readPaidRows(records: GradedRecord[]): PaidRow[] | string {
  const rows: PaidRow[] = [];
  for (const record of records) {
    const row = parseRow(record.value);
    if (!row || !("order_id" in row) || !("payment_id" in row) || !("paid_at" in row)) {
      return `\`${PAID}\` holds ${record.value}, which is not a paid order: each row has order_id, customer, amount, payment_id and paid_at, as paid_orders declares them.`;
    }
    const text = record.value!;
    rows.push({ orderId: idOrNull(row.order_id), paymentId: idOrNull(row.payment_id), customer: row.customer, amount: row.amount, paidAt: eventTime(row.paid_at), text });
  }
  return rows;
}

/** What is wrong with one row, judged against the order and the payment it names. */
function rowMistake(row: PaidRow, orders: Map<string, Order>, payments: Map<string, Payment>): string | undefined {
  if (row.paymentId === null) {
    return (
      `\`${PAID}\` holds ${row.text}: order ${row.orderId} with no payment. Only orders paid within 15 minutes go there, ` +
      "and an inner JOIN leaves the others out (a LEFT JOIN keeps them, with no payment)."
    );
  }
  const payment = payments.get(row.paymentId);
  if (!payment) return `\`${PAID}\` holds ${row.text}, but \`${PAYMENTS}\` has no payment ${row.paymentId}.`;
  if (row.orderId === null) {
    return `\`${PAID}\` holds payment ${payment.id} with no order: it names ${payment.orderId}, which was never placed. Only orders that were paid go there: an inner JOIN.`;
  }
  const order = orders.get(row.orderId);
  if (!order) return `\`${PAID}\` holds ${row.text}, but \`${ORDERS}\` has no order ${row.orderId}.`;
  if (payment.orderId !== order.id) {
    return `\`${PAID}\` joins order ${order.id} with payment ${payment.id}, which pays ${payment.orderId}: a payment joins the order it names, ON o.order_id = p.order_id.`;
  }
  const gap = payment.at - order.at;
  if (gap < 0) {
    return (
      `\`${PAID}\` joins ${order.id} with ${payment.id}, made at ${clock(payment.at)}, ${duration(-gap)} before the order was placed at ${clock(order.at)}. ` +
      `A payment counts from the order's time to 15 minutes after it: ${BOUND_SQL}.`
    );
  }
  if (gap > BOUND_MS) {
    return (
      `\`${PAID}\` joins ${order.id} with ${payment.id}, made at ${clock(payment.at)}, ${duration(gap)} after ${order.id} was placed at ${clock(order.at)}. ` +
      `The checkout waits 15 minutes; a payment after that does not pay the order (the shop refunds it). Bound the join in time: AND ${BOUND_SQL}.`
    );
  }
  if (row.customer !== order.customer || typeof row.amount !== "number" || !sameDecimal(row.amount, order.amount) || row.paidAt !== payment.at) {
    return `The row ${row.text} does not match order ${order.id} (${order.customer}, ${money(order.amount)}) and payment ${payment.id} (paid at ${clock(payment.at)}).`;
  }
  return undefined;
}

/** The same order and payment joined more than once. */
function repeatedPair(rows: PaidRow[]): string | undefined {
  const seen = new Set<string>();
  const repeated = rows.find((row) => seen.size === seen.add(`${row.orderId}/${row.paymentId}`).size);
  if (!repeated) return undefined;
  return `\`${PAID}\` holds order ${repeated.orderId} paid by ${repeated.paymentId} more than once: each pair once. Does your script run INSERT INTO paid_orders more than once?`;
}

/** The rows the interval join should write: each order with each of its payments made within the bound. */
function expectedPairs(orders: Order[], payments: Payment[]): { order: Order; payment: Payment }[] {
  return orders.flatMap((order) =>
    payments.filter((payment) => payment.orderId === order.id && payment.at >= order.at && payment.at - order.at <= BOUND_MS).map((payment) => ({ order, payment })),
  );
}

/** What the join rightly left out, for the verdict that passes. */
function leftOut(orders: Order[], payments: Payment[], joined: { order: Order; payment: Payment }[]): string {
  const paid = new Set(joined.map(({ payment }) => payment.id));
  const ids = new Set(orders.map((order) => order.id));
  const notes = payments
    .filter((payment) => !paid.has(payment.id))
    .map((payment) => (ids.has(payment.orderId) ? `${payment.id}, outside ${payment.orderId}'s 15 minutes` : `${payment.id}, which pays no order`));
  const unpaid = orders.filter((order) => !payments.some((payment) => payment.orderId === order.id)).map((order) => `${order.id}, never paid`);
  const all = [...notes, ...unpaid];
  return all.length ? `; left out: ${all.join("; ")}` : "";
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = `\`${PAID}\` holds each order with the payment that paid it within 15 minutes, once, and nothing more`;
  const fail = (message: string): GraderCheck[] => [{ title, status: "fail", message }];
  const [orderRecords, paymentRecords] = [judgedRecords(input, ORDERS), judgedRecords(input, PAYMENTS)];
  const orders = readOrders(orderRecords);
  const payments = readPayments(paymentRecords);
  if (orders.length === 0 || payments.length === 0) {
    return fail(`\`${orders.length === 0 ? ORDERS : PAYMENTS}\` holds nothing yet: run the whole script, both INSERT ... VALUES included.`);
  }
  const twice = repeatedInput(orderRecords, ORDERS) ?? repeatedInput(paymentRecords, PAYMENTS);
  if (twice) return fail(twice);
  const rows = readPaidRows(judgedRecords(input, PAID));
  if (typeof rows === "string") return fail(rows);
  const byId = new Map(orders.map((order) => [order.id, order]));
  const paymentsById = new Map(payments.map((payment) => [payment.id, payment]));
  for (const row of rows) {
    const mistake = rowMistake(row, byId, paymentsById);
    if (mistake) return fail(mistake);
  }
  const repeated = repeatedPair(rows);
  if (repeated) return fail(repeated);
  const joined = expectedPairs(orders, payments);
  const found = new Set(rows.map((row) => `${row.orderId}/${row.paymentId}`));
  const missing = joined.find(({ order, payment }) => !found.has(`${order.id}/${payment.id}`));
  if (missing) {
    const { order, payment } = missing;
    return fail(
      `${order.id} was paid by ${payment.id} at ${clock(payment.at)}, ${duration(payment.at - order.at)} after it was placed: within 15 minutes, yet \`${PAID}\` has no row for it. ` +
        `A payment counts from the order's time to 15 minutes after it: ${BOUND_SQL}.` +
        (rows.length === 0 ? ` ${notStartedYet}` : ""),
    );
  }
  const pairs = joined.map(({ order, payment }) => `${order.id} with ${payment.id}`).join(", ");
  return [{ title, status: "pass", message: `All ${joined.length} orders paid in time are joined with their payments, once (${pairs})${leftOut(orders, payments, joined)}.` }];
}
