// Every route, fed bad input, answers a 4xx whose message says what is wrong; never a 5xx.
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
import { LearnerPrincipals, type BrokerState } from "../../sandbox-server/src/kafka/index.ts";

/** An exercise's Kafka that needs no readying: these tests run no program that reads it. */
const quietSlates = { clear: async () => ({ topics: [], groups: [] }), prepare: async () => {}, mark: async () => ({}) };

let stateDir: string;
let runs: RunRegistry;
let app: ReturnType<typeof createApp>;
let kafkaReachable = true;

const emptyBroker: BrokerState = { snapshot: async () => ({ brokerCount: 1, topics: new Map(), groups: new Map() }) };

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-api-"));
  const config = loadConfig({ TRIBUTARY_STATE_DIR: stateDir, TRIBUTARY_MAX_RUNS_PER_LEARNER: "1" });
  runs = new RunRegistry(config.runs, ["127.0.0.1:39999"]);
  app = createApp({
    catalog: await loadExerciseCatalog(config.contentDir),
    runs,
    broker: emptyBroker,
    principals: new LearnerPrincipals({ bootstrap: ["127.0.0.1:39999"] }, config.kafka.learnerQuotas),
    progress: new SqliteProgressStore(":memory:"),
    slates: quietSlates,
    probeKafka: async () => ({
      reachable: kafkaReachable,
      brokers: kafkaReachable ? 1 : 0,
      latencyMs: 3,
      bootstrap: ["127.0.0.1:1"],
      nodes: [{ address: "127.0.0.1:1", up: kafkaReachable }],
    }),
    sourceLimitBytes: config.runs.limits.sourceLimitBytes,
    identity,
  });
});

afterAll(async () => {
  await runs.stopAll();
  await rm(stateDir, { recursive: true, force: true });
});

// Learner ids are the server's to issue and sign; both apps of this file share one issuer.
const identity = new LearnerIds();
const LEARNER = `tributary_learner=${identity.issue().cookie}`;

function call(method: string, route: string, body?: string, contentType = "application/json") {
  const headers: Record<string, string> = { cookie: LEARNER };
  if (body !== undefined) headers["content-type"] = contentType;
  return app.request(route, { method, headers, body });
}

/** Asserts a problem response: the status, a machine code, and a message containing `says`. */
async function expectProblem(response: Response, status: number, says: string | RegExp) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toMatch(/^[a-z_]+$/);
  expect(body.error.message).toMatch(says);
}

const runBody = (body: unknown) => JSON.stringify(body);
const UNKNOWN_RUN = "0b7c7d2e-2f1a-4c5e-9a51-3b9e1f0c2d44";

describe("GET /api/health", () => {
  it("answers 200 when Kafka answers and 503 when it does not", async () => {
    kafkaReachable = true;
    expect((await call("GET", "/api/health")).status).toBe(200);
    kafkaReachable = false;
    const down = await call("GET", "/api/health");
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: "degraded", kafka: { reachable: false } });
    kafkaReachable = true;
  });
});

describe("GET /api/exercises/{id}", () => {
  it("serves the starter and hints but never the solution", async () => {
    const response = await call("GET", "/api/exercises/first-producer");
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: "first-producer", lesson: "kafka-basics/first-producer-consumer" });
    expect(body.starter).toContain("TODO");
    expect(body).not.toHaveProperty("solution");
  });

  it("rejects an id that cannot be an exercise id", async () => {
    await expectProblem(await call("GET", "/api/exercises/Not_An_Id!"), 400, /id: An exercise id is lowercase letters/);
  });

  it("answers 404 for an exercise that does not exist", async () => {
    await expectProblem(await call("GET", "/api/exercises/no-such-exercise"), 404, 'No exercise with id "no-such-exercise".');
  });
});

