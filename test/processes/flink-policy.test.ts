// The Flink SQL statement policy at its edges, through the runner's check mode (one JVM for every script;
// no Kafka, no job): every option a table or SET may name is tried too small, too large, negative, not a
// number, as a class name, empty, blank and namespace-only, and must be refused with a message naming
// the option and its bounds; every value within the bounds must be admitted, and planned by Flink.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { NAMESPACE, notListed, optionCases, quoted, setCases, settingsNotAllowed, tableScript } from "../support/flink-policy-cases.ts";
import { checkScripts } from "../support/flink-runner.ts";

/** What the lessons of part two write: joins, a versioned table, deduplication, Top-N and MATCH_RECOGNIZE. */
const PART_TWO = `SET 'table.local-time-zone' = 'UTC';
SET 'table.exec.state.ttl' = '1 h';
CREATE TABLE orders (order_id STRING, currency STRING, amount DOUBLE, order_time TIMESTAMP(3),
  WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'orders', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
CREATE TABLE payments (order_id STRING, paid DOUBLE, pay_time TIMESTAMP(3), WATERMARK FOR pay_time AS pay_time - INTERVAL '5' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'payments', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
CREATE TABLE rates (currency STRING, rate DOUBLE, update_time TIMESTAMP(3), WATERMARK FOR update_time AS update_time,
  PRIMARY KEY (currency) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 'rates', 'key.format' = 'raw', 'value.format' = 'json');
CREATE TABLE paid_orders (order_id STRING, amount DOUBLE, paid DOUBLE) WITH ('connector' = 'kafka', 'topic' = 'paid-orders', 'format' = 'json');
INSERT INTO paid_orders SELECT o.order_id, o.amount, p.paid FROM orders o JOIN payments p
  ON o.order_id = p.order_id AND p.pay_time BETWEEN o.order_time AND o.order_time + INTERVAL '10' MINUTE;
SELECT o.order_id, o.amount * r.rate AS eur FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency;
CREATE TABLE first_orders (order_id STRING, amount DOUBLE, PRIMARY KEY (order_id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'first-orders', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO first_orders SELECT order_id, amount FROM
  (SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY order_time ASC) AS rn FROM orders) WHERE rn = 1;
CREATE TABLE top_orders (currency STRING, rn BIGINT, order_id STRING, amount DOUBLE, PRIMARY KEY (currency, rn) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'top-orders', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO top_orders SELECT currency, rn, order_id, amount FROM
  (SELECT *, ROW_NUMBER() OVER (PARTITION BY currency ORDER BY amount DESC) AS rn FROM orders) WHERE rn <= 3;
SELECT * FROM payments MATCH_RECOGNIZE (PARTITION BY order_id ORDER BY pay_time
  MEASURES FIRST(F.pay_time) AS first_failure, B.paid AS large_payment ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW
  PATTERN (F{3} B) DEFINE F AS F.paid < 0, B AS B.paid > 1000) AS m;
CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100;
EXPLAIN SELECT * FROM big_orders;`;

/** Every other kind of statement, each after the tables it would touch, and the refusal it gets. */
const POLICY_REFUSES = /^refused .*(is|are) not allowed[.;]/;
const otherStatements: [string, RegExp][] = [
  ["DROP TABLE orders", POLICY_REFUSES],
  ["DROP VIEW v", POLICY_REFUSES],
  ["ALTER TABLE orders SET ('topic' = 'other')", POLICY_REFUSES],
  ["ALTER TABLE orders RENAME TO mine", POLICY_REFUSES],
  ["CREATE TABLE copy WITH ('connector' = 'blackhole') AS SELECT * FROM orders", POLICY_REFUSES],
  ["CREATE TABLE copy WITH ('topic' = 'copy') LIKE orders", POLICY_REFUSES],
  ["CREATE FUNCTION evil AS 'com.example.Evil'", POLICY_REFUSES],
  ["CREATE TEMPORARY SYSTEM FUNCTION evil AS 'com.example.Evil'", POLICY_REFUSES],
  ["CREATE CATALOG mine WITH ('type' = 'generic_in_memory')", POLICY_REFUSES],
  ["CREATE DATABASE mine", POLICY_REFUSES],
  ["USE CATALOG default_catalog", POLICY_REFUSES],
  ["USE mine", POLICY_REFUSES],
  ["SHOW TABLES", POLICY_REFUSES],
  ["SHOW CREATE TABLE orders", POLICY_REFUSES],
  ["DESCRIBE orders", POLICY_REFUSES],
  ["RESET", POLICY_REFUSES],
  ["RESET 'table.exec.state.ttl'", POLICY_REFUSES],
  ["SET", POLICY_REFUSES],
  ["LOAD MODULE hive", POLICY_REFUSES],
  ["ADD JAR '/tmp/evil.jar'", POLICY_REFUSES],
  ["SHOW JARS", POLICY_REFUSES],
  ["INSERT INTO orders /*+ OPTIONS('topic' = 'other') */ SELECT * FROM orders", POLICY_REFUSES],
  ["ANALYZE TABLE orders COMPUTE STATISTICS", POLICY_REFUSES],
  ["TRUNCATE TABLE orders", POLICY_REFUSES],
  ["DELETE FROM orders", POLICY_REFUSES],
  ["DELETE FROM orders WHERE k_v > 1", POLICY_REFUSES],
  ["UPDATE orders SET k_v = 1", POLICY_REFUSES],
  // Flink refuses these before the policy sees them: hints are off, no catalog here has procedures, and a statement set is not one statement.
  ["SELECT * FROM orders /*+ OPTIONS('topic' = 'other') */", /^error The 'OPTIONS' hint is allowed only when/],
  ["CALL `default_catalog`.`default_database`.evil()", /^error getProcedure is not implemented/],
  ["EXECUTE STATEMENT SET BEGIN INSERT INTO orders SELECT * FROM orders; END", /^error Encountered "<EOF>"/],
];
const ORDERS = tableScript("kafka", {}).split("\n")[0]!.replace("TABLE t", "TABLE orders");

