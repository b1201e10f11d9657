// What happens to runs when the browser goes away, and what /api/health says about Kafka.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { exerciseFile } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { processesMentioning } from "../support/processes.ts";

const kafka = inject("kafkaAccess");
let sandbox: TestServer;

beforeAll(async () => {
  sandbox = await startTestServer(kafka, { env: { TRIBUTARY_UNWATCHED_GRACE_MS: "500", TRIBUTARY_STOP_GRACE_MS: "6000" } });
});

afterAll(async () => {
  await sandbox?.close();
});


async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("runs and the browser", () => {
  it("stops a consumer whose browser went away, leaving no process behind", async () => {
    const learner = sandbox.learner();
    const consumer = await learner.startRun("first-consumer", await exerciseFile("first-consumer", "solution"));
    await learner.readRun(consumer.eventsUrl, (out) => out.stdout.includes("Joined group"));
    // readRun closed the stream once the consumer joined: the tab is gone.
    expect(await processesMentioning(consumer.id)).toBeGreaterThan(0);
    await waitFor(async () => (await processesMentioning(consumer.id)) === 0, 10_000);
    const health = await learner.json<{ runs: { alive: number } }>("GET", "/api/health");
    expect(health.body.runs.alive).toBe(0);
    const replay = await learner.readRun(consumer.eventsUrl);
    expect(replay.exit).toMatchObject({ reason: "unwatched", message: "Stopped because nobody was watching it any more." });
  });

  it("stops every run when the server shuts down", async () => {
    const other = await startTestServer(kafka);
    const learner = other.learner();
    const consumer = await learner.startRun("first-consumer", await exerciseFile("first-consumer", "solution"));
    const ended = learner.readRun(consumer.eventsUrl);
    await other.close();
    expect((await ended).exit.reason).toBe("server-shutdown");
    expect(await processesMentioning(consumer.id)).toBe(0);
  });
});

describe("GET /api/health", () => {
  it("says Kafka answers, with how many brokers, and how runs are contained", async () => {
    const { status, body } = await sandbox.learner().json<{ status: string; kafka: { reachable: boolean; brokers: number } }>("GET", "/api/health");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", kafka: { reachable: true, brokers: 1 }, runs: { isolation: "sandbox" } });
  });

  it("answers 503 with the reason when Kafka does not answer", async () => {
    const nowhere = await startTestServer({ bootstrap: ["127.0.0.1:39999"] });
    try {
      const { status, body } = await nowhere.learner().json<{ status: string; kafka: { reachable: boolean; error?: string } }>("GET", "/api/health");
      expect(status).toBe(503);
      expect(body.status).toBe("degraded");
      expect(body.kafka.error).toMatch(/ECONNREFUSED|Connection/);
    } finally {
      await nowhere.close();
    }
  });
});

describe("pages", () => {
  it("serves the built site, a 404 page for pages that do not exist, and JSON for unknown API routes", async () => {
    const learner = sandbox.learner();
    const home = await learner.request("GET", "/");
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Your first producer and consumer");
    const missing = await learner.request("GET", "/lessons/no-such-lesson/");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("Page not found");
    const api = await learner.request("GET", "/api/no-such-route");
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: { code: "not_found", message: "No route GET /api/no-such-route." } });
  });
});