describe("POST /api/runs", () => {
  it("rejects a body that is not JSON", async () => {
    await expectProblem(await call("POST", "/api/runs", "{ not json"), 400, /JSON/i);
  });

  it("asks for JSON when the body is sent as something else", async () => {
    await expectProblem(
      await call("POST", "/api/runs", "exerciseId=first-producer", "text/plain"),
      415,
      "Send the body as JSON, with the header Content-Type: application/json.",
    );
  });

  it("rejects JSON that is not an object", async () => {
    await expectProblem(await call("POST", "/api/runs", "[]"), 400, "request: Invalid input: expected object, received array");
  });

  it("rejects a request with no body", async () => {
    await expectProblem(await call("POST", "/api/runs"), 400, /./);
  });

  it("names the missing exercise id", async () => {
    await expectProblem(await call("POST", "/api/runs", runBody({ files: { "main.ts": "" } })), 400, /exerciseId/);
  });

  it("requires main.ts among the files", async () => {
    await expectProblem(
      await call("POST", "/api/runs", runBody({ exerciseId: "first-producer", files: { "other.ts": "" } })),
      400,
      "files must include the program's entry point: main.ts",
    );
  });

  it("refuses file names that could escape the run's folder", async () => {
    await expectProblem(
      await call("POST", "/api/runs", runBody({ exerciseId: "first-producer", files: { "main.ts": "", "../escape.ts": "" } })),
      400,
      /File names are like main\.ts/,
    );
  });

  it("refuses file contents that are not text", async () => {
    await expectProblem(await call("POST", "/api/runs", runBody({ exerciseId: "first-producer", files: { "main.ts": 42 } })), 400, /files\.main\.ts/);
  });

  it("refuses more than 10 files", async () => {
    const files = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [i === 0 ? "main.ts" : `f${i}.ts`, ""]));
    await expectProblem(await call("POST", "/api/runs", runBody({ exerciseId: "first-producer", files })), 400, "At most 10 files per run.");
  });

  it("answers 404 for an unknown exercise", async () => {
    await expectProblem(await call("POST", "/api/runs", runBody({ exerciseId: "no-such", files: { "main.ts": "" } })), 404, /No exercise/);
  });

  it("answers 413 with the limit when the code is too large", async () => {
    const huge = "x".repeat(300 * 1024);
    await expectProblem(await call("POST", "/api/runs", runBody({ exerciseId: "first-producer", files: { "main.ts": huge } })), 413, /KiB/);
  });

  it("answers 429 with Retry-After when the learner already runs as many programs as allowed", async () => {
    const longRun = runBody({ exerciseId: "first-consumer", files: { "main.ts": "await new Promise((r) => setTimeout(r, 30000));" } });
    const first = await call("POST", "/api/runs", longRun);
    expect(first.status).toBe(201);
    const second = await call("POST", "/api/runs", longRun);
    expect(second.headers.get("retry-after")).toBe("2");
    await expectProblem(second, 429, /limit per learner/);
    const { id } = (await first.json()) as { id: string };
    expect((await call("DELETE", `/api/runs/${id}`)).status).toBe(200);
    await runs.get(id)?.finished;
  });
});

describe("starting runs too fast", () => {
  it("answers 429 with how long to wait once a learner passes the runs-per-minute limit", async () => {
    const config = loadConfig({ TRIBUTARY_STATE_DIR: stateDir, TRIBUTARY_RUNS_PER_MINUTE: "2", TRIBUTARY_ISOLATION: "process" });
    const limited = new RunRegistry({ ...config.runs, scratchDir: path.join(stateDir, "rate") }, ["127.0.0.1:39999"]);
    const limitedApp = createApp({
      catalog: await loadExerciseCatalog(config.contentDir),
      runs: limited,
      broker: emptyBroker,
      principals: new LearnerPrincipals({ bootstrap: ["127.0.0.1:39999"] }, config.kafka.learnerQuotas),
      progress: new SqliteProgressStore(":memory:"),
      slates: quietSlates,
      probeKafka: async () => ({ reachable: true, brokers: 1, latencyMs: 1, bootstrap: [], nodes: [] }),
      sourceLimitBytes: config.runs.limits.sourceLimitBytes,
      identity,
    });
    const start = () =>
      limitedApp.request("/api/runs", {
        method: "POST",
        headers: { cookie: LEARNER, "content-type": "application/json" },
        body: runBody({ exerciseId: "first-producer", files: { "main.ts": "" } }),
      });
    expect((await start()).status).toBe(201);
    expect((await start()).status).toBe(201);
    const third = await start();
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(50);
    await expectProblem(third, 429, /You started 2 runs in the last minute, the limit per learner; try again in \d+ s\./);
    await limited.stopAll();
  });
});