// Every script, numbered, so one JVM checks them all.
const scripts: string[] = [];
const add = (script: string) => scripts.push(script) - 1;
const refusedAt = optionCases.map((c) => c.refused.map((value) => add(tableScript(c.connector, { ...c.with, [c.option]: value }))));
const allowedAt = optionCases.map((c) =>
  c.allowed.map((value) => add(tableScript(c.connector, { ...c.with, ...c.beside?.[value], [c.option]: value }))),
);
const notListedAt = notListed.map(([connector, key, value]) => add(tableScript(connector, { [key]: value })));
const setRefusedAt = setCases.map((c) => c.refused.map((value) => add(`SET ${quoted(c.key)} = ${quoted(value)};`)));
const setAllowedAt = setCases.map((c) => c.allowed.map((value) => add(`SET ${quoted(c.key)} = ${quoted(value)};`)));
const settingsAt = settingsNotAllowed.map((key) => add(`SET ${quoted(key)} = '1';`));
const partTwoAt = add(PART_TWO);
const otherAt = otherStatements.map(([statement]) => add(`${ORDERS}\nCREATE VIEW v AS SELECT * FROM orders;\n${statement};`));
const namespacedAt = add(tableScript("kafka", { topic: " orders ; payments ", "properties.group.id": "readers" }));
const withoutRateAt = add("CREATE TABLE t (n INT) WITH ('connector' = 'datagen');");
const sequenceAt = {
  tooLong: add(tableScript("datagen", { "fields.id.kind": "sequence", "fields.id.start": "0", "fields.id.end": "1000000" })),
  twoBillion: add(tableScript("datagen", { "fields.id.kind": "sequence", "fields.id.start": "1", "fields.id.end": "2000000000" })),
  backwards: add(tableScript("datagen", { "fields.id.kind": "sequence", "fields.id.start": "10", "fields.id.end": "1" })),
  noEnd: add(tableScript("datagen", { "fields.id.kind": "sequence", "fields.id.start": "1" })),
};
const minAboveMaxAt = add(tableScript("datagen", { "fields.price.min": "10", "fields.price.max": "1" }));
const exactlyOnceAt = add(tableScript("kafka", { "sink.delivery-guarantee": "exactly-once" }));
const noTopicAt = add(tableScript("kafka", { topic: undefined }));

const contentDir = path.resolve(import.meta.dirname, "../../content");
async function courseScripts(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".sql")).map((e) => path.join(e.parentPath, e.name));
}
const courseFiles = await courseScripts(contentDir);
const courseAt = await Promise.all(courseFiles.map(async (file) => add(await readFile(file, "utf8"))));

let verdicts: string[][];

beforeAll(async () => {
  verdicts = await checkScripts(scripts);
}, 600_000);

const refusal = (at: number) => verdicts[at]![0]!;
const allAdmitted = (at: number) =>
  expect(
    verdicts[at]!.filter((v) => !v.startsWith("admitted")),
    scripts[at],
  ).toEqual([]);

describe.each(optionCases.map((c, i) => [`${c.connector} '${c.option}'`, c, i] as const))("%s", (_, c, i) => {
  it("refuses every value outside its bounds, naming the option and the bounds", () => {
    c.refused.forEach((value, j) => {
      expect(refusal(refusedAt[i]![j]!), `value ${JSON.stringify(value)}`).toMatch(/^refused Table t: /);
      expect(refusal(refusedAt[i]![j]!), `value ${JSON.stringify(value)}`).toContain(`'${c.option}' = '`);
      expect(refusal(refusedAt[i]![j]!), `value ${JSON.stringify(value)}`).toContain(`is not allowed: use ${c.bounds}.`);
    });
  });

  it("admits every value within its bounds, and Flink plans the table with it", () => {
    for (const at of allowedAt[i]!) allAdmitted(at);
  });
});

