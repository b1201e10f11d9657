// Passes when the table `temporal-priced-orders` holds (its last value per key, as an upsert topic holds a
// table) one row per order that has a rate, priced at the rate its currency had when the order was placed, and
// nothing more: o1, in yen, has no rate. Each currency's versions and the expected prices are computed from the
// judged run's `temporal-rates` and `temporal-orders`; all three topics are made anew before every run.
import type { GradedRecord, GraderCheck, GraderInput } from "#contract/grader";
import {
  clock,
  eventTime,
  judgedRecords,
  money,
  notStartedYet,
  parseRow,
  repeatedInput,
  sameDecimal,
  upsertTable,
  type Row,
} from "../../../flink-rows.ts";

const RATES = "temporal-rates";
const ORDERS = "temporal-orders";
const PRICED = "temporal-priced-orders";

interface Order {
  id: string;
  currency: string;
  amount: number;
  at: number;
}

/** One version of a currency's rate: valid from `at` until the next one. */
interface RateVersion {
  rate: number;
  at: number;
}

const rateText = (rate: number) => rate.toFixed(4);

function readOrders(records: GradedRecord[]): Order[] {
  return records.flatMap((record) => {
    const row = parseRow(record.value);
    const at = eventTime(row?.ordered_at);
    if (typeof row?.order_id !== "string" || typeof row.currency !== "string" || typeof row.amount !== "number" || at === undefined) return [];
    return [{ id: row.order_id, currency: row.currency, amount: row.amount, at }];
  });
}

/** Every version of every currency's rate, oldest first. */
export function rateVersions(records: GradedRecord[]): Map<string, RateVersion[]> {
  const versions = new Map<string, RateVersion[]>();
  for (const record of records) {
    const row = parseRow(record.value);
    const at = eventTime(row?.updated_at);
    if (typeof row?.currency !== "string" || typeof row.rate !== "number" || at === undefined) continue;
    versions.set(row.currency, [...(versions.get(row.currency) ?? []), { rate: row.rate, at }]);
  }
  for (const list of versions.values()) list.sort((a, b) => a.at - b.at);
  return versions;
}

/** The version valid at `at`: the latest one set at or before it. */
export function rateAt(versions: RateVersion[] | undefined, at: number): RateVersion | undefined {
  return versions?.findLast((version) => version.at <= at);
}

/** Why a row's rate is not the one of its order's time: a later version, an earlier one, or none. */
function wrongRate(order: Order, row: Row, valid: RateVersion, versions: RateVersion[]): string {
  const given = typeof row.rate === "number" ? row.rate : Number.NaN;
  const was = `at ${clock(order.at)} its rate was ${rateText(valid.rate)} (since ${clock(valid.at)})`;
  const placed = `${order.id}, placed at ${clock(order.at)} in ${order.currency}, is priced at ${Number.isNaN(given) ? String(row.rate) : rateText(given)}`;
  const version = versions.find((v) => sameDecimal(v.rate, given, 4));
  if (version && version.at > order.at) {
    return (
      `${placed}, ${order.currency}'s rate from ${clock(version.at)}, after the order; ${was}. ` +
      "A regular join gives every order each currency's latest rate, and prices it again whenever that rate changes: " +
      "join FOR SYSTEM_TIME AS OF o.ordered_at, and each order keeps the rate of its own time."
    );
  }
  if (version) return `${placed}, ${order.currency}'s rate from ${clock(version.at)}, which had changed by then: ${was}.`;
  return `${placed}, which is no rate of ${order.currency}: ${was}.`;
}

/** What is wrong with the row of an order that has a rate. */
function rowMistake(order: Order, row: Row, versions: RateVersion[]): string | undefined {
  const valid = rateAt(versions, order.at)!;
  if (row.currency !== order.currency || typeof row.amount !== "number" || !sameDecimal(row.amount, order.amount)) {
    return `The row of ${order.id} says ${JSON.stringify(row)}, but the order is ${money(order.amount)} ${order.currency}.`;
  }
  if (typeof row.rate !== "number" || !sameDecimal(row.rate, valid.rate, 4)) return wrongRate(order, row, valid, versions);
  const euros = order.amount * valid.rate;
  if (typeof row.amount_eur !== "number" || !sameDecimal(row.amount_eur, euros)) {
    return (
      `${order.id}: ${money(order.amount)} ${order.currency} at ${rateText(valid.rate)} is ${money(euros)} EUR; its row says ${String(row.amount_eur)}. ` +
      "A rate is euros for one unit of the currency: amount_eur is o.amount * r.rate."
    );
  }
  return undefined;
}

