// One table of behaviours, two implementations: the embedded SQLite store and the PostgreSQL store the
// servers of a school share must keep learners' verdicts and runs alike. PostgreSQL is a real server,
// started from the machine's own packages for this file (TRIBUTARY_TEST_POSTGRES_PORT, 23432).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import type { Verdict } from "../../sandbox-server/src/grading/index.ts";
import {
  PostgresProgressStore,
  ProgressNotRead,
  ProgressNotSaved,
  SqliteProgressStore,
  openProgressStore,
  type ProgressStore,
} from "../../sandbox-server/src/progress/index.ts";
import type { RunRecord } from "../../sandbox-server/src/runs/run-record.ts";
import { startPostgres, type PostgresCluster } from "../support/postgres-cluster.ts";

const POSTGRES_PORT = Number(process.env.TRIBUTARY_TEST_POSTGRES_PORT ?? 23432);

let postgres: PostgresCluster;
let folder: string;
let databases = 0;

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), "tributary-progress-"));
  postgres = await startPostgres(POSTGRES_PORT);
}, 120_000);

afterAll(async () => {
  await postgres?.remove();
  await rm(folder, { recursive: true, force: true });
});

/** A fresh, empty store, and a way to open the same data again (as a restarted server would). */
interface FreshStore {
  store: ProgressStore;
  reopen(): Promise<ProgressStore>;
}

const implementations: { name: string; fresh(): Promise<FreshStore> }[] = [
  {
    name: "SQLite",
    fresh: async () => {
      const file = path.join(folder, `store-${++databases}`, "progress.sqlite");
      return { store: new SqliteProgressStore(file), reopen: async () => new SqliteProgressStore(file) };
    },
  },
  {
    name: "PostgreSQL",
    fresh: async () => {
      const url = await postgres.createDatabase(`progress_${++databases}`);
      const open = () => openProgressStore({ databasePath: "", postgres: { url, poolSize: 4 } });
      return { store: await open(), reopen: open };
    },
  },
];

const verdict = (status: Verdict["status"], gradedAt: string, exerciseId = "first-producer"): Verdict => ({
  version: 2,
  exerciseId,
  status,
  message: status === "pass" ? "Passed." : "Not yet.",
  checks: [{ title: "Topic `messages` exists", status: status === "pass" ? "pass" : "fail", message: "…" }],
  gradedAt,
});

const runRecord = (id: string, startedAt: string, more: Partial<RunRecord> = {}): RunRecord => ({
  id,
  exerciseId: "first-producer",
  language: "typescript",
  startedAt,
  launched: true,
  freshSlate: false,
  marks: { messages: { topicId: "vV3aPQ4bR8m2sX9k0LwY1g", offsets: { 0: 4, 1: 0 } } },
  ...more,
});

