// The grade route keeps what a learner earned: a Check that Kafka could not answer, or that found a
// broker down, is shown to the learner but never stored, so it never replaces an earlier pass.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../sandbox-server/src/app.ts";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { loadExerciseCatalog } from "../../sandbox-server/src/exercises/index.ts";
import { SqliteProgressStore } from "../../sandbox-server/src/progress/index.ts";
import { RunRegistry } from "../../sandbox-server/src/runs/index.ts";
import { LearnerIds } from "../../sandbox-server/src/http/learner-id.ts";
import { LearnerPrincipals, type BrokerSnapshot, type BrokerState } from "../../sandbox-server/src/kafka/index.ts";

/** An exercise's Kafka that needs no readying: these tests run no program that reads it. */
const quietSlates = { clear: async () => ({ topics: [], groups: [] }), prepare: async () => {}, mark: async () => ({}) };

let stateDir: string;
let runs: RunRegistry;
let app: ReturnType<typeof createApp>;
/** What the broker answers next: a snapshot, or a failure. */
let answer: () => BrokerSnapshot;
const progress = new SqliteProgressStore(":memory:");
/** The learner's run of durable-topic that their Checks judge. */
const ranDurableTopic = {
  id: "5b8f2a62-0a65-4d57-9a3c-0d3d3b1a0c11",
  exerciseId: "durable-topic",
  language: "typescript" as const,
  startedAt: "2026-01-01T10:00:00.000Z",
  launched: true,
  freshSlate: false,
  marks: {},
  endedAt: "2026-01-01T10:00:03.000Z",
  outcome: "exited" as const,
  exitCode: 0,
};

const ledger = (replicas: number, inSync: number, retention = "2592000000") => ({
  name: "ledger",
  topicId: "id-ledger",
  partitions: [
    { partition: 0, low: 0, high: 0, replicas, inSync, leader: 1, replicaIds: [1, 2, 3].slice(0, replicas), isrIds: [1, 2, 3].slice(0, inSync) },
  ],
  config: { "retention.ms": retention, "min.insync.replicas": String(Math.max(1, replicas - 1)) },
});

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-grade-"));
  const config = loadConfig({ TRIBUTARY_STATE_DIR: stateDir });
  runs = new RunRegistry(config.runs, ["127.0.0.1:39999"]);
  const broker: BrokerState = { snapshot: async () => answer() };
  app = createApp({
    catalog: await loadExerciseCatalog(config.contentDir),
    runs,
    broker,
    principals: new LearnerPrincipals({ bootstrap: ["127.0.0.1:39999"] }, config.kafka.learnerQuotas),
    progress,
    slates: quietSlates,
    probeKafka: async () => ({
      reachable: true,
      brokers: 1,
      latencyMs: 1,
      bootstrap: ["127.0.0.1:39999"],
      nodes: [{ address: "127.0.0.1:39999", up: true }],
    }),
    sourceLimitBytes: config.runs.limits.sourceLimitBytes,
    identity,
  });
});

afterAll(async () => {
  await runs.stopAll();
  await rm(stateDir, { recursive: true, force: true });
});

// Learner ids are the server's to issue and sign: this file's app and its learner share one issuer.
const identity = new LearnerIds();
const issued = identity.issue();
const LEARNER = `tributary_learner=${issued.cookie}`;
const check = async () =>
  (await (await app.request("/api/exercises/durable-topic/grade", { method: "POST", headers: { cookie: LEARNER } })).json()) as {
    status: string;
    message: string;
  };
const stored = async () =>
  (
    (await (await app.request("/api/progress", { headers: { cookie: LEARNER } })).json()) as {
      verdicts: { exerciseId: string; status: string; firstPassedAt: string | null }[];
    }
  ).verdicts.find((v) => v.exerciseId === "durable-topic");

