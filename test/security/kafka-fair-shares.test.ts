// A learner cannot pose as another, make up new learners to reset their caps, read or stop
// another's runs, or take the server's run slots from everyone else. Each attack goes through the
// public API while another learner's producer runs and must succeed.
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LearnerClient } from "../support/sandbox-client.ts";
import { benignBeside } from "../support/hostile-learners.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
let sandbox: TestServer;
let bystander: LearnerClient;
const besideBenign = benignBeside(() => bystander);
const SLEEP = (seconds: number) => `await new Promise((r) => setTimeout(r, ${seconds * 1000})); console.log("slept");`;

beforeAll(async () => {
  sandbox = await startTestServer(kafka, { env: { TRIBUTARY_MAX_RUNS_PER_LEARNER: "4" } });
  bystander = sandbox.learner();
});

afterAll(async () => {
  await sandbox?.close();
});

describe("learner ids", () => {
  it("are issued and signed by the server: a made-up, copied-and-altered or missing cookie starts nothing", async () => {
    const genuine = sandbox.learner();
    await genuine.namespace();
    const [id, signature] = genuine.cookie.split("=")[1]!.split(".") as [string, string];
    const forged = [
      "tributary_learner=5b0e3c0a-8f5e-4a53-9d35-6a9b2c1e7f10",
      `tributary_learner=${id}.${signature.slice(0, -2)}AA`,
      `tributary_learner=${"A".repeat(22)}.${signature}`,
    ];
    const body = { exerciseId: "first-producer", files: { "main.ts": 'console.log("forged")' } };
    const outcome = await besideBenign(
      (async () => {
        for (const cookie of forged) {
          const response = await new LearnerClient(sandbox.server.url).withCookie(cookie).request("POST", "/api/runs", body);
          expect(response.status, cookie).toBe(403);
          expect(((await response.json()) as { error: { message: string } }).error.message).toContain("learner cookie");
        }
        const anonymous = await new LearnerClient(sandbox.server.url).request("POST", "/api/runs", body, { cookie: "" });
        expect(anonymous.status).toBe(403);
        return genuine.run("first-producer", 'console.log("genuine")');
      })(),
    );
    expect(outcome.stdout).toBe("genuine\n");
  });

  it("give namespaces of 80 bits that nobody can aim at: derived with the server's key", async () => {
    const a = await sandbox.learner().namespace();
    const b = await sandbox.learner().namespace();
    expect(a).toMatch(/^l[0-9a-f]{20}-$/);
    expect(b).not.toBe(a);
  });

  it("do not let anonymous grading grow the progress database", async () => {
    const database = new DatabaseSync(sandbox.config.progress.databasePath);
    const rows = () => (database.prepare("SELECT count(*) AS n FROM checkpoint_verdicts").get() as { n: number }).n;
    const before = rows();
    for (let i = 0; i < 20; i++) {
      const response = await new LearnerClient(sandbox.server.url).request("POST", "/api/exercises/first-producer/grade", undefined, { cookie: "" });
      expect(response.status).toBe(403);
    }
    expect(rows()).toBe(before);
    database.close();
  });
});

describe("a run's events and Stop", () => {
  it("belong to the run's learner only", async () => {
    const owner = sandbox.learner();
    const intruder = sandbox.learner();
    await intruder.namespace();
    const { id, eventsUrl } = await owner.startRun("first-producer", `console.log("private output"); ${SLEEP(2)}`);
    await besideBenign(
      (async () => {
        expect((await intruder.request("GET", eventsUrl)).status).toBe(404);
        expect((await intruder.request("DELETE", `/api/runs/${id}`)).status).toBe(404);
        return owner.readRun(eventsUrl);
      })(),
    );
    const { exit, stdout } = await owner.readRun(eventsUrl);
    expect(exit).toMatchObject({ reason: "exited", code: 0 });
    expect(stdout).toBe("private output\nslept\n");
  });
});

describe("the per-learner cap", () => {
  it("holds when twenty runs are asked for at the same moment", async () => {
    const greedy = sandbox.learner();
    await greedy.namespace();
    const counts = await besideBenign(
      (async () => {
        const responses = await Promise.all(
          Array.from({ length: 20 }, () => greedy.request("POST", "/api/runs", { exerciseId: "first-producer", files: { "main.ts": SLEEP(3) } })),
        );
        const started = await Promise.all(responses.filter((r) => r.status === 201).map((r) => r.json() as Promise<{ id: string }>));
        for (const { id } of started) await greedy.request("DELETE", `/api/runs/${id}`);
        return responses.map((r) => r.status);
      })(),
    );
    expect(counts.filter((s) => s === 201)).toHaveLength(4);
    expect(counts.filter((s) => s === 429)).toHaveLength(16);
  });
});

describe("new learners from one address", () => {
  it("are rate limited, while learners who keep their cookie carry on", async () => {
    const limited = await startTestServer(kafka, { env: { TRIBUTARY_NEW_LEARNERS_PER_HOUR: "3" } });
    try {
      const known = limited.learner();
      await known.namespace();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.learner().request("GET", "/api/learner")).status);
      expect(statuses).toEqual([200, 200, 429, 429, 429]);
      const refused = await limited.learner().json<{ error: { message: string } }>("GET", "/api/progress");
      expect(refused.body.error.message).toContain("Too many new learners came from your address");
      const { exit, stdout } = await known.run("first-producer", 'console.log("still here")');
      expect(exit).toMatchObject({ reason: "exited", code: 0 });
      expect(stdout).toBe("still here\n");
    } finally {
      await limited.close();
    }
  });
});

describe("the server's run slots", () => {
  it("go to the waiting learner who runs the fewest programs, so one learner cannot keep the others waiting", async () => {
    const small = await startTestServer(kafka, { env: { TRIBUTARY_MAX_RUNS: "2", TRIBUTARY_MAX_RUNS_PER_LEARNER: "4" } });
    try {
      const flooder = small.learner();
      const patient = small.learner();
      const floods = [];
      for (let i = 0; i < 4; i++) floods.push(await flooder.startRun("first-producer", SLEEP(i === 0 ? 1 : 20)));
      const waiting = await patient.startRun("first-producer", 'console.log("my turn came")');
      // The flooder's first run ends after a second; the free slot goes to the patient learner, not to the flooder's next.
      const started = Date.now();
      const { exit, stdout } = await patient.readRun(waiting.eventsUrl);
      expect(exit).toMatchObject({ reason: "exited", code: 0 });
      expect(stdout).toBe("my turn came\n");
      expect(Date.now() - started).toBeLessThan(15_000);
      for (const { id } of floods) await flooder.request("DELETE", `/api/runs/${id}`);
    } finally {
      await small.close();
    }
  });
});