describe.each(implementations)("the $name progress store", ({ fresh }) => {
  it("keeps a verdict across a reopen, as after a restart", async () => {
    const { store, reopen } = await fresh();
    await store.recordVerdict("learner-a", verdict("pass", "2026-01-01T10:00:00.000Z"));
    await store.close();
    const reopened = await reopen();
    expect(await reopened.verdictsOf("learner-a")).toEqual([
      {
        exerciseId: "first-producer",
        status: "pass",
        message: "Passed.",
        checks: [{ title: "Topic `messages` exists", status: "pass", message: "…" }],
        gradedAt: "2026-01-01T10:00:00.000Z",
        firstPassedAt: "2026-01-01T10:00:00.000Z",
      },
    ]);
    await reopened.close();
  });

  it("keeps the latest verdict but remembers when the learner first passed", async () => {
    const { store } = await fresh();
    await store.recordVerdict("learner-a", verdict("fail", "2026-01-01T09:00:00.000Z"));
    await store.recordVerdict("learner-a", verdict("pass", "2026-01-01T10:00:00.000Z"));
    await store.recordVerdict("learner-a", verdict("fail", "2026-01-01T11:00:00.000Z"));
    await store.recordVerdict("learner-a", verdict("pass", "2026-01-01T12:00:00.000Z"));
    const [stored] = await store.verdictsOf("learner-a");
    expect(stored).toMatchObject({ status: "pass", gradedAt: "2026-01-01T12:00:00.000Z", firstPassedAt: "2026-01-01T10:00:00.000Z" });
    await store.close();
  });

  it("lists a learner's verdicts by exercise id, and keeps each learner's apart", async () => {
    const { store } = await fresh();
    for (const id of ["why-kafka", "first-producer", "first-consumer", "durable-topic"]) {
      await store.recordVerdict("learner-a", verdict("pass", "2026-01-01T10:00:00.000Z", id));
    }
    await store.recordVerdict("learner-b", verdict("fail", "2026-01-01T10:00:00.000Z"));
    expect((await store.verdictsOf("learner-a")).map((v) => v.exerciseId)).toEqual([
      "durable-topic",
      "first-consumer",
      "first-producer",
      "why-kafka",
    ]);
    expect(await store.verdictsOf("learner-b")).toEqual([expect.objectContaining({ status: "fail", firstPassedAt: null })]);
    expect(await store.verdictsOf("learner-c")).toEqual([]);
    await store.close();
  });

  it("refuses to store an ungraded (error) verdict", async () => {
    const { store } = await fresh();
    await expect(store.recordVerdict("learner-a", verdict("error", "2026-01-01T10:00:00.000Z"))).rejects.toThrow(/not stored/);
    expect(await store.verdictsOf("learner-a")).toEqual([]);
    await store.close();
  });

  it("keeps the latest attempt and the latest run that launched, each exactly as recorded", async () => {
    const { store } = await fresh();
    const ran = runRecord("run-1", "2026-01-01T10:00:00.000Z", { endedAt: "2026-01-01T10:00:03.000Z", outcome: "exited", exitCode: 0 });
    const failedToCompile = runRecord("run-2", "2026-01-01T10:01:00.000Z", { launched: false, marks: {}, exitCode: null });
    await store.recordRun("learner-a", ran);
    await store.recordRun("learner-a", failedToCompile);
    expect(await store.runsOf("learner-a", "first-producer")).toEqual({ attempted: failedToCompile, ran });
    expect(await store.runsOf("learner-a", "first-consumer")).toEqual({});
    expect(await store.runsOf("learner-b", "first-producer")).toEqual({});
    await store.close();
  });

  it("never lets an older run's record replace a newer one's, but lets a run's end replace its start", async () => {
    const { store } = await fresh();
    const older = runRecord("run-old", "2026-01-01T10:00:00.000Z");
    const newer = runRecord("run-new", "2026-01-01T10:00:05.000Z");
    await store.recordRun("learner-a", older);
    await store.recordRun("learner-a", newer);
    // The older run (a second tab's) ends after the newer one started.
    await store.recordRun("learner-a", { ...older, endedAt: "2026-01-01T10:00:09.000Z", outcome: "exited", exitCode: 0 });
    expect(await store.runsOf("learner-a", "first-producer")).toEqual({ attempted: newer, ran: newer });
    const ended = { ...newer, endedAt: "2026-01-01T10:00:10.000Z", outcome: "exited" as const, exitCode: 0 };
    await store.recordRun("learner-a", ended);
    expect(await store.runsOf("learner-a", "first-producer")).toEqual({ attempted: ended, ran: ended });
    await store.close();
  });

  it("keeps the newest of many runs recorded at once, in any order", async () => {
    const { store } = await fresh();
    const runs = Array.from({ length: 30 }, (_, i) => runRecord(`run-${i}`, new Date(Date.UTC(2026, 0, 1, 10, 0, i)).toISOString()));
    const shuffled = [...runs].sort(() => Math.random() - 0.5);
    await Promise.all(shuffled.map((run) => store.recordRun("learner-a", run)));
    expect(await store.runsOf("learner-a", "first-producer")).toEqual({ attempted: runs.at(-1), ran: runs.at(-1) });
    await store.close();
  });

  it("forgets one exercise's runs of one learner when it is started over, and nothing else", async () => {
    const { store } = await fresh();
    await store.recordRun("learner-a", runRecord("run-1", "2026-01-01T10:00:00.000Z"));
    await store.recordRun("learner-a", runRecord("run-2", "2026-01-01T10:00:00.000Z", { exerciseId: "first-consumer" }));
    await store.recordRun("learner-b", runRecord("run-3", "2026-01-01T10:00:00.000Z"));
    await store.recordVerdict("learner-a", verdict("pass", "2026-01-01T10:00:01.000Z"));
    await store.forgetRuns("learner-a", "first-producer");
    expect(await store.runsOf("learner-a", "first-producer")).toEqual({});
    expect(await store.runsOf("learner-a", "first-consumer")).toMatchObject({ attempted: { id: "run-2" } });
    expect(await store.runsOf("learner-b", "first-producer")).toMatchObject({ attempted: { id: "run-3" } });
    expect(await store.verdictsOf("learner-a")).toHaveLength(1);
    await store.close();
  });

  it("keeps when a Kafka principal was last used, a late note of an earlier use never moving it back", async () => {
    const { store, reopen } = await fresh();
    expect(await store.lastPrincipalUse("l0123")).toBeUndefined();
    await store.notePrincipalUse("l0123", new Date("2026-01-01T10:00:05.000Z"));
    await store.notePrincipalUse("l0123", new Date("2026-01-01T10:00:01.000Z"));
    await store.notePrincipalUse("l4567", new Date("2026-01-01T09:00:00.000Z"));
    await store.close();
    const reopened = await reopen();
    expect(await reopened.lastPrincipalUse("l0123")).toEqual(new Date("2026-01-01T10:00:05.000Z"));
    expect(await reopened.lastPrincipalUse("l4567")).toEqual(new Date("2026-01-01T09:00:00.000Z"));
    await reopened.close();
  });

  it("says it is healthy when it can write and read", async () => {
    const { store } = await fresh();
    const health = await store.health();
    expect(health).toMatchObject({ ok: true, store: expect.stringMatching(/^(sqlite|postgres)$/) });
    expect(health.error).toBeUndefined();
    await store.close();
  });
});

