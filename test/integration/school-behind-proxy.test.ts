// A school on this machine: PostgreSQL from Debian's packages, two Tributary servers on the test broker
// and that one database with one shared secret, and nginx in front running deploy/nginx.conf. Learners
// work through the proxy; then one server is killed (SIGKILL) while they work: its programs end, nothing
// it acknowledged is lost, and its learners carry on on the other server with their progress.
// Ports: TRIBUTARY_TEST_SCHOOL_PORT (23440) for PostgreSQL, the proxy on the next, the servers on the two after.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { EventSourceParserStream } from "eventsource-parser/stream";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig, projectRoot } from "../../sandbox-server/src/config.ts";
import { ensureFlinkRunner } from "../../sandbox-server/src/runs/index.ts";
import { readWholeTopic } from "../support/broker-state.ts";
import { startNginx, type NginxProxy } from "../support/nginx-proxy.ts";
import { startPostgres, type PostgresCluster } from "../support/postgres-cluster.ts";
import { processesMentioning } from "../support/processes.ts";
import { grade } from "../support/run-and-grade.ts";
import { LearnerClient, exerciseFile } from "../support/sandbox-client.ts";
import { brokerEnv } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
const BASE_PORT = Number(process.env.TRIBUTARY_TEST_SCHOOL_PORT ?? 23440);
const SERVER_PORTS = [BASE_PORT + 2, BASE_PORT + 3];

interface SchoolServer {
  port: number;
  stateDir: string;
  process: ChildProcess;
  output: string;
}

let root: string;
let postgres: PostgresCluster;
let proxy: NginxProxy;
let servers: SchoolServer[] = [];
/** Every server process spawned, so each is stopped even when the school failed to start. */
const spawned: ChildProcess[] = [];
/** Learners by the server the proxy keeps them on (index into `servers`). */
const learnersOn: LearnerClient[][] = [[], []];

/** Starts `npm run server`'s program on `port`, sharing the database and the secret; resolves once it listens. */
function startServer(port: number, databaseUrl: string, secretFile: string, stateDir: string): Promise<SchoolServer> {
  const child = spawn("bash", [path.join(projectRoot, "scripts/node.sh"), path.join(projectRoot, "sandbox-server/src/main.ts")], {
    cwd: projectRoot,
    env: {
      ...process.env,
      ...brokerEnv(kafka),
      TRIBUTARY_STATE_DIR: stateDir,
      TRIBUTARY_PORT: String(port),
      TRIBUTARY_DATABASE_URL: databaseUrl,
      TRIBUTARY_SECRET_FILE: secretFile,
      TRIBUTARY_NEW_LEARNERS_PER_HOUR: "100000",
      TRIBUTARY_WARM_SANDBOXES: "1",
      TRIBUTARY_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  spawned.push(child);
  const server: SchoolServer = { port, stateDir, process: child, output: "" };
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      server.output += chunk.toString();
      if (server.output.includes("Sandbox server on")) resolve(server);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`The server on port ${port} exited (${code}) before listening:\n${server.output}`)));
  });
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "tributary-school-"));
  postgres = await startPostgres(BASE_PORT);
  const databaseUrl = await postgres.createDatabase("school");
  const secretFile = path.join(root, "server-secret");
  await writeFile(secretFile, randomBytes(32), { mode: 0o600 });
  // Flink's jars are fetched once, before two servers look for them at the same moment.
  const { flink } = loadConfig();
  await ensureFlinkRunner(flink.pomPath, flink.homeDir, () => {});
  // Both servers start at once on the new database: its migrations run once, under their lock.
  servers = await Promise.all(SERVER_PORTS.map((port, i) => startServer(port, databaseUrl, secretFile, path.join(root, `server-${i}`))));
  proxy = await startNginx(
    BASE_PORT + 1,
    SERVER_PORTS.map((port) => `127.0.0.1:${port}`),
  );
}, 300_000);

