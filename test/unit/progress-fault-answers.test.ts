// A progress store that stops working is named to the learner on every route that needs it: a 503 with
// what became of their work, never a bare 500 "Something went wrong". The store here is a real SQLite
// store whose database was closed under the server, so every read and write of it fails.
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
import { LearnerPrincipals } from "../../sandbox-server/src/kafka/index.ts";

let stateDir: string;
let runs: RunRegistry;
let progress: SqliteProgressStore;
let app: ReturnType<typeof createApp>;
const identity = new LearnerIds();
const LEARNER = `tributary_learner=${identity.issue().cookie}`;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-progress-faults-"));
  const config = loadConfig({ TRIBUTARY_STATE_DIR: stateDir });
  runs = new RunRegistry(config.runs, ["127.0.0.1:39999"]);
  progress = new SqliteProgressStore(path.join(stateDir, "progress.sqlite"));
  app = createApp({
    catalog: await loadExerciseCatalog(config.contentDir),
    runs,
    broker: { snapshot: async () => ({ brokerCount: 1, topics: new Map(), groups: new Map() }) },
    principals: new LearnerPrincipals({ bootstrap: ["127.0.0.1:39999"] }, config.kafka.learnerQuotas),
    progress,
    slates: { clear: async () => ({ topics: [], groups: [] }), prepare: async () => {}, mark: async () => ({}) },
    probeKafka: async () => ({ reachable: true, brokers: 1, latencyMs: 1, bootstrap: ["127.0.0.1:39999"], nodes: [] }),
    sourceLimitBytes: config.runs.limits.sourceLimitBytes,
    identity,
  });
  await progress.close();
});

afterAll(async () => {
  await runs.stopAll();
  await rm(stateDir, { recursive: true, force: true });
});

const ask = async (method: string, route: string) => {
  const response = await app.request(route, { method, headers: { cookie: LEARNER } });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } };
};

describe("a progress store that fails under the server", () => {
  it("answers a Check with 503 saying the learner's progress could not be read", async () => {
    expect(await ask("POST", "/api/exercises/first-producer/grade")).toEqual({
      status: 503,
      body: { error: { code: "progress_not_read", message: expect.stringMatching(/^Your progress could not be read just now: /) } },
    });
  });

  it("answers Start over with 503 saying the result could not be saved, not that Kafka did not answer", async () => {
    expect(await ask("POST", "/api/exercises/first-producer/reset")).toEqual({
      status: 503,
      body: { error: { code: "progress_not_saved", message: expect.stringMatching(/^Your result could not be saved: /) } },
    });
  });

  it("answers a request for progress with 503 and words for the learner", async () => {
    const answer = await ask("GET", "/api/progress");
    expect(answer.status).toBe(503);
    expect(answer.body.error?.message).toMatch(/^Your progress could not be read just now/);
  });

  it("says in health that progress cannot be kept", async () => {
    expect(await progress.health()).toMatchObject({ ok: false, store: "sqlite", error: expect.stringContaining("progress.sqlite") });
  });
});