/** Why an order that has a rate has no row: deleted by a join that re-joins on every change, or never written. */
function missingMessage(order: Order, deleted: boolean, empty: boolean, lastOrderAt: number): string {
  if (deleted) {
    return (
      `${order.id} was priced, then deleted from \`${PRICED}\`: a regular join keeps only each currency's latest rate, and re-joins ${order.id} ` +
      `whenever ${order.currency}'s rate changes, after which your condition no longer holds. A temporal join keeps every version: FOR SYSTEM_TIME AS OF o.ordered_at.`
    );
  }
  return (
    `${order.id} (${money(order.amount)} ${order.currency}, placed at ${clock(order.at)}) has a rate, yet \`${PRICED}\` has no row for it. ` +
    `A temporal join writes an order once the watermarks of both tables have passed its time; the orders' watermark reaches ${clock(lastOrderAt)}, the last order's time.` +
    (empty ? ` ${notStartedYet}` : "")
  );
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = `\`${PRICED}\` prices each order that has a rate at the rate of its own time, once, and nothing more`;
  const fail = (message: string): GraderCheck[] => [{ title, status: "fail", message }];
  const [rateRecords, orderRecords] = [judgedRecords(input, RATES), judgedRecords(input, ORDERS)];
  const versions = rateVersions(rateRecords);
  const orders = readOrders(orderRecords);
  if (versions.size === 0 || orders.length === 0) {
    return fail(`\`${versions.size === 0 ? RATES : ORDERS}\` holds nothing yet: run the whole script, both INSERT ... VALUES included.`);
  }
  const twice = repeatedInput(orderRecords, ORDERS);
  if (twice) return fail(twice);
  const table = upsertTable(judgedRecords(input, PRICED), PRICED, "order_id");
  if ("malformed" in table) return fail(table.malformed);
  const byId = new Map(orders.map((order) => [order.id, order]));
  for (const [key, row] of table.rows) {
    if (!byId.has(key)) return fail(`\`${PRICED}\` has a row under the key ${key}, which is no order: the table is keyed by order_id (PRIMARY KEY (order_id)), one row per order.`);
    if (row.order_id !== key) return fail(`The row under the key ${key} is ${JSON.stringify(row)}: each order's row is under its own order_id.`);
  }
  const lastOrderAt = Math.max(...orders.map((order) => order.at));
  for (const order of orders) {
    const row = table.rows.get(order.id);
    if (!rateAt(versions.get(order.currency), order.at)) {
      if (!row) continue;
      return fail(
        `${order.id} is in ${order.currency}, which has no rate at ${clock(order.at)}: it cannot be priced, yet \`${PRICED}\` has a row for it, ${JSON.stringify(row)}. ` +
          "Leave it out, as an inner JOIN does.",
      );
    }
    if (!row) return fail(missingMessage(order, table.deleted.has(order.id), table.rows.size === 0, lastOrderAt));
    const mistake = rowMistake(order, row, versions.get(order.currency)!);
    if (mistake) return fail(mistake);
  }
  const priced = orders.filter((order) => table.rows.has(order.id));
  const unpriced = orders.filter((order) => !table.rows.has(order.id)).map((order) => `${order.id} (${order.currency})`);
  const example = priced.map((order) => `${order.id} at ${rateText(rateAt(versions.get(order.currency), order.at)!.rate)}`).join(", ");
  return [
    {
      title,
      status: "pass",
      message: `All ${priced.length} orders with a rate are priced at the rate of their own time (${example})${unpriced.length ? `; ${unpriced.join(", ")} has no rate and is left out` : ""}.`,
    },
  ];
}
