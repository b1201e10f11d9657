// The graders of joins, deduplication and Top-N, and pattern detection, on records built here as Flink writes
// them (the exercises' own input, JSON numbers for decimals, "2026-01-01 10:00:00" for timestamps): each passes
// what the query should produce and fails the near-misses of the data, naming them.
import { describe, expect, it } from "vitest";
import type { GradedTopic, GraderCheck, GraderInput } from "#contract/grader";
import gradePaid from "../../content/stream-processing/joins/exercises/flink-paid-orders/grader.ts";
import gradePriced, { rateAt, rateVersions } from "../../content/stream-processing/joins/exercises/flink-priced-orders/grader.ts";
import gradeUnique from "../../content/stream-processing/dedup-and-top-n/exercises/flink-unique-orders/grader.ts";
import gradeTop from "../../content/stream-processing/dedup-and-top-n/exercises/flink-top-orders/grader.ts";
import gradeAlerts from "../../content/stream-processing/pattern-detection/exercises/flink-card-alerts/grader.ts";
import { upsertTable } from "../../content/stream-processing/flink-rows.ts";

type Keyed = [key: string | null, value: object | null];

/** A topic of one partition holding `entries`, each a key and a value (null for a tombstone). */
const topic = (name: string, entries: Keyed[]): GradedTopic => ({
  name,
  partitions: 1,
  truncated: false,
  runStart: {},
  records: entries.map(([key, value], offset) => ({
    partition: 0,
    offset,
    timestamp: 0,
    key,
    value: value === null ? null : JSON.stringify(value),
    headers: {},
  })),
});
const unkeyed = (values: object[]): Keyed[] => values.map((value) => [null, value]);
const input = (...topics: GradedTopic[]): GraderInput => ({ groups: {}, topics: Object.fromEntries(topics.map((t) => [t.name, t])) });

const only = (checks: GraderCheck[]) => {
  expect(checks).toHaveLength(1);
  return checks[0]!;
};

/** "2026-01-01 10:02:30", as Flink's json format writes a TIMESTAMP(3). */
const at = (clock: string) => `2026-01-01 ${clock.length === 5 ? `${clock}:00` : clock}`;

describe("an upsert topic read as its table", () => {
  it("keeps each key's last value, and a tombstone deletes its key", () => {
    const { records } = topic("t", [
      ["o1", { n: 1 }],
      ["o2", { n: 2 }],
      ["o1", { n: 3 }],
      ["o2", null],
    ]);
    const table = upsertTable(records, "t", "order_id");
    if ("malformed" in table) throw new Error(table.malformed);
    expect([...table.rows]).toEqual([["o1", { n: 3 }]]);
    expect([...table.deleted]).toEqual(["o2"]);
  });

  it("calls a record without a key no upsert table's", () => {
    const table = upsertTable(topic("t", [[null, { n: 1 }]]).records, "t", "order_id");
    expect("malformed" in table && table.malformed).toContain("'connector' = 'upsert-kafka'");
  });
});

