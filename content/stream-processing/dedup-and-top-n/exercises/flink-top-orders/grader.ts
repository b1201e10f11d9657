// Passes when the table `topn-largest-orders` holds (its last value per key, as an upsert topic holds a table)
// each customer's two largest orders as places 1 and 2, the earlier order first when two amounts are equal,
// and nothing more. The expected places are computed from the judged run's `topn-orders`, whose equal amounts
// reach Kafka in an order other than the time they were placed; both topics are made anew before every run.
import type { GradedRecord, GraderCheck, GraderInput } from "#contract/grader";
import { clock, eventTime, judgedRecords, money, notStartedYet, parseRow, repeatedInput, sameDecimal, upsertTable, type Row } from "../../../flink-rows.ts";

const ORDERS = "topn-orders";
const LARGEST = "topn-largest-orders";
/** How many places each customer keeps. */
export const PLACES = 2;
const RANKING_SQL = "ROW_NUMBER() OVER (PARTITION BY customer ORDER BY amount DESC, ordered_at ASC)";

interface Order {
  id: string;
  customer: string;
  amount: number;
  at: number;
}

const described = (order: Order) => `${order.id} (${money(order.amount)}, placed at ${clock(order.at)})`;

function readOrders(records: GradedRecord[]): Order[] {
  return records.flatMap((record) => {
    const row = parseRow(record.value);
    const at = eventTime(row?.ordered_at);
    if (typeof row?.order_id !== "string" || typeof row.customer !== "string" || typeof row.amount !== "number" || at === undefined) return [];
    return [{ id: row.order_id, customer: row.customer, amount: row.amount, at }];
  });
}

/** Each customer's orders ranked as the table wants them, customers in the order their first order arrived. */
function rankedByCustomer(orders: Order[]): Map<string, Order[]> {
  const ranked = new Map<string, Order[]>();
  for (const order of orders) ranked.set(order.customer, [...(ranked.get(order.customer) ?? []), order]);
  for (const list of ranked.values()) list.sort((a, b) => b.amount - a.amount || a.at - b.at);
  return ranked;
}

/** The table's rows as places per customer, or what is wrong with a row that is no place. */
function placesOf(rows: Iterable<Row>, orders: Map<string, Order>): Map<string, Map<number, Order>> | string {
  const places = new Map<string, Map<number, Order>>();
  for (const row of rows) {
    const { customer, place } = row;
    if (typeof customer !== "string" || typeof place !== "number" || typeof row.order_id !== "string") {
      return `\`${LARGEST}\` holds ${JSON.stringify(row)}, which is no place: each row has customer, place, order_id, amount and ordered_at, as largest_orders declares them.`;
    }
    const order = orders.get(row.order_id);
    if (!order || order.customer !== customer) return `${customer}'s place ${place} holds ${row.order_id}, which is no order of ${customer}'s.`;
    if (!sameDecimal(Number(row.amount), order.amount) || eventTime(row.ordered_at) !== order.at) {
      return `${customer}'s place ${place} says ${JSON.stringify(row)}, but the order is ${described(order)}.`;
    }
    if (place > PLACES) return `${customer} has a place ${place}, ${described(order)}: the table keeps each customer's ${PLACES} largest orders, WHERE place <= ${PLACES}.`;
    if (place < 1 || !Number.isInteger(place)) return `${customer} has a place ${place}: places are numbered from 1, as ROW_NUMBER() numbers them.`;
    const own = places.get(customer) ?? new Map<number, Order>();
    own.set(place, order);
    places.set(customer, own);
  }
  return places;
}

/** Why a place holds another order than the one it should: a tie broken the wrong way, or a smaller order. */
function wrongOrder(customer: string, place: number, held: Order, wanted: Order): string {
  const holds = `${customer}'s place ${place} holds ${described(held)}`;
  if (held.amount === wanted.amount) {
    return (
      `${holds}, but ${wanted.id} has the same amount and was placed earlier, at ${clock(wanted.at)}: equal amounts rank the earlier order first. ` +
      `Without a second column to order by, which of two equal orders ranks first depends on when Flink read them: ${RANKING_SQL}.`
    );
  }
  if (held.amount < wanted.amount) return `${holds}, but ${described(wanted)} is larger: the largest orders first, ${RANKING_SQL}.`;
  return `${holds}, larger than the order it should hold, ${described(wanted)}: place 1 is the largest order, ${RANKING_SQL}.`;
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = `The table \`${LARGEST}\` holds each customer's ${PLACES} largest orders, the earlier first when amounts are equal, and nothing more`;
  const fail = (message: string): GraderCheck[] => [{ title, status: "fail", message }];
  const records = judgedRecords(input, ORDERS);
  const orders = readOrders(records);
  if (orders.length === 0) return fail(`\`${ORDERS}\` holds nothing yet: run the whole script, INSERT INTO orders VALUES included.`);
  const twice = repeatedInput(records, ORDERS);
  if (twice) return fail(twice);
  const table = upsertTable(judgedRecords(input, LARGEST), LARGEST, "customer and place");
  if ("malformed" in table) return fail(table.malformed);
  const places = placesOf(table.rows.values(), new Map(orders.map((order) => [order.id, order])));
  if (typeof places === "string") return fail(places);
  if (places.size === 0) return fail(`\`${LARGEST}\` holds no place yet. ${notStartedYet}`);
  const ties: string[] = [];
  for (const [customer, ranked] of rankedByCustomer(orders)) {
    const held = places.get(customer);
    if (!held) {
      return fail(
        `${customer} has no place in \`${LARGEST}\`, though ${customer} placed ${ranked.length === 1 ? "an order" : `${ranked.length} orders`}. ` +
          `Rank each customer's orders on their own: ${RANKING_SQL}.`,
      );
    }
    for (const [index, wanted] of ranked.slice(0, PLACES).entries()) {
      const order = held.get(index + 1);
      if (!order) return fail(`${customer} has no place ${index + 1}; it should hold ${described(wanted)}.`);
      if (order !== wanted) return fail(wrongOrder(customer, index + 1, order, wanted));
      const tied = ranked.slice(index + 1).find((other) => other.amount === wanted.amount);
      if (tied) ties.push(`${wanted.id} before ${tied.id}`);
    }
  }
  const broken = ties.length ? ` Equal amounts ranked by time: ${ties.join(", ")}.` : "";
  return [{ title, status: "pass", message: `Every customer's ${PLACES} largest orders are in place, and nothing more.${broken}` }];
}
