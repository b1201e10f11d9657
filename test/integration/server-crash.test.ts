// The sandbox server is killed (SIGKILL) while learners are being graded: after a restart, every verdict it
// acknowledged is still there and the progress database is intact.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { LearnerClient } from "../support/sandbox-client.ts";
import { brokerEnv } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
const root = loadConfig().projectRoot;
let stateDir: string;
let server: ChildProcess | undefined;

/** Starts the real server process (npm run server) on `port`; resolves once it listens. */
function startServerProcess(port: number): Promise<ChildProcess> {
  const child = spawn("bash", [path.join(root, "scripts/node.sh"), path.join(root, "sandbox-server/src/main.ts")], {
    cwd: root,
    env: { ...process.env, TRIBUTARY_PORT: String(port), TRIBUTARY_STATE_DIR: stateDir, ...brokerEnv(kafka) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Sandbox server on")) resolve(child);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`The server exited (${code}) before listening:\n${output}`)));
  });
}

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
    const port = 40000 + Math.floor(Math.random() * 20000);
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
    await new Promise((resolve) => setTimeout(resolve, 1500));
    server.kill("SIGKILL");
    await Promise.all(grading);
    expect([...acknowledged.values()].reduce((sum, { count }) => sum + count, 0)).toBeGreaterThan(8);

    const database = new DatabaseSync(path.join(stateDir, "progress.sqlite"));
    expect(database.prepare("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    database.close();

    server = await startServerProcess(port);
    for (const learner of learners) {
      const last = acknowledged.get(learner);
      if (!last) continue;
      const progress = await learner.json<{ verdicts: { exerciseId: string; status: string; gradedAt: string }[] }>("GET", "/api/progress");
      expect(progress.body.verdicts).toEqual([expect.objectContaining({ exerciseId: "first-producer", status: expect.stringMatching(/^(pass|fail)$/) })]);
      // The stored verdict is the last acknowledged one, or one graded after it whose answer the kill cut off.
      expect(Date.parse(progress.body.verdicts[0]!.gradedAt)).toBeGreaterThanOrEqual(Date.parse(last.lastGradedAt));
    }
  });
});