describe("the interval-join grader", () => {
  const orders = unkeyed([
    { order_id: "o1", customer: "ann", amount: 30, ordered_at: at("10:00") },
    { order_id: "o2", customer: "bob", amount: 45, ordered_at: at("10:02") },
    { order_id: "o3", customer: "cat", amount: 12, ordered_at: at("10:04") },
    { order_id: "o4", customer: "dan", amount: 80, ordered_at: at("10:10") },
    { order_id: "o5", customer: "eve", amount: 25, ordered_at: at("10:40") },
  ]);
  const payments = unkeyed([
    { payment_id: "p1", order_id: "o1", paid_at: at("10:05") },
    { payment_id: "p9", order_id: "o9", paid_at: at("10:12") },
    { payment_id: "p4", order_id: "o4", paid_at: at("10:24") },
    { payment_id: "p2", order_id: "o2", paid_at: at("10:31") },
    { payment_id: "p5", order_id: "o5", paid_at: at("10:45") },
  ]);
  const paid = {
    o1: { order_id: "o1", customer: "ann", amount: 30, payment_id: "p1", paid_at: at("10:05") },
    o2: { order_id: "o2", customer: "bob", amount: 45, payment_id: "p2", paid_at: at("10:31") },
    o4: { order_id: "o4", customer: "dan", amount: 80, payment_id: "p4", paid_at: at("10:24") },
    o5: { order_id: "o5", customer: "eve", amount: 25, payment_id: "p5", paid_at: at("10:45") },
  };
  const grade = (rows: object[]) =>
    only(gradePaid(input(topic("interval-orders", orders), topic("interval-payments", payments), topic("interval-paid-orders", unkeyed(rows)))));

  it("passes each order paid within 15 minutes, once, in any order", () => {
    expect(grade([paid.o4, paid.o1, paid.o5]).status).toBe("pass");
  });

  it("fails the payment made 29 minutes after its order, naming the bound", () => {
    const check = grade([paid.o1, paid.o4, paid.o2, paid.o5]);
    expect(check.status).toBe("fail");
    expect(check.message).toContain("29 minutes after o2 was placed");
  });

  it("fails a join that leaves out a payment made in time", () => {
    expect(grade([paid.o1, paid.o4]).status).toBe("fail");
  });

  it("fails an order joined twice", () => {
    expect(grade([paid.o1, paid.o4, paid.o5, paid.o1]).status).toBe("fail");
  });
});

describe("the temporal-join grader", () => {
  const rates: Keyed[] = [
    ["USD", { currency: "USD", rate: 0.9, updated_at: at("09:00") }],
    ["GBP", { currency: "GBP", rate: 1.15, updated_at: at("09:00") }],
    ["USD", { currency: "USD", rate: 0.95, updated_at: at("10:30") }],
    ["GBP", { currency: "GBP", rate: 1.17, updated_at: at("12:00") }],
    ["USD", { currency: "USD", rate: 0.93, updated_at: at("12:00") }],
  ];
  const orders = unkeyed([
    { order_id: "o1", currency: "JPY", amount: 5000, ordered_at: at("09:30") },
    { order_id: "o2", currency: "USD", amount: 100, ordered_at: at("10:00") },
    { order_id: "o3", currency: "GBP", amount: 50, ordered_at: at("10:15") },
    { order_id: "o4", currency: "USD", amount: 100, ordered_at: at("11:00") },
  ]);
  const priced = (id: string, currency: string, amount: number, rate: number, eur: number): Keyed => [
    id,
    { order_id: id, currency, amount, rate, amount_eur: eur },
  ];
  const right = [priced("o2", "USD", 100, 0.9, 90), priced("o3", "GBP", 50, 1.15, 57.5), priced("o4", "USD", 100, 0.95, 95)];
  const grade = (rows: Keyed[]) =>
    only(gradePriced(input(topic("temporal-rates", rates), topic("temporal-orders", orders), topic("temporal-priced-orders", rows))));

  it("finds the version valid at a time: the latest set at or before it", () => {
    const usd = rateVersions(topic("temporal-rates", rates).records).get("USD");
    expect(rateAt(usd, Date.parse("2026-01-01T10:29:59Z"))?.rate).toBe(0.9);
    expect(rateAt(usd, Date.parse("2026-01-01T10:30:00Z"))?.rate).toBe(0.95);
    expect(rateAt(usd, Date.parse("2026-01-01T08:59:59Z"))).toBeUndefined();
  });

  it("passes each order with a rate priced at the rate of its own time, the order in yen left out", () => {
    expect(grade(right).status).toBe("pass");
  });

  it("judges the table's last values: an order priced at the latest rate, then corrected, passes", () => {
    expect(grade([priced("o2", "USD", 100, 0.93, 93), ...right]).status).toBe("pass");
  });

  it("fails the morning's orders priced at noon's rate, as a regular join leaves them", () => {
    const check = grade([priced("o2", "USD", 100, 0.93, 93), priced("o3", "GBP", 50, 1.17, 58.5), priced("o4", "USD", 100, 0.93, 93)]);
    expect(check.status).toBe("fail");
    expect(check.message).toContain("FOR SYSTEM_TIME AS OF o.ordered_at");
  });

  it("fails an order priced, then deleted", () => {
    const check = grade([...right, ["o4", null]]);
    expect(check.status).toBe("fail");
    expect(check.message).toContain("then deleted");
  });
});

