// The sandbox server is killed (SIGKILL) while learners are being graded: after a restart, every verdict it
// acknowledged is still there and the progress database is intact.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { LearnerClient } from "../support/sandbox-client.ts";
import { brokerEnv } from "../support/test-server.ts";
import { TEST_KAFKA_PORT } from "../support/test-kafka.ts";

const kafka = inject("kafkaAccess");
// A port of this file's own, below the kernel's ephemeral range like every server of the tests.
const SERVER_PORT = TEST_KAFKA_PORT + 2800;
const root = loadConfig().projectRoot;
let stateDir: string;
let server: ChildProcess | undefined;
let serverPort = 0;

/** Starts the real server process (npm run server) on `port`; resolves once it listens. */
function startServerProcess(port: number): Promise<ChildProcess> {
  const child = serverProcess({ TRIBUTARY_PORT: String(port) });
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /Sandbox server on http:\/\/[^:\s]+:(\d+)/.exec(output);
      if (listening) {
        serverPort = Number(listening[1]);
        resolve(child);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`The server exited (${code}) before listening:\n${output}`)));
  });
}

/** The server's process (or `script`'s), with the test broker and this file's state folder unless `env` says otherwise. */
function serverProcess(env: NodeJS.ProcessEnv, script = "sandbox-server/src/main.ts"): ChildProcess {
  return spawn("bash", [path.join(root, "scripts/node.sh"), path.join(root, script)], {
    cwd: root,
    env: { ...process.env, TRIBUTARY_STATE_DIR: stateDir, ...brokerEnv(kafka), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs a server process that must fail at start; its exit code and everything it printed. */
async function failedStart(env: NodeJS.ProcessEnv, script?: string): Promise<{ code: number | null; output: string }> {
  const child = serverProcess(env, script);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  return { code, output };
}

const sandboxFoldersOf = async (pid: number) => (await readdir(os.tmpdir())).filter((name) => name.startsWith(`tributary-sandbox-${pid}-`));

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-crash-"));
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  await rm(stateDir, { recursive: true, force: true });
});

describe("a server killed while grading", () => {
  it("loses no acknowledged verdict and leaves the database intact", async () => {
    const port = SERVER_PORT;
    server = await startServerProcess(port);
    const learners = Array.from({ length: 8 }, () => new LearnerClient(`http://127.0.0.1:${port}`));
    // Per learner: how many verdicts the server acknowledged, and the time of the last one.
    const acknowledged = new Map<LearnerClient, { count: number; lastGradedAt: string }>();
    // Every learner grades over and over; the server is killed in the middle of it.
    const grading = learners.map(async (learner) => {
      for (;;) {
        const response = await learner.json<{ gradedAt: string }>("POST", "/api/exercises/first-producer/grade").catch(() => undefined);
        if (!response) return;
        if (response.status === 200) {
          acknowledged.set(learner, { count: (acknowledged.get(learner)?.count ?? 0) + 1, lastGradedAt: response.body.gradedAt });
        }
      }
    });
    // Killed once it has acknowledged some verdicts, in the middle of grading more (however busy the machine).
    const acknowledgedSoFar = () => [...acknowledged.values()].reduce((sum, { count }) => sum + count, 0);
    while (acknowledgedSoFar() <= 8) await new Promise((resolve) => setTimeout(resolve, 50));
    const killedPid = server.pid!;
    expect(await sandboxFoldersOf(killedPid)).toHaveLength(1);
    server.kill("SIGKILL");
    await Promise.all(grading);
    expect([...acknowledged.values()].reduce((sum, { count }) => sum + count, 0)).toBeGreaterThan(8);

    const database = new DatabaseSync(path.join(stateDir, "progress.sqlite"));
    expect(database.prepare("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    database.close();

    server = await startServerProcess(port);
    // The killed server's sandbox folder is cleared by the next server, which knows its owner is gone.
    expect(await sandboxFoldersOf(killedPid)).toEqual([]);
    for (const learner of learners) {
      const last = acknowledged.get(learner);
      if (!last) continue;
      const progress = await learner.json<{ verdicts: { exerciseId: string; status: string; gradedAt: string }[] }>("GET", "/api/progress");
      expect(progress.body.verdicts).toEqual([
        expect.objectContaining({ exerciseId: "first-producer", status: expect.stringMatching(/^(pass|fail)$/) }),
      ]);
      // The stored verdict is the last acknowledged one, or one graded after it whose answer the kill cut off.
      expect(Date.parse(progress.body.verdicts[0]!.gradedAt)).toBeGreaterThanOrEqual(Date.parse(last.lastGradedAt));
    }
  });
});

describe("a host's mistakes at start", () => {
  it("says in one line, without a stack trace, which setting is wrong, its value and what is allowed", { timeout: 120_000 }, async () => {
    const cases: [NodeJS.ProcessEnv, string][] = [
      [{ TRIBUTARY_PORT: "abc" }, 'TRIBUTARY_PORT must be a whole number from 1 to 65535, got "abc".'],
      [{ TRIBUTARY_PORT: "70000" }, 'TRIBUTARY_PORT must be a whole number from 1 to 65535, got "70000".'],
      [{ TRIBUTARY_KAFKA_MODE: "triple" }, 'TRIBUTARY_KAFKA_MODE must be one of single, multi, got "triple".'],
      [
        { TRIBUTARY_STATE_DIR: path.join(root, "package.json", "state") },
        `TRIBUTARY_STATE_DIR: cannot write to ${path.join(root, "package.json", "state")} (ENOTDIR)`,
      ],
    ];
    for (const [env, line] of cases) {
      for (const script of ["sandbox-server/src/main.ts", "scripts/start.ts"]) {
        const { code, output } = await failedStart(env, script);
        expect(code, output).toBe(1);
        expect(output).toContain(`✗ ${line}`);
        expect(output).not.toMatch(/^\s+at /m);
        expect(output.trim().split("\n")).toHaveLength(1);
      }
    }
  });

  it("leaves a running server's folders alone when its port is taken, and leaves nothing behind", { timeout: 120_000 }, async () => {
    if (!server || server.exitCode !== null || server.signalCode !== null) server = await startServerProcess(SERVER_PORT);
    const runningPort = serverPort;
    // The running server's sandbox folder, with a file in it that must still be there afterwards.
    const [folder] = await sandboxFoldersOf(server.pid!);
    expect(folder).toBeDefined();
    const marker = path.join(os.tmpdir(), folder!, "still-here");
    await writeFile(marker, "");
    const second = serverProcess({ TRIBUTARY_PORT: String(runningPort) });
    let output = "";
    second.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    second.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => second.once("close", resolve));
    expect(code, output).toBe(1);
    expect(output).toMatch(/✗ Port \d+ on 127.0.0.1 is taken/);
    expect(existsSync(marker)).toBe(true);
    expect(await sandboxFoldersOf(second.pid!)).toEqual([]);
  });
});