describe("PostgreSQL's migrations", () => {
  it("run once when several servers start on a new database at the same moment", async () => {
    const url = await postgres.createDatabase("migrations_at_once");
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresProgressStore.open({ url, poolSize: 2 })));
    const client = new (await import("pg")).default.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query("SELECT version, name FROM tributary_schema_versions ORDER BY version");
    expect(rows).toEqual([{ version: 1, name: "verdicts, runs, principals' use and the health probe" }]);
    // Each server sees what another wrote.
    await stores[0]!.recordVerdict("learner-a", verdict("pass", "2026-01-01T10:00:00.000Z"));
    expect(await stores[3]!.verdictsOf("learner-a")).toHaveLength(1);
    // A database a newer Tributary migrated is refused, naming the setting.
    await client.query("INSERT INTO tributary_schema_versions (version, name) VALUES (99, 'from the future')");
    await client.end();
    await expect(PostgresProgressStore.open({ url, poolSize: 2 })).rejects.toThrow(
      /^TRIBUTARY_DATABASE_URL: cannot keep progress in PostgreSQL at 127\.0\.0\.1:\d+\/migrations_at_once \(the database has schema version 99, newer than this server's 1/,
    );
    await Promise.all(stores.map((store) => store.close()));
  });

  it("refuses a wrong password or a database that does not answer in one line naming the setting, never the password", async () => {
    const url = await postgres.createDatabase("refusals");
    const wrong = url.replace(/:[^:@]+@/, ":not-the-password@");
    const refusal = await PostgresProgressStore.open({ url: wrong, poolSize: 1 }).catch((error: Error) => error);
    expect((refusal as Error).message).toMatch(
      /^TRIBUTARY_DATABASE_URL: cannot keep progress in PostgreSQL at 127\.0\.0\.1:\d+\/refusals \(.*password authentication failed/,
    );
    expect((refusal as Error).message).not.toContain("not-the-password");
    // Nobody listens one port below the cluster's.
    const nobody = url.replace(`:${POSTGRES_PORT}/`, `:${POSTGRES_PORT - 1}/`);
    const started = Date.now();
    await expect(PostgresProgressStore.open({ url: nobody, poolSize: 1 })).rejects.toThrow(
      `TRIBUTARY_DATABASE_URL: cannot keep progress in PostgreSQL at 127.0.0.1:${POSTGRES_PORT - 1}/refusals (connect ECONNREFUSED 127.0.0.1:${POSTGRES_PORT - 1}). Start the database, or correct TRIBUTARY_DATABASE_URL`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("checks TRIBUTARY_DATABASE_URL with the other settings, without printing its password", () => {
    const config = loadConfig({ TRIBUTARY_DATABASE_URL: "postgres://tributary:secret@db.example:5432/tributary" });
    expect(config.progress.postgres).toEqual({ url: "postgres://tributary:secret@db.example:5432/tributary", poolSize: 10 });
    expect(loadConfig({}).progress.postgres).toBeUndefined();
    expect(() => loadConfig({ TRIBUTARY_DATABASE_URL: "mysql://tributary:secret@db.example/tributary" })).toThrow(
      'TRIBUTARY_DATABASE_URL must be a PostgreSQL URL naming a database, such as postgres://tributary:…@db.example:5432/tributary, got "mysql://tributary:…@db.example/tributary".',
    );
    expect(() => loadConfig({ TRIBUTARY_DATABASE_URL: "postgres://db.example:5432/" })).toThrow("TRIBUTARY_DATABASE_URL must be a PostgreSQL URL");
    expect(() => loadConfig({ TRIBUTARY_DATABASE_URL: "postgres://db/x", TRIBUTARY_DATABASE_POOL: "0" })).toThrow(
      'TRIBUTARY_DATABASE_POOL must be a whole number from 1 to 1000, got "0".',
    );
  });
});

describe("a PostgreSQL that stops answering", () => {
  it("names the fault to learner and host, says so in health, and serves again once it is back", { timeout: 60_000 }, async () => {
    const url = await postgres.createDatabase("outage");
    const store = await PostgresProgressStore.open({ url, poolSize: 2 });
    await store.recordVerdict("learner-a", verdict("pass", "2026-01-01T10:00:00.000Z"));
    await postgres.stop();
    try {
      const health = await store.health();
      expect(health).toMatchObject({ ok: false, store: "postgres" });
      expect(health.error).toMatch(/^PostgreSQL at 127\.0\.0\.1:\d+\/outage cannot be written: /);
      const notSaved = await store.recordVerdict("learner-a", verdict("fail", "2026-01-01T11:00:00.000Z")).catch((error: unknown) => error);
      expect(notSaved).toBeInstanceOf(ProgressNotSaved);
      expect((notSaved as ProgressNotSaved).code).toBe("progress_not_saved");
      expect((notSaved as ProgressNotSaved).learnerMessage).toMatch(/^Your result could not be saved/);
      expect((notSaved as Error).message).toMatch(/^progress store \(PostgreSQL at 127\.0\.0\.1:\d+\/outage\) could not save a verdict: /);
      const notRead = await store.verdictsOf("learner-a").catch((error: unknown) => error);
      expect(notRead).toBeInstanceOf(ProgressNotRead);
      expect((notRead as ProgressNotRead).code).toBe("progress_not_read");
    } finally {
      await postgres.start();
    }
    expect(await store.health()).toMatchObject({ ok: true });
    expect(await store.verdictsOf("learner-a")).toEqual([expect.objectContaining({ status: "pass" })]);
    await store.close();
  });
});
