// What happens to runs when the browser goes away, and what /api/health says about Kafka.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, ResourcePatternTypes } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { exerciseFile, LearnerClient } from "../support/sandbox-client.ts";
import { brokerEnv, startTestServer, type TestServer } from "../support/test-server.ts";
import { processesMentioning } from "../support/processes.ts";
import { TEST_KAFKA_PORT } from "../support/test-kafka.ts";
import { kafkajsConfig } from "../support/kafkajs-config.ts";

const kafka = inject("kafkaAccess");
// The cloned server's port, of this file's own and below the kernel's ephemeral range: a port taken at random
// above it can be a client's at that moment.
const CLONE_SERVER_PORT = TEST_KAFKA_PORT + 2900;
const root = loadConfig().projectRoot;
const execFileAsync = promisify(execFile);
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

describe("a new learner", () => {
  it("has their Kafka principal made while they read, once their page brings their cookie back, before any Run", async () => {
    const learner = sandbox.learner();
    // The page's first read gets the learner's id; the next ones carry it.
    await learner.json("GET", "/api/progress");
    const identity = await learner.json<{ namespace: string }>("GET", "/api/learner");
    const principal = `User:${identity.body.namespace.slice(0, -1)}`;
    const admin = new Kafka(kafkajsConfig(kafka, "principal-ahead-test")).admin();
    await admin.connect();
    try {
      await waitFor(async () => {
        const acls = await admin.describeAcls({
          resourceType: AclResourceTypes.ANY,
          resourcePatternType: ResourcePatternTypes.ANY,
          principal,
          operation: AclOperationTypes.ANY,
          permissionType: AclPermissionTypes.ANY,
        });
        return acls.resources.length > 0;
      }, 15_000);
    } finally {
      await admin.disconnect();
    }
  });
});

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

describe("a project cloned where the sandbox's user cannot go", () => {
  it("runs a learner's program from a clone in a 0700 folder, with its own Node there too, after a canary", { timeout: 300_000 }, async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), "tributary-home-"));
    await chmod(home, 0o700);
    const clone = path.join(home, "tributary");
    let child: ChildProcess | undefined;
    try {
      await execFileAsync("git", ["clone", "--quiet", "--local", root, clone]);
      // What `npm ci` would install, and a Node of the project's own, as scripts/node.sh fetches into .tributary/node.
      await execFileAsync("cp", ["-al", path.join(root, "node_modules"), path.join(clone, "node_modules")]);
      const nodeBin = path.join(clone, ".tributary", "node", "node_modules", "node", "bin");
      await mkdir(nodeBin, { recursive: true });
      await copyFile(process.execPath, path.join(nodeBin, "node"));
      await chmod(path.join(nodeBin, "node"), 0o755);

      child = spawn("bash", [path.join(clone, "scripts/node.sh"), path.join(clone, "sandbox-server/src/main.ts")], {
        cwd: clone,
        env: {
          ...process.env,
          PATH: `${nodeBin}:${process.env.PATH}`,
          TRIBUTARY_PORT: String(CLONE_SERVER_PORT),
          ...brokerEnv(kafka),
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        child!.stdout!.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const found = /Sandbox server on (http:\/\/\S+)/.exec(output)?.[1];
          if (found) resolve(found);
        });
        child!.once("exit", (code) => reject(new Error(`The cloned server exited (${code}):\n${output}`)));
      });
      const learner = new LearnerClient(url);
      const health = await learner.json<{ runs: { isolation: string; canary?: { ok: boolean } } }>("GET", "/api/health");
      expect(health.body.runs, output).toMatchObject({ isolation: "sandbox", canary: { ok: true } });
      const run = await learner.run("first-producer", await exerciseFile("first-producer", "solution"));
      expect(run.exit, run.stderr).toMatchObject({ reason: "exited", code: 0 });
      expect(run.stdout).toContain("Sent");
    } finally {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(home, { recursive: true, force: true });
    }
  });
});
