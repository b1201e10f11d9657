// The HTTP surface around the sandbox: a web page the learner visits must not drive the API
// (DNS rebinding, cross-site requests), and event streams must end and stay few, whatever a
// client sends. Each attack runs while another learner's producer runs and must succeed.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { LearnerClient } from "../support/sandbox-client.ts";
import { benignBeside } from "../support/hostile-learners.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
let sandbox: TestServer;
let bystander: LearnerClient;
const besideBenign = benignBeside(() => bystander);

beforeAll(async () => {
  sandbox = await startTestServer(kafka, { env: { TRIBUTARY_MAX_STREAMS_PER_LEARNER: "4" } });
  bystander = sandbox.learner();
});

afterAll(async () => {
  await sandbox?.close();
});

/** A raw request with a Host header of our choosing, which fetch does not allow. */
function withHost(
  host: string,
  method: string,
  route: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  const { port } = new URL(sandbox.server.url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port, method, path: route, headers: { ...headers, host } }, (response) => {
      let text = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.once("error", reject);
    request.end(body);
  });
}

/** Reads an event stream to its end, failing if it stays open longer than `ms`. */
async function wholeStream(response: Response, ms = 10_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the event stream was still open after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([response.text(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("where requests come from", () => {
  it("refuses a Host that is not one of the server's names (DNS rebinding)", async () => {
    const learner = sandbox.learner();
    await learner.namespace();
    const { port } = new URL(sandbox.server.url);
    const body = JSON.stringify({ exerciseId: "first-producer", files: { "main.ts": 'console.log("rebound")' } });
    const headers = { cookie: learner.cookie, "content-type": "application/json" };
    const rebound = await besideBenign(withHost(`rebind.evil.example:${port}`, "POST", "/api/runs", headers, body));
    expect(rebound.status).toBe(421);
    expect(rebound.body).toContain("TRIBUTARY_ALLOWED_HOSTS");
    expect((await withHost(`rebind.evil.example:${port}`, "GET", "/api/progress", { cookie: learner.cookie })).status).toBe(421);
    expect((await withHost(`localhost:${port}`, "POST", "/api/runs", headers, body)).status).toBe(201);
  });

  it("refuses requests that change state from another site, and takes them from the course's own pages", async () => {
    const learner = sandbox.learner();
    await learner.namespace();
    const body = { exerciseId: "first-producer", files: { "main.ts": 'console.log("from where?")' } };
    const [evil, sandboxed, crossSite] = await besideBenign(
      Promise.all([
        learner.request("POST", "/api/runs", body, { origin: "http://evil.example" }),
        learner.request("POST", "/api/exercises/first-producer/grade", undefined, { origin: "null" }),
        learner.request("POST", "/api/runs", body, { "sec-fetch-site": "cross-site" }),
      ]),
    );
    for (const response of [evil, sandboxed, crossSite]) expect(response.status).toBe(403);
    expect(((await evil.json()) as { error: { message: string } }).error.message).toContain("course's own pages");
    const own = await learner.request("POST", "/api/runs", body, { origin: sandbox.server.url, "sec-fetch-site": "same-origin" });
    expect(own.status).toBe(201);
  });
});

describe("a finished run's event stream", () => {
  it("ends whatever Last-Event-ID says: past the end, its exit again; not an event id, a 400", async () => {
    const learner = sandbox.learner();
    const { eventsUrl } = await learner.startRun("first-producer", 'console.log("one"); console.log("two");');
    const { events } = await learner.readRun(eventsUrl);
    const exitSeq = events.length - 1;
    await besideBenign(
      (async () => {
        for (const lastSeen of [String(exitSeq), String(exitSeq + 1), "2", "999999999999999"]) {
          const response = await learner.request("GET", eventsUrl, undefined, { "last-event-id": lastSeen });
          expect(response.status).toBe(200);
          const text = await wholeStream(response);
          expect(text, lastSeen).toContain("event: exit");
        }
        for (const garbage of ["-2", "1e308", "1.5", "abc", "99999999999999999999"]) {
          const response = await learner.request("GET", eventsUrl, undefined, { "last-event-id": garbage });
          expect(response.status, garbage).toBe(400);
          expect(((await response.json()) as { error: { message: string } }).error.message).toContain("Last-Event-ID");
        }
      })(),
    );
  });

  it("replays what came after Last-Event-ID, then ends", async () => {
    const learner = sandbox.learner();
    const { eventsUrl } = await learner.startRun("first-producer", 'console.log("one"); console.log("two");');
    await learner.readRun(eventsUrl);
    const text = await wholeStream(await learner.request("GET", eventsUrl, undefined, { "last-event-id": "0" }));
    expect(text).not.toMatch(/^id: 0$/m);
    expect(text).toMatch(/^id: 1$/m);
    expect(text).toContain("event: exit");
  });
});

describe("event streams per learner", () => {
  it("are capped, and a closed one frees its place", async () => {
    const hoarder = sandbox.learner();
    const { id, eventsUrl } = await hoarder.startRun("first-producer", "await new Promise((r) => setTimeout(r, 30_000));");
    const open = await besideBenign(
      (async () => {
        const controllers = Array.from({ length: 4 }, () => new AbortController());
        const responses = await Promise.all(
          controllers.map((c) => fetch(sandbox.server.url + eventsUrl, { headers: { cookie: hoarder.cookie }, signal: c.signal })),
        );
        expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
        const fifth = await hoarder.request("GET", eventsUrl);
        expect(fifth.status).toBe(429);
        expect(((await fifth.json()) as { error: { message: string } }).error.message).toContain("event streams open");
        controllers[0]!.abort();
        return controllers;
      })(),
    );
    // The server notices the closed stream; then a new one fits.
    let status = 0;
    for (let tries = 0; tries < 20 && status !== 200; tries++) {
      await new Promise((r) => setTimeout(r, 100));
      const again = await fetch(sandbox.server.url + eventsUrl, { headers: { cookie: hoarder.cookie }, signal: AbortSignal.timeout(2000) }).catch(
        () => undefined,
      );
      status = again?.status ?? 0;
      if (again?.status === 200) void again.body?.cancel();
    }
    expect(status).toBe(200);
    for (const c of open) c.abort();
    await hoarder.request("DELETE", `/api/runs/${id}`);
  });
});

describe("a program that crashed the compiler before", () => {
  it("fails its own run with a clear message; everyone's next runs compile, and /api/health says the compiler is fine", async () => {
    const attacker = sandbox.learner();
    const { exit, stderr } = await besideBenign(attacker.run("first-producer", `${"!".repeat(180_000)}1`));
    expect(exit).toMatchObject({ reason: "compile-error" });
    expect(stderr).toContain("more than 200 operators in a row");
    const after = await sandbox.learner().run("first-producer", 'console.log("compiled")');
    expect(after.stdout).toBe("compiled\n");
    const health = await attacker.json<{ status: string; compiler: { ok: boolean } }>("GET", "/api/health");
    expect(health.body).toMatchObject({ status: "ok", compiler: { ok: true } });
  });
});