it.each(notListed.map(([connector, key], i) => [connector, key, i] as const))(
  "refuses a %s table's '%s' by name, listing what is allowed",
  (connector, key, i) => {
    expect(refusal(notListedAt[i]!)).toContain(`the option '${key}' is not allowed for a ${connector} table`);
    expect(refusal(notListedAt[i]!)).toMatch(connector === "blackhole" ? /Allowed: none but 'connector'/ : /Allowed: '/);
  },
);

describe.each(setCases.map((c, i) => [c.key, c, i] as const))("SET '%s'", (key, c, i) => {
  it("refuses every value outside its bounds, naming the key and the bounds", () => {
    c.refused.forEach((value, j) => {
      expect(refusal(setRefusedAt[i]![j]!), `value ${JSON.stringify(value)}`).toContain(`refused SET '${key}' = '`);
      expect(refusal(setRefusedAt[i]![j]!), `value ${JSON.stringify(value)}`).toContain(`is not allowed: use ${c.bounds}.`);
    });
  });

  it("admits every value within its bounds", () => {
    for (const at of setAllowedAt[i]!) allAdmitted(at);
  });
});

it("refuses a SET of any other key, saying the server sets it", () => {
  for (const [i, key] of settingsNotAllowed.entries())
    expect(refusal(settingsAt[i]!)).toContain(`refused SET '${key}' is not allowed: the server sets it.`);
});

it("admits what part two's lessons write: interval and temporal joins, deduplication and Top-N into upsert-kafka, MATCH_RECOGNIZE", () => {
  allAdmitted(partTwoAt);
  expect(verdicts[partTwoAt]).toHaveLength(PART_TWO.split(";").length - 1);
});

it.each(otherStatements.map(([statement, refusal], i) => [statement, refusal, i] as const))("refuses %s", (_, refusal, i) => {
  const [table, view, verdict] = verdicts[otherAt[i]!]!;
  expect([table, view]).toEqual([expect.stringMatching(/^admitted /), expect.stringMatching(/^admitted /)]);
  expect(verdict).toMatch(refusal);
});

it("gives a datagen table that names no rate one within the cap, not Flink's 10,000 rows a second", () => {
  expect(verdicts[withoutRateAt]![0]).toContain("'rows-per-second' = '1000'");
});

it("adds the namespace to a Kafka table's topics and group, after trimming", () => {
  const [verdict] = verdicts[namespacedAt]!;
  expect(verdict).toContain(`'topic' = '${NAMESPACE}orders;${NAMESPACE}payments'`);
  expect(verdict).toContain(`'properties.group.id' = '${NAMESPACE}readers'`);
});

describe("datagen sequences and ranges", () => {
  it("refuses a sequence of more than a million values, naming both ends and the bound", () => {
    for (const at of [sequenceAt.tooLong, sequenceAt.twoBillion]) {
      expect(refusal(at)).toMatch(
        /^refused Table t: the sequence 'fields\.id\.start' = '\d+' to 'fields\.id\.end' = '\d+' is not allowed: .*at most 1000000 values/,
      );
    }
  });

  it("refuses a sequence that runs backwards or has no end", () => {
    expect(refusal(sequenceAt.backwards)).toContain("the sequence 'fields.id.start' = '10' to 'fields.id.end' = '1' is not allowed");
    expect(refusal(sequenceAt.noEnd)).toContain("'fields.id.kind' = 'sequence' needs 'fields.id.start' and 'fields.id.end'");
  });

  it("refuses a random range whose min is above its max", () => {
    expect(refusal(minAboveMaxAt)).toContain("'fields.price.min' = '10' is above 'fields.price.max' = '1'");
  });
});

it("refuses exactly-once delivery, which needs checkpoints, saying what to use", () => {
  expect(refusal(exactlyOnceAt)).toContain(
    "'sink.delivery-guarantee' = 'exactly-once' needs checkpoints, which these runs do not take; use 'at-least-once' or 'none'.",
  );
});

it("refuses a Kafka table without a topic, saying how to name one", () => {
  expect(refusal(noTopicAt)).toContain("say which topic it reads or writes, with 'topic' = 'page-views'.");
});

it("refuses nothing the course's own queries write (solutions, starters and wrong queries)", () => {
  expect(courseFiles.length).toBeGreaterThanOrEqual(10);
  courseFiles.forEach((file, i) => {
    expect(
      verdicts[courseAt[i]!]!.filter((v) => v.startsWith("refused")),
      path.relative(contentDir, file),
    ).toEqual([]);
  });
});