describe("GET /api/runs/{id}/events and DELETE /api/runs/{id}", () => {
  it("reject a run id that is not a UUID", async () => {
    await expectProblem(await call("GET", "/api/runs/42/events"), 400, /A run id is a UUID/);
    await expectProblem(await call("DELETE", "/api/runs/42"), 400, /A run id is a UUID/);
  });

  it("answer 404 for a run that does not exist", async () => {
    await expectProblem(await call("GET", `/api/runs/${UNKNOWN_RUN}/events`), 404, /No such run/);
    await expectProblem(await call("DELETE", `/api/runs/${UNKNOWN_RUN}`), 404, /No such run/);
  });
});

describe("POST /api/exercises/{id}/grade", () => {
  it("rejects a bad id and answers 404 for an unknown one", async () => {
    await expectProblem(await call("POST", "/api/exercises/BAD!/grade"), 400, /lowercase/);
    await expectProblem(await call("POST", "/api/exercises/no-such/grade"), 404, /No exercise/);
  });

  it("grades and records the verdict in the learner's progress", async () => {
    const graded = await call("POST", "/api/exercises/first-producer/grade");
    expect(graded.status).toBe(200);
    expect(await graded.json()).toMatchObject({ status: "fail", message: expect.stringContaining("You have not run this exercise yet") });
    const progress = (await (await call("GET", "/api/progress")).json()) as { verdicts: { exerciseId: string }[] };
    expect(progress.verdicts.map((v) => v.exerciseId)).toEqual(["first-producer"]);
  });
});

describe("the rest of the API surface", () => {
  it("gives a new visitor a learner cookie and empty progress", async () => {
    const response = await app.request("/api/progress");
    expect(response.headers.get("set-cookie")).toMatch(/^tributary_learner=[\w-]{22}\.[\w-]{43};.*HttpOnly/);
    expect(await response.json()).toEqual({ verdicts: [] });
  });

  it("answers unknown routes with a JSON 404, and unknown methods on known routes with a 405 naming the allowed ones", async () => {
    await expectProblem(await call("GET", "/api/nothing-here"), 404, "No route GET /api/nothing-here.");
    const wrongMethod = await call("PUT", "/api/runs");
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    await expectProblem(wrongMethod, 405, "PUT is not allowed on /api/runs; use POST.");
  });

  it("documents every route in the OpenAPI document, generated from the same schemas", async () => {
    const doc = (await (await call("GET", "/api/openapi.json")).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.fromEntries(Object.entries(doc.paths).map(([p, ops]) => [p, Object.keys(ops).sort()]))).toEqual({
      "/api/health": ["get"],
      "/api/exercises/{id}": ["get"],
      "/api/runs": ["post"],
      "/api/runs/{id}/events": ["get"],
      "/api/runs/{id}": ["delete"],
      "/api/exercises/{id}/grade": ["post"],
      "/api/progress": ["get"],
      "/api/learner": ["get"],
      "/api/exercises/{id}/solution": ["get"],
      "/api/exercises/{id}/reset": ["post"],
      "/api/live": ["get"],
      "/api/lab": ["delete", "get", "post"],
      "/api/lab/brokers/{id}": ["post"],
    });
  });
});

describe("exercises offered in Python", () => {
  it("lists each exercise's languages and its starter in each", async () => {
    const response = await call("GET", "/api/exercises/first-producer");
    const body = (await response.json()) as { languages: string[]; starters: Record<string, string> };
    expect(body.languages).toEqual(["typescript", "python"]);
    expect(body.starters.python).toContain("from tributary import");
  });

  it("serves the solution in the language asked for, and says which languages exist when one is not offered", async () => {
    const python = (await (await call("GET", "/api/exercises/first-producer/solution?language=python")).json()) as {
      language: string;
      solution: string;
    };
    expect(python).toMatchObject({ language: "python" });
    expect(python.solution).toContain("KafkaProducer");
    await expectProblem(await call("GET", "/api/exercises/first-producer/solution?language=cobol"), 400, /language/);
    await expectProblem(
      await call("GET", "/api/exercises/measure-producer/solution?language=python"),
      404,
      /not offered in python; it is in typescript/,
    );
  });

  it("takes main.py as a program's entry point, and names the entry points and extensions it takes", async () => {
    await expectProblem(
      await call("POST", "/api/runs", runBody({ exerciseId: "first-producer", files: { "other.py": "" } })),
      400,
      "main.ts (TypeScript), main.py (Python) or main.sql (Flink SQL)",
    );
    await expectProblem(
      await call("POST", "/api/runs", runBody({ exerciseId: "first-producer", files: { "main.py": "", "x.rb": "" } })),
      400,
      /ending in \.ts, \.py or \.sql/,
    );
  });
});
