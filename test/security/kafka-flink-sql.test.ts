// The Flink half of the security suite: a learner's SQL is untrusted code. Statements that reach the
// host (the filesystem connector, jars, catalogs, settings that loosen limits) and options outside
// their bounds (Kafka options naming brokers, class names, namespace-only topics, rates beyond the cap)
// are refused by name before anything runs; another learner's topic stays out of reach; a query that
// never ends stops at the wall limit, and one whose state grows without bound stops at the memory limit. Each runs while another learner's program runs and must succeed.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { exerciseFile, type LearnerClient, type RunOutput } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { runSql, terminalText } from "../support/flink-runs.ts";

const kafka = inject("kafkaAccess");
const EXERCISE = "flink-page-views-table";
let sandbox: TestServer;
let bystander: LearnerClient;
let benignProgram: string;

async function besideBenign(hostile: Promise<RunOutput>): Promise<RunOutput> {
  const benign = bystander.run("first-producer", benignProgram);
  const outcome = await hostile;
  const { exit, stderr } = await benign;
  expect(exit, stderr).toMatchObject({ reason: "exited", code: 0 });
  return outcome;
}

beforeAll(async () => {
  // A smaller memory cap, so the query with unbounded state reaches it sooner; the wall limit leaves a busy machine time to start Flink.
  sandbox = await startTestServer(kafka, {
    env: { TRIBUTARY_RUN_WALL_SECONDS: "90", TRIBUTARY_FLINK_MEMORY_MIB: "700", TRIBUTARY_FLINK_WARM_RUNNERS: "0" },
  });
  bystander = sandbox.learner();
  benignProgram = await exerciseFile("first-producer", "solution");
});

afterAll(async () => {
  await sandbox?.close();
});

// Every statement the policy refuses, and every option at its edges, is walked in test/processes/flink-policy.test.ts
// through the runner's check mode; one statement and one option here go the whole way through a run.
const refused: [string, string, RegExp][] = [
  [
    "the filesystem connector",
    "CREATE TABLE secrets (line STRING) WITH ('connector' = 'filesystem', 'path' = '/etc', 'format' = 'raw');\nSELECT * FROM secrets;",
    /'filesystem' connector is not allowed/,
  ],
];

describe("statements that reach beyond the learner's topics", () => {
  it.each(refused)("refuses %s by name, saying what is allowed, with a line and column", { timeout: 120_000 }, async (_, sql, wording) => {
    const output = await besideBenign(runSql(sandbox.learner(), EXERCISE, sql));
    expect(output.exit.reason, terminalText(output)).toBe("compile-error");
    expect(output.stderr).toMatch(wording);
    expect(output.stderr).toMatch(/Allowed here: CREATE TABLE/);
    expect(output.stderr).toMatch(/error: line \d+, column \d+/);
  });
});

const outOfBounds: [string, string, RegExp][] = [
  [
    "a Kafka table with its own brokers",
    "CREATE TABLE t (v STRING) WITH ('connector' = 'kafka', 'topic' = 'x', 'format' = 'raw', 'properties.bootstrap.servers' = '127.0.0.1:9092');",
    /error: line 1, column \d+: Table t: the option 'properties\.bootstrap\.servers' is not allowed for a kafka table .*Allowed: 'format'/,
  ],
];

describe("table options outside their bounds", () => {
  it.each(outOfBounds)("refuses %s, naming the option and what is allowed", { timeout: 120_000 }, async (_, sql, wording) => {
    const output = await besideBenign(runSql(sandbox.learner(), EXERCISE, sql));
    expect(output.exit.reason, terminalText(output)).toBe("compile-error");
    expect(output.stderr).toMatch(wording);
    expect(output.stderr).toMatch(/error: line 1, column \d+: /);
  });
});

it("refuses a job beyond the cluster's slots by name, instead of letting it wait for ever", { timeout: 180_000 }, async () => {
  const inserts = Array.from({ length: 9 }, () => "INSERT INTO sink SELECT n FROM ticks;").join("\n");
  const sql = `CREATE TABLE ticks (n INT) WITH ('connector' = 'datagen', 'rows-per-second' = '1');
CREATE TABLE sink (n INT) WITH ('connector' = 'blackhole');
${inserts}`;
  const output = await besideBenign(runSql(sandbox.learner(), EXERCISE, sql));
  expect(output.exit.reason, terminalText(output)).toBe("compile-error");
  expect(output.stdout.match(/\[job [0-9a-f]{8} running\]/g), terminalText(output)).toHaveLength(8);
  expect(output.stderr).toMatch(/error: line 11, column 1: At most 8 queries and INSERTs run at once in one script, and 8 are running/);
});

it("keeps another learner's topic out of reach: a table naming it reads the learner's own namespace", { timeout: 180_000 }, async () => {
  const owner = sandbox.learner();
  const ownerNamespace = await owner.namespace();
  const write = `CREATE TABLE diary (entry STRING) WITH ('connector' = 'kafka', 'topic' = 'diary', 'format' = 'json');
INSERT INTO diary VALUES ('the owner''s own words');`;
  const written = await runSql(owner, EXERCISE, write);
  expect(written.exit, terminalText(written)).toMatchObject({ reason: "exited", code: 0 });

  const steal = `CREATE TABLE stolen (entry STRING) WITH ('connector' = 'kafka', 'topic' = '${ownerNamespace}diary', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
SELECT * FROM stolen;`;
  const output = await besideBenign(runSql(sandbox.learner(), EXERCISE, steal));
  expect(terminalText(output)).not.toContain("the owner's own words");
});

it("stops a query that never ends at the wall limit", { timeout: 240_000 }, async () => {
  const sql = "CREATE TABLE ticks (n INT) WITH ('connector' = 'datagen', 'rows-per-second' = '2');\nSELECT n FROM ticks;";
  const output = await besideBenign(runSql(sandbox.learner(), EXERCISE, sql));
  expect(output.exit.reason, terminalText(output)).toBe("timeout");
  expect(output.stdout).toMatch(/\+I\[-?\d+\]/);
});

it("stops a query whose state grows without bound at the memory limit", { timeout: 300_000 }, async () => {
  // Every row's key is a fresh megabyte, and a GROUP BY keeps every key it has seen.
  const sql = `CREATE TABLE ticks (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1000');
SELECT COUNT(*) FROM (SELECT REPEAT('x', 1000000) || CAST(n AS STRING) AS v FROM ticks) GROUP BY v;`;
  const output = await besideBenign(runSql(sandbox.learner(), EXERCISE, sql));
  expect(output.exit.reason, terminalText(output)).toBe("memory-limit");
  expect(output.exit.message).toMatch(/MiB of memory/);
});
