// What part two of the course writes in Flink SQL, run by the runner against the real broker through the
// API, as a learner's Run: an interval join, a temporal join against a versioned table over upsert-kafka,
// deduplication and Top-N with ROW_NUMBER written to upsert-kafka topics, and MATCH_RECOGNIZE. Each
// script writes its input (INSERT ... VALUES finishes before the next statement) and reads it back
// bounded, so every query ends by itself; the data holds late, unmatched and near-miss rows.
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { readWholeTopic } from "../support/broker-state.ts";
import { runSql, terminalText } from "../support/flink-runs.ts";
import type { LearnerClient, RunOutput } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
const EXERCISE = "flink-page-views-table";
let sandbox: TestServer;

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
});

afterAll(async () => {
  await sandbox?.close();
});

/** A Kafka table read from the first record to the last one there when the query starts. */
const bounded = (topic: string) =>
  `'connector' = 'kafka', 'topic' = '${topic}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset'`;

/** Runs `sql` to its end, which must be a clean exit, and returns the rows its queries printed. */
async function rowsOf(learner: LearnerClient, sql: string): Promise<{ rows: string[]; output: RunOutput }> {
  const output = await runSql(learner, EXERCISE, sql);
  expect(output.exit, terminalText(output)).toMatchObject({ reason: "exited", code: 0 });
  return { rows: output.stdout.split("\n").filter((line) => /^[+-][IUD]\[/.test(line)), output };
}

/** An upsert topic's table as a reader rebuilds it: the last value of each key, a tombstone removing it. */
async function finalTable(topic: string): Promise<Map<string, unknown>> {
  const table = new Map<string, unknown>();
  for (const { key, value } of await readWholeTopic(kafka, topic)) {
    if (value === "") table.delete(key);
    else table.set(key, JSON.parse(value));
  }
  return table;
}

it("applies an admitted SET to the statements after it", { timeout: 240_000 }, async () => {
  const sql = `SET 'table.local-time-zone' = 'America/New_York';
SELECT CAST(TO_TIMESTAMP_LTZ(0, 3) AS STRING) AS epoch_in_new_york;`;
  const { rows, output } = await rowsOf(sandbox.learner(), sql);
  expect(output.stdout).toContain("[ok] SET 'table.local-time-zone' = 'America/New_York'");
  expect(rows, terminalText(output)).toEqual(["+I[1969-12-31 19:00:00.000]"]);
});

it("runs an interval join: a payment joins its order only within ten minutes of it", { timeout: 240_000 }, async () => {
  const sql = `CREATE TABLE orders (order_id STRING, amount DOUBLE, order_time TIMESTAMP(3), WATERMARK FOR order_time AS order_time) WITH (${bounded("orders")});
CREATE TABLE payments (order_id STRING, paid DOUBLE, pay_time TIMESTAMP(3), WATERMARK FOR pay_time AS pay_time) WITH (${bounded("payments")});
INSERT INTO orders VALUES ('paid-in-time', 10.0, TIMESTAMP '2024-05-01 10:00:00'), ('paid-late', 20.0, TIMESTAMP '2024-05-01 10:00:00'),
  ('never-paid', 30.0, TIMESTAMP '2024-05-01 10:00:00');
INSERT INTO payments VALUES ('paid-in-time', 10.0, TIMESTAMP '2024-05-01 10:05:00'), ('paid-late', 20.0, TIMESTAMP '2024-05-01 10:30:00'),
  ('no-such-order', 5.0, TIMESTAMP '2024-05-01 10:01:00');
SELECT o.order_id, p.pay_time FROM orders o JOIN payments p
  ON o.order_id = p.order_id AND p.pay_time BETWEEN o.order_time AND o.order_time + INTERVAL '10' MINUTE;`;
  const { rows, output } = await rowsOf(sandbox.learner(), sql);
  expect(rows, terminalText(output)).toEqual(["+I[paid-in-time, 2024-05-01T10:05]"]);
});

it("runs a temporal join: each order takes the rate of its own time from a versioned upsert-kafka table", { timeout: 240_000 }, async () => {
  const sql = `CREATE TABLE rates (currency STRING, rate DOUBLE, update_time TIMESTAMP(3), WATERMARK FOR update_time AS update_time,
  PRIMARY KEY (currency) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 'rates', 'key.format' = 'raw', 'value.format' = 'json',
  'scan.bounded.mode' = 'latest-offset');
CREATE TABLE orders (order_id STRING, currency STRING, amount DOUBLE, order_time TIMESTAMP(3), WATERMARK FOR order_time AS order_time)
  WITH (${bounded("orders")});
INSERT INTO rates VALUES ('EUR', 1.1, TIMESTAMP '2024-05-01 09:00:00'), ('GBP', 0.9, TIMESTAMP '2024-05-01 09:00:00'),
  ('EUR', 1.2, TIMESTAMP '2024-05-01 10:30:00');
INSERT INTO orders VALUES ('before-the-change', 'EUR', 100.0, TIMESTAMP '2024-05-01 10:00:00'), ('after-the-change', 'EUR', 100.0, TIMESTAMP '2024-05-01 11:00:00'),
  ('pounds', 'GBP', 100.0, TIMESTAMP '2024-05-01 10:00:00'), ('no-rate', 'JPY', 100.0, TIMESTAMP '2024-05-01 10:00:00');
SELECT o.order_id, r.rate FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency;`;
  const { rows, output } = await rowsOf(sandbox.learner(), sql);
  expect(rows.toSorted(), terminalText(output)).toEqual(["+I[after-the-change, 1.2]", "+I[before-the-change, 1.1]", "+I[pounds, 0.9]"]);
});

it("deduplicates orders and keeps the top two per customer with ROW_NUMBER, in upsert-kafka topics", { timeout: 240_000 }, async () => {
  const learner = sandbox.learner();
  const sql = `CREATE TABLE orders (order_id STRING, customer STRING, amount DOUBLE, order_time TIMESTAMP(3), WATERMARK FOR order_time AS order_time)
  WITH (${bounded("orders")});
INSERT INTO orders VALUES ('o1', 'ann', 10.0, TIMESTAMP '2024-05-01 10:00:00'), ('o1', 'ann', 10.0, TIMESTAMP '2024-05-01 10:01:00'),
  ('o2', 'ann', 50.0, TIMESTAMP '2024-05-01 10:02:00'), ('o3', 'ann', 30.0, TIMESTAMP '2024-05-01 10:03:00'),
  ('o4', 'bob', 5.0, TIMESTAMP '2024-05-01 10:04:00'), ('o4', 'bob', 5.0, TIMESTAMP '2024-05-01 10:05:00');
CREATE VIEW unique_orders_view AS SELECT order_id, customer, amount FROM
  (SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY order_time ASC) AS rn FROM orders) WHERE rn = 1;
CREATE TABLE unique_orders (order_id STRING, customer STRING, amount DOUBLE, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'unique-orders', 'key.format' = 'raw', 'value.format' = 'json');
CREATE TABLE top_orders (customer STRING, place BIGINT, order_id STRING, amount DOUBLE, PRIMARY KEY (customer, place) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'top-orders', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO unique_orders SELECT * FROM unique_orders_view;
INSERT INTO top_orders SELECT customer, place, order_id, amount FROM
  (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer ORDER BY amount DESC) AS place FROM unique_orders_view) WHERE place <= 2;`;
  const { output } = await rowsOf(learner, sql);
  expect(output.stdout.match(/\[job [0-9a-f]{8} finished\]/g), terminalText(output)).toHaveLength(3);

  const namespace = await learner.namespace();
  const unique = await finalTable(`${namespace}unique-orders`);
  expect(Object.fromEntries(unique)).toEqual({
    o1: { order_id: "o1", customer: "ann", amount: 10 },
    o2: { order_id: "o2", customer: "ann", amount: 50 },
    o3: { order_id: "o3", customer: "ann", amount: 30 },
    o4: { order_id: "o4", customer: "bob", amount: 5 },
  });
  const top = await finalTable(`${namespace}top-orders`);
  expect(Object.fromEntries(top)).toEqual({
    '{"customer":"ann","place":1}': { customer: "ann", place: 1, order_id: "o2", amount: 50 },
    '{"customer":"ann","place":2}': { customer: "ann", place: 2, order_id: "o3", amount: 30 },
    '{"customer":"bob","place":1}': { customer: "bob", place: 1, order_id: "o4", amount: 5 },
  });
});

it("finds three failed payments followed by a large one with MATCH_RECOGNIZE, and not the near misses", { timeout: 240_000 }, async () => {
  const rows = (card: string, statuses: [string, number][], minute: number) =>
    statuses.map(
      ([status, amount], i) => `('${card}', '${status}', ${amount}.0, TIMESTAMP '2024-05-01 10:${String(minute + i).padStart(2, "0")}:00')`,
    );
  const values = [
    ...rows(
      "matches",
      [
        ["failed", 5],
        ["failed", 5],
        ["failed", 5],
        ["ok", 2000],
      ],
      0,
    ),
    ...rows(
      "two-failures",
      [
        ["failed", 5],
        ["failed", 5],
        ["ok", 2000],
      ],
      10,
    ),
    ...rows(
      "small-payment",
      [
        ["failed", 5],
        ["failed", 5],
        ["failed", 5],
        ["ok", 50],
      ],
      20,
    ),
    ...rows(
      "success-between",
      [
        ["failed", 5],
        ["ok", 5],
        ["failed", 5],
        ["failed", 5],
        ["ok", 2000],
      ],
      30,
    ),
  ];
  const sql = `CREATE TABLE payments (card STRING, status STRING, amount DOUBLE, pay_time TIMESTAMP(3), WATERMARK FOR pay_time AS pay_time)
  WITH (${bounded("payments")});
INSERT INTO payments VALUES ${values.join(",\n  ")};
SELECT * FROM payments MATCH_RECOGNIZE (PARTITION BY card ORDER BY pay_time
  MEASURES LAST(F.pay_time) AS last_failure, B.amount AS large_amount
  ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW
  PATTERN (F{3} B) DEFINE F AS F.status = 'failed', B AS B.status = 'ok' AND B.amount > 1000) AS m;`;
  const { rows: found, output } = await rowsOf(sandbox.learner(), sql);
  expect(found, terminalText(output)).toEqual(["+I[matches, 2024-05-01T10:02, 2000.0]"]);
});