afterAll(async () => {
  await Promise.all(
    spawned.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      // A server that does not stop within its grace is killed: the test leaves no process behind.
      const late = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(late);
    }),
  );
  await proxy?.stop();
  await postgres?.remove();
  await rm(root, { recursive: true, force: true });
});

/** Which server holds a run: only that one serves its events (asked directly, past the proxy; a dead one holds none). */
async function serverOfRun(learner: LearnerClient, runId: string): Promise<number> {
  const holders: number[] = [];
  for (const [index, { port }] of servers.entries()) {
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/api/runs/${runId}/events`, {
      headers: { cookie: learner.cookie },
      signal: controller.signal,
    }).catch(() => undefined);
    controller.abort();
    if (response?.status === 200) holders.push(index);
  }
  expect(holders).toHaveLength(1);
  return holders[0]!;
}

interface WatchedRun {
  stdout: string;
  /** When each stdout event arrived, in ms since the watch began. */
  arrivals: { at: number; data: string }[];
  /** "exit" with its code, or "cut" when the stream broke off without an exit event. */
  ended: Promise<{ how: "exit"; code: number | null } | { how: "cut" }>;
}

/** Reads a run's events through the proxy as a browser's EventSource does, noting when each arrives. */
function watchRun(learner: LearnerClient, eventsUrl: string): WatchedRun {
  const started = Date.now();
  const watched: WatchedRun = { stdout: "", arrivals: [], ended: Promise.resolve({ how: "cut" }) };
  watched.ended = (async () => {
    try {
      const response = await fetch(learner.baseUrl + eventsUrl, { headers: { cookie: learner.cookie } });
      if (!response.ok || !response.body) return { how: "cut" as const };
      const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
      for await (const message of events) {
        const data = JSON.parse(message.data);
        if (message.event === "stdout") {
          watched.stdout += data.data;
          watched.arrivals.push({ at: Date.now() - started, data: data.data });
        }
        if (message.event === "exit") return { how: "exit" as const, code: data.code as number | null };
      }
      return { how: "cut" as const };
    } catch {
      return { how: "cut" as const };
    }
  })();
  return watched;
}

const until = async (condition: () => boolean, withinMs: number, what: string) => {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Waited ${withinMs} ms for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** Every process started under `pid`, as the host sees them. */
async function descendantsOf(pid: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (parent) children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

/** Whether a process still runs (a zombie waiting to be reaped has ended). */
async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return stat !== "" && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}

const HEARTBEATS = `import { Kafka, logLevel } from "kafkajs";
import { connection, topic } from "tributary";

// Sends a numbered record every 200 ms and says so once Kafka acknowledged it (acks from every in-sync replica).
const kafka = new Kafka({ clientId: "heartbeats", ...connection, logLevel: logLevel.WARN });
const admin = kafka.admin();
await admin.connect();
if (!(await admin.listTopics()).includes(topic("heartbeats"))) {
  await admin.createTopics({ topics: [{ topic: topic("heartbeats"), numPartitions: 1 }], waitForLeaders: true });
}
await admin.disconnect();
const producer = kafka.producer();
await producer.connect();
for (let n = 1; ; n++) {
  await producer.send({ topic: topic("heartbeats"), acks: -1, messages: [{ key: "beat", value: String(n) }] });
  console.log(\`acked \${n}\`);
  await new Promise((resolve) => setTimeout(resolve, 200));
}
`;

const TICKS = `for (let i = 1; i <= 16; i++) {
  console.log(\`tick \${i}\`);
  await new Promise((resolve) => setTimeout(resolve, 500));
}
`;

describe("a school of two servers behind nginx", () => {
  it("serves learners on both servers through the proxy: runs, their events, Checks and progress", { timeout: 240_000 }, async () => {
    const solution = await exerciseFile("first-producer", "solution");
    // Learners arrive in fours until each server holds two: the proxy places them by their cookie.
    for (let round = 0; learnersOn.some((placed) => placed.length < 2); round++) {
      expect(round, "the proxy sent every learner to one server").toBeLessThan(8);
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          const learner = new LearnerClient(proxy.url);
          const { id, eventsUrl } = await learner.startRun("first-producer", solution);
          const output = await learner.readRun(eventsUrl);
          expect(output.exit.code, output.stdout + output.stderr).toBe(0);
          expect((await grade(learner, "first-producer")).status).toBe("pass");
          const progress = await learner.json<{ verdicts: { exerciseId: string; status: string }[] }>("GET", "/api/progress");
          expect(progress.body.verdicts).toEqual([expect.objectContaining({ exerciseId: "first-producer", status: "pass" })]);
          learnersOn[await serverOfRun(learner, id)]!.push(learner);
        }),
      );
    }
    // A learner's cookie is good on every server: the same learner and namespace, and no new id issued.
    const learner = learnersOn[0]![0]!;
    const namespaces = await Promise.all(
      servers.map(async ({ port }) => {
        const response = await fetch(`http://127.0.0.1:${port}/api/learner`, { headers: { cookie: learner.cookie } });
        expect(response.headers.get("set-cookie")).toBeNull();
        return ((await response.json()) as { namespace: string }).namespace;
      }),
    );
    expect(namespaces[0]).toBe(namespaces[1]);
    expect(namespaces[0]).toBe(await learner.namespace());
  });

  it("passes a run's events on as they come, not when the run ends", async () => {
    const learner = new LearnerClient(proxy.url);
    const program = `console.log("first");\nawait new Promise((resolve) => setTimeout(resolve, 3000));\nconsole.log("second");\n`;
    const { eventsUrl } = await learner.startRun("first-consumer", program);
    const watched = watchRun(learner, eventsUrl);
    expect(await watched.ended).toEqual({ how: "exit", code: 0 });
    const [first, second] = watched.arrivals;
    expect([first?.data, second?.data]).toEqual(["first\n", "second\n"]);
    expect(second!.at - first!.at).toBeGreaterThan(2500);
  });

  it("loses one server: its programs end, nothing acknowledged is lost, and its learners carry on on the other", { timeout: 240_000 }, async () => {
    const [killed, survivor] = servers as [SchoolServer, SchoolServer];
    const [producer, checker, walker] = [learnersOn[0]![0]!, learnersOn[0]![1]!, learnersOn[1]![0]!];
    const solution = await exerciseFile("first-producer", "solution");

    // On the doomed server: a run that is not checked yet, and a producer that keeps sending.
    const unchecked = await producer.run("first-producer", solution);
    expect(unchecked.exit.code).toBe(0);
    const beating = await producer.startRun("first-consumer", HEARTBEATS);
    expect(await serverOfRun(producer, beating.id)).toBe(0);
    const heartbeats = watchRun(producer, beating.eventsUrl);
    await until(() => (heartbeats.stdout.match(/acked/g) ?? []).length >= 5, 60_000, "five acknowledged heartbeats");
    // On the other server: a program that must not notice.
    const ticking = await walker.startRun("first-consumer", TICKS);
    const ticks = watchRun(walker, ticking.eventsUrl);
    // A learner pressing Check over and over.
    let checking = true;
    let lastAcknowledged = "";
    let killedAt = Number.POSITIVE_INFINITY;
    let firstCheckAfterKill = Number.POSITIVE_INFINITY;
    const checks = (async () => {
      while (checking) {
        const sentAt = Date.now();
        const response = await checker.json<{ gradedAt: string }>("POST", "/api/exercises/first-producer/grade").catch(() => undefined);
        if (response?.status !== 200) continue;
        lastAcknowledged = response.body.gradedAt;
        if (sentAt > killedAt) firstCheckAfterKill = Math.min(firstCheckAfterKill, Date.now());
      }
    })();
    await until(() => lastAcknowledged !== "", 30_000, "an acknowledged Check");

    const doomed = [...(await descendantsOf(killed.process.pid!)), killed.process.pid!];
    // Every process of a run names its folder, which holds the run's id.
    expect(await processesMentioning(beating.id)).toBeGreaterThan(0);
    killed.process.kill("SIGKILL");
    killedAt = Date.now();

    // Its programs end with it, and the producer's stream through the proxy breaks off.
    expect(await heartbeats.ended).toEqual({ how: "cut" });
    // The page's EventSource asks again with the last id it saw; the proxy sends it to the survivor, which never
    // had the run and answers 404, so the EventSource closes and the page says it lost the run.
    const resumed = await fetch(proxy.url + beating.eventsUrl, { headers: { cookie: producer.cookie, "last-event-id": "3" } });
    expect(resumed.status).toBe(404);
    expect(((await resumed.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const ending = Date.now() + 10_000;
    for (let left = doomed; left.length > 0; ) {
      left = (await Promise.all(left.map(async (pid) => ((await running(pid)) ? [pid] : [])))).flat();
      if (left.length > 0 && Date.now() > ending) throw new Error(`Processes of the killed server still run: ${left.join(", ")}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await processesMentioning(beating.id)).toBe(0);
    const allEndedAfter = Date.now() - killedAt;

    // Every heartbeat Kafka acknowledged is there.
    const acknowledged = [...heartbeats.stdout.matchAll(/acked (\d+)/g)].map((match) => match[1]);
    const namespace = await producer.namespace();
    const kept = new Set((await readWholeTopic(kafka, `${namespace}heartbeats`)).map((record) => record.value));
    expect(acknowledged.filter((n) => !kept.has(n!))).toEqual([]);

    // The other server's program did not notice.
    expect(await ticks.ended).toEqual({ how: "exit", code: 0 });
    expect(ticks.arrivals).toHaveLength(16);

    // Checks go on through the proxy, now on the survivor; the last one the killed server acknowledged is kept.
    await until(() => firstCheckAfterKill < Number.POSITIVE_INFINITY, 30_000, "a Check answered after the kill");
    checking = false;
    await checks;
    console.log(
      `[school] after the kill: the killed server's processes were gone within ${allEndedAfter} ms; ` +
        `the first Check sent after it was answered by the survivor ${firstCheckAfterKill - killedAt} ms after the kill`,
    );
    const checkerProgress = await checker.json<{ verdicts: { exerciseId: string; gradedAt: string }[] }>("GET", "/api/progress");
    expect(checkerProgress.status).toBe(200);
    expect(Date.parse(checkerProgress.body.verdicts[0]!.gradedAt)).toBeGreaterThanOrEqual(Date.parse(lastAcknowledged));

    // The producer carries on: their progress is there, the run the killed server started is judged by the
    // survivor (its record is in the shared database), and a new run and its Check pass there.
    const progress = await producer.json<{ verdicts: { exerciseId: string; status: string }[] }>("GET", "/api/progress");
    expect(progress.body.verdicts).toEqual([expect.objectContaining({ exerciseId: "first-producer", status: "pass" })]);
    const judged = await grade(producer, "first-producer");
    expect(judged.status, JSON.stringify(judged)).toBe("pass");
    const { id, eventsUrl } = await producer.startRun("first-producer", solution);
    expect(await serverOfRun(producer, id)).toBe(1);
    const again = await producer.readRun(eventsUrl);
    expect(again.exit.code, again.stdout + again.stderr).toBe(0);
    expect((await grade(producer, "first-producer")).status).toBe("pass");

    // A learner new to the school is served too.
    const newcomer = new LearnerClient(proxy.url);
    expect((await newcomer.run("first-producer", solution)).exit.code).toBe(0);
    expect((await grade(newcomer, "first-producer")).status).toBe("pass");
    expect(survivor.process.exitCode).toBeNull();
  });
});