describe("the deduplication grader", () => {
  const copies = unkeyed(
    (
      [
        ["o1", "ann", 30, "10:00:00"],
        ["o2", "bob", 20, "10:00:05"],
        ["o2", "bob", 20, "10:00:09"],
        ["o3", "ann", 45, "10:00:12"],
        ["o4", "cat", 60, "10:00:24"],
        ["o4", "cat", 60, "10:00:20"],
        ["o5", "ann", 30, "10:00:30"],
        ["o1", "ann", 30, "10:00:40"],
      ] as const
    ).map(([order_id, customer, amount, sent]) => ({ order_id, customer, amount, sent_at: at(sent) })),
  );
  const kept = (order_id: string, customer: string, amount: number, sent: string): Keyed => [
    order_id,
    { order_id, customer, amount, sent_at: at(sent) },
  ];
  const first = [
    kept("o1", "ann", 30, "10:00:00"),
    kept("o2", "bob", 20, "10:00:05"),
    kept("o3", "ann", 45, "10:00:12"),
    kept("o4", "cat", 60, "10:00:20"),
    kept("o5", "ann", 30, "10:00:30"),
  ];
  const grade = (rows: Keyed[]) => only(gradeUnique(input(topic("dedup-orders", copies), topic("dedup-unique-orders", rows))));

  it("passes each order once, as its first copy, though o4's first copy arrived second", () => {
    expect(grade([kept("o4", "cat", 60, "10:00:24"), ...first]).status).toBe("pass");
  });

  it("fails o4 kept as the copy that reached Kafka first", () => {
    const check = grade(first.map((row) => (row[0] === "o4" ? kept("o4", "cat", 60, "10:00:24") : row)));
    expect(check.status).toBe("fail");
    expect(check.message).toContain("reached Kafka first");
  });

  it("fails an order lost", () => {
    expect(grade(first.filter(([key]) => key !== "o5")).status).toBe("fail");
  });
});

describe("the Top-N grader", () => {
  const orders = unkeyed(
    (
      [
        ["a1", "ann", 40, "10:00:00"],
        ["b1", "bob", 50, "10:01:00"],
        ["a2", "ann", 70, "10:01:30"],
        ["d1", "dan", 60, "10:03:00"],
        ["b2", "bob", 50, "10:03:30"],
        ["a3", "ann", 90, "10:04:00"],
        ["d2", "dan", 80, "10:04:30"],
        ["a4", "ann", 90, "10:02:00"],
        ["d3", "dan", 60, "10:01:00"],
        ["b3", "bob", 50, "10:05:00"],
        ["c1", "cat", 30, "10:05:30"],
        ["a5", "ann", 20, "10:06:00"],
      ] as const
    ).map(([order_id, customer, amount, placed]) => ({ order_id, customer, amount, ordered_at: at(placed) })),
  );
  const place = (customer: string, n: number, order_id: string, amount: number, placed: string): Keyed => [
    JSON.stringify({ customer, place: n }),
    { customer, place: n, order_id, amount, ordered_at: at(placed) },
  ];
  const right = [
    place("ann", 1, "a4", 90, "10:02:00"),
    place("ann", 2, "a3", 90, "10:04:00"),
    place("bob", 1, "b1", 50, "10:01:00"),
    place("bob", 2, "b2", 50, "10:03:30"),
    place("dan", 1, "d2", 80, "10:04:30"),
    place("dan", 2, "d3", 60, "10:01:00"),
    place("cat", 1, "c1", 30, "10:05:30"),
  ];
  const grade = (rows: Keyed[]) => only(gradeTop(input(topic("topn-orders", orders), topic("topn-largest-orders", rows))));

  it("passes each customer's two largest orders, the earlier first for equal amounts", () => {
    expect(grade(right).status).toBe("pass");
  });

  it("judges each place's last value, after the places changed", () => {
    expect(
      grade([place("ann", 1, "a1", 40, "10:00:00"), place("ann", 1, "a2", 70, "10:01:30"), place("ann", 2, "a1", 40, "10:00:00"), ...right]).status,
    ).toBe("pass");
  });

  it("fails a tie broken by arrival: a3 above a4, placed earlier", () => {
    const swapped = right.map((row) =>
      row[0] === JSON.stringify({ customer: "ann", place: 1 })
        ? place("ann", 1, "a3", 90, "10:04:00")
        : row[0] === JSON.stringify({ customer: "ann", place: 2 })
          ? place("ann", 2, "a4", 90, "10:02:00")
          : row,
    );
    const check = grade(swapped);
    expect(check.status).toBe("fail");
    expect(check.message).toContain("was placed earlier");
  });

  it("fails a third place", () => {
    const check = grade([...right, place("bob", 3, "b3", 50, "10:05:00")]);
    expect(check.status).toBe("fail");
    expect(check.message).toContain("WHERE place <= 2");
  });
});