describe("POST /api/exercises/{id}/grade", () => {
  it("gives a learner who has not run the exercise an outage error while Kafka cannot answer, and stores nothing", async () => {
    answer = () => {
      throw new Error("Connection error: connect ECONNREFUSED");
    };
    expect(await check()).toMatchObject({ status: "error", message: expect.stringContaining("Kafka did not answer") });
    expect(await stored()).toBeUndefined();
  });

  it("fails a learner who has not run the exercise, saying so", async () => {
    answer = () => ({ brokerCount: 3, topics: new Map(), groups: new Map() });
    const verdict = await check();
    expect(verdict).toMatchObject({ status: "fail", message: expect.stringContaining("You have not run this exercise yet") });
    await progress.recordRun(issued.id, ranDurableTopic);
  });

  it("keeps a pass when a later Check finds a broker down or Kafka silent, and tells the learner so", async () => {
    answer = () => ({ brokerCount: 3, topics: new Map([["ledger", ledger(3, 3)]]), groups: new Map() });
    expect((await check()).status).toBe("pass");

    answer = () => ({ brokerCount: 2, topics: new Map([["ledger", ledger(3, 2)]]), groups: new Map() });
    const brokerDown = await check();
    expect(brokerDown.status).toBe("error");
    expect(brokerDown.message).toContain("a broker is down");
    expect(brokerDown.message).not.toMatch(/replicationFactor|Create the topic/);
    expect(await stored()).toMatchObject({ status: "pass" });

    answer = () => {
      throw new Error("Connection error: connect ECONNREFUSED");
    };
    const silent = await check();
    expect(silent).toMatchObject({ status: "error", message: expect.stringContaining("Kafka did not answer") });
    expect(await stored()).toMatchObject({ status: "pass" });
  });

  it("stores a real failure as the latest verdict, and still remembers the first pass", async () => {
    answer = () => ({ brokerCount: 1, topics: new Map([["ledger", ledger(1, 1, "604800000")]]), groups: new Map() });
    const failed = await check();
    expect(failed.status).toBe("fail");
    expect(failed.message).toContain("7 days");
    expect(await stored()).toMatchObject({ status: "fail", firstPassedAt: expect.any(String) });
  });

  it("confirms a failure found as the run ends once the broker has had a moment to apply what the run changed", async () => {
    // The run set retention to 30 days; the broker still shows 7 days on the first look, as Kafka's brokers do for a moment.
    const endedAt = new Date().toISOString();
    await progress.recordRun(issued.id, { ...ranDurableTopic, id: "6c9f3b73-1b76-4e68-8b4d-1e4e4c2b1d22", startedAt: endedAt, endedAt });
    let looks = 0;
    answer = () => {
      looks++;
      return { brokerCount: 1, topics: new Map([["ledger", ledger(1, 1, looks === 1 ? "604800000" : "2592000000")]]), groups: new Map() };
    };
    expect((await check()).status).toBe("pass");
    expect(looks).toBe(2);
  });

  it("takes one look when the run ended long enough ago: a failure then is the learner's", async () => {
    const tenSecondsAgo = new Date(Date.now() - 10_000).toISOString();
    await progress.recordRun(issued.id, {
      ...ranDurableTopic,
      id: "7da04c84-2c87-4f79-9c5e-2f5f5d3c2e33",
      startedAt: tenSecondsAgo,
      endedAt: tenSecondsAgo,
    });
    let looks = 0;
    answer = () => {
      looks++;
      return { brokerCount: 1, topics: new Map([["ledger", ledger(1, 1, looks === 1 ? "604800000" : "2592000000")]]), groups: new Map() };
    };
    expect((await check()).status).toBe("fail");
    expect(looks).toBe(1);
  });
});

describe("a group the judged run's consumer joined and left", () => {
  const twoTargets = (runId: string, ended: boolean) => ({
    id: runId,
    exerciseId: "two-targets",
    language: "typescript" as const,
    startedAt: new Date().toISOString(),
    launched: true,
    freshSlate: true,
    marks: {},
    ...(ended ? { endedAt: new Date(Date.now() - 5000).toISOString(), outcome: "stopped" as const, exitCode: null } : {}),
  });
  const orders = {
    name: "orders",
    topicId: "id-orders",
    partitions: [{ partition: 0, low: 0, high: 5, replicas: 1, inSync: 1, leader: 1, replicaIds: [1], isrIds: [1] }],
    config: {},
    records: ["book", "lamp", "kettle", "chair", "plant"].map((value, offset) => ({
      partition: 0,
      offset,
      timestamp: Date.now(),
      key: `order-${offset + 1}`,
      value,
      headers: {},
    })),
  };
  const billing = { group: "billing", topic: "orders", committed: new Map([[0, 5]]), state: "Empty", members: 0 };
  const shipping = (state: string, members: number) => ({ group: "shipping", topic: "orders", committed: new Map<number, number>(), state, members });
  const snapshotWith = (shippingState: ReturnType<typeof shipping>) => () => ({
    brokerCount: 1,
    topics: new Map([["orders", orders]]),
    groups: new Map([
      ["billing/orders", billing],
      ["shipping/orders", shippingState],
    ]),
  });
  const checkTwoTargets = async () =>
    (await (await app.request("/api/exercises/two-targets/grade", { method: "POST", headers: { cookie: LEARNER } })).json()) as {
      status: string;
      message: string;
    };

  it("is judged as joined and left once Kafka no longer shows it, not as never joined", async () => {
    const runId = "7d1a4c84-2c76-4f79-9c4f-2f5f5d3c2e33";
    await progress.recordRun(issued.id, twoTargets(runId, false));
    answer = snapshotWith(shipping("Stable", 1));
    const running = await checkTwoTargets();
    expect(running.message).toContain("A consumer is in group `shipping`");

    // Stopped: its consumer left having committed nothing, and Kafka kept no group.
    await progress.recordRun(issued.id, twoTargets(runId, true));
    answer = snapshotWith(shipping("Dead", 0));
    const stopped = await checkTwoTargets();
    expect(stopped.status).toBe("fail");
    expect(stopped.message).toContain("A consumer joined group `shipping` and left without handling any order");
    expect(stopped.message).toContain("fromBeginning: true");
    expect(stopped.message).not.toContain("No consumer has joined");
  });

  it("is still never joined for a run in which no Check found it", async () => {
    await progress.recordRun(issued.id, twoTargets("8e2b5d95-3d87-4a8a-8d5a-3a6a6e4d3f44", true));
    answer = snapshotWith(shipping("Dead", 0));
    expect((await checkTwoTargets()).message).toContain("No consumer has joined group `shipping`");
  });
});