describe("the pattern grader", () => {
  const payments = unkeyed(
    (
      [
        ["card-1", "declined", 12, "10:00:00"],
        ["card-1", "declined", 12, "10:00:20"],
        ["card-1", "declined", 12, "10:00:40"],
        ["card-1", "approved", 900, "10:01:00"],
        ["card-2", "declined", 30, "10:01:10"],
        ["card-2", "declined", 30, "10:01:20"],
        ["card-2", "approved", 800, "10:01:30"],
        ["card-3", "declined", 9, "10:01:40"],
        ["card-3", "declined", 9, "10:01:50"],
        ["card-3", "declined", 9, "10:02:00"],
        ["card-3", "approved", 15, "10:02:10"],
        ["card-4", "declined", 40, "10:02:20"],
        ["card-4", "approved", 20, "10:02:30"],
        ["card-4", "declined", 40, "10:02:40"],
        ["card-4", "declined", 40, "10:02:50"],
        ["card-4", "approved", 950, "10:03:00"],
        ["card-8", "declined", 25, "10:04:30"],
        ["card-8", "declined", 25, "10:04:40"],
        ["card-8", "declined", 25, "10:04:50"],
        ["card-8", "declined", 25, "10:05:00"],
        ["card-8", "approved", 700, "10:05:10"],
        ["card-9", "approved", 25, "10:10:00"],
      ] as const
    ).map(([card, status, amount, paid]) => ({ card, status, amount, paid_at: at(paid) })),
  );
  const alert = (card: string, amount: number, paid: string) => ({ card, amount, paid_at: at(paid) });
  const grade = (alerts: object[]) => only(gradeAlerts(input(topic("pattern-payments", payments), topic("pattern-alerts", unkeyed(alerts)))));

  it("passes the stolen card and the card declined four times, and no near-miss", () => {
    const check = grade([alert("card-1", 900, "10:01:00"), alert("card-8", 700, "10:05:10")]);
    expect(check.status, check.message).toBe("pass");
  });

  it.each([
    ["two declines then a large payment", alert("card-2", 800, "10:01:30"), "only 2 declined payments in a row"],
    ["three declines then a small payment", alert("card-3", 15, "10:02:10"), "not large"],
    ["declines interrupted by an approved payment", alert("card-4", 950, "10:03:00"), "came between"],
  ])("fails an alert for %s", (_, nearMiss, says) => {
    const check = grade([alert("card-1", 900, "10:01:00"), nearMiss, alert("card-8", 700, "10:05:10")]);
    expect(check.status).toBe("fail");
    expect(check.message).toContain(says);
  });

  it("fails a match left out", () => {
    const check = grade([alert("card-1", 900, "10:01:00")]);
    expect(check.status).toBe("fail");
    expect(check.message).toContain("card-8 was declined 4 times in a row");
  });
});
