// Runs real learner programs in real child processes (no Kafka needed) and checks every limit.
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { RunRegistry, TypeScriptRuntime, type LearnerRun, type RunEvent } from "../../sandbox-server/src/runs/index.ts";
import { processesMentioning } from "../support/processes.ts";

let stateDir: string;
let registry: RunRegistry;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-runs-"));
  const config = loadConfig({
    TRIBUTARY_STATE_DIR: stateDir,
    TRIBUTARY_RUN_OUTPUT_KIB: "16",
    TRIBUTARY_RUN_MEMORY_MIB: "96",
    TRIBUTARY_UNWATCHED_GRACE_MS: "60000",
    TRIBUTARY_STOP_GRACE_MS: "1500",
    TRIBUTARY_MAX_RUNS_PER_LEARNER: "50",
    TRIBUTARY_RUNS_PER_MINUTE: "1000",
  });
  registry = new RunRegistry(config.runs, ["127.0.0.1:39999"]);
});

afterAll(async () => {
  await registry.stopAll();
  await rm(stateDir, { recursive: true, force: true });
});

/** Starts `code` as main.ts and collects its events until it ends. */
async function run(code: string, options: { wallTimeMs?: number; whileRunning?: (run: LearnerRun) => void } = {}) {
  const learnerRun = await registry.start({
    learnerId: "learner",
    kafka: { namespace: "test-" },
    exerciseId: "test",
    files: { "main.ts": code },
    wallTimeMs: options.wallTimeMs,
  });
  const events: RunEvent[] = [];
  learnerRun.subscribe((event) => events.push(event));
  options.whileRunning?.(learnerRun);
  const exit = await learnerRun.finished;
  const text = (type: "stdout" | "stderr") => events.flatMap((e) => (e.type === type ? [e.data] : [])).join("");
  return { exit, stdout: text("stdout"), stderr: text("stderr"), run: learnerRun };
}

describe("a learner's run", () => {
  it("streams stdout and stderr and reports the exit code", async () => {
    const { exit, stdout, stderr } = await run('console.log("out"); console.error("err"); process.exitCode = 3;');
    expect(stdout).toBe("out\n");
    expect(stderr).toBe("err\n");
    expect(exit).toMatchObject({ type: "exit", code: 3, reason: "exited", message: "Your program exited with code 3." });
    expect(exit.durationMs).toBeGreaterThan(0);
  });

  it("runs TypeScript with top-level await and reports a thrown error with its line in main.ts", async () => {
    const { exit, stderr } = await run(
      'const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));\nawait wait(10);\nthrow new Error("boom");',
    );
    expect(exit.code).toBe(1);
    expect(stderr).toContain("Error: boom");
    expect(stderr).toMatch(/main\.ts:3/);
  });

  it("reports a compile error without starting a process", async () => {
    const { exit, stderr } = await run("const = 1;");
    expect(exit).toMatchObject({ reason: "compile-error", code: null });
    expect(stderr).toContain("main.ts:1:6");
  });

  it("is stopped at its wall-clock limit", async () => {
    const { exit } = await run("setInterval(() => {}, 1000);", { wallTimeMs: 1000 });
    expect(exit).toMatchObject({ reason: "timeout", message: "Stopped after 1 s, the time limit for this exercise." });
  });

  it("is stopped at the output cap, keeping the output up to the cap", async () => {
    const { exit, stdout } = await run('for (;;) console.log("x".repeat(1000));');
    expect(exit.reason).toBe("output-limit");
    expect(exit.message).toContain("more than 16 KiB of output");
    expect(Buffer.byteLength(stdout)).toBeLessThanOrEqual(16 * 1024);
    expect(Buffer.byteLength(stdout)).toBeGreaterThan(8 * 1024);
  });

  it("is stopped at the memory cap when it holds memory outside the JS heap", async () => {
    const { exit } = await run("const held = []; setInterval(() => held.push(Buffer.alloc(16 * 1024 * 1024, 1)), 20);");
    expect(exit).toMatchObject({ reason: "memory-limit", message: "Stopped: your program used more than 96 MiB of memory, the memory limit." });
  });

  it("is stopped at the memory cap when its JS heap overflows", async () => {
    const { exit } = await run("const held = []; for (;;) held.push({ a: Math.random(), b: [1, 2, 3] });");
    expect(exit.reason).toBe("memory-limit");
  });

  it("gets SIGTERM on Stop, so it can clean up before it ends", async () => {
    const { exit, stdout } = await run(
      'process.once("SIGTERM", () => { console.log("leaving the group"); process.exit(0); }); console.log("ready"); setInterval(() => {}, 1000);',
      { whileRunning: (r) => void waitForOutput(r, "ready").then(() => r.stop()) },
    );
    expect(stdout).toBe("ready\nleaving the group\n");
    expect(exit).toMatchObject({ reason: "stopped", message: "Stopped." });
  });

  it("is killed after the grace period when it ignores SIGTERM, and no process is left", async () => {
    let runId = "";
    let aliveWhileRunning = 0;
    const { exit } = await run('process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000);', {
      whileRunning: (r) => {
        runId = r.id;
        void waitForOutput(r, "ready").then(async () => {
          aliveWhileRunning = await processesMentioning(r.id);
          r.stop();
        });
      },
    });
    expect(exit.reason).toBe("stopped");
    expect(exit.durationMs).toBeGreaterThanOrEqual(1500);
    expect(aliveWhileRunning).toBeGreaterThan(0);
    expect(await processesMentioning(runId)).toBe(0);
  });

  it("is stopped when nobody watches it any more", async () => {
    const quickRegistry = new RunRegistry({ ...registry.settings, unwatchedGraceMs: 300, scratchDir: path.join(stateDir, "unwatched") }, []);
    const learnerRun = await quickRegistry.start({
      learnerId: "l",
      kafka: { namespace: "test-" },
      exerciseId: "t",
      files: { "main.ts": "setInterval(() => {}, 1000);" },
    });
    const unsubscribe = learnerRun.subscribe(() => {});
    unsubscribe(); // the browser tab went away
    expect(await learnerRun.finished).toMatchObject({ reason: "unwatched" });
    await quickRegistry.stopAll();
  });

  it("cannot read files outside its folder, start processes, or see the server's environment", async () => {
    process.env.TRIBUTARY_TEST_SECRET = "do-not-leak";
    const { stdout } = await run(`
      import { readFileSync } from "node:fs";
      import { execSync } from "node:child_process";
      const attempt = (name: string, action: () => unknown) => {
        try { action(); console.log(name + ": allowed"); } catch (e) { console.log(name + ": " + (e as NodeJS.ErrnoException).code); }
      };
      attempt("read /etc/passwd", () => readFileSync("/etc/passwd"));
      attempt("spawn", () => execSync("id"));
      console.log("env: " + Object.keys(process.env).sort().join(","));
    `);
    expect(stdout).toContain("read /etc/passwd: ERR_ACCESS_DENIED");
    expect(stdout).toContain("spawn: ERR_ACCESS_DENIED");
    expect(stdout).not.toContain("do-not-leak");
    // The sandbox adds PWD; nothing of the server's own environment gets through.
    expect(stdout).toMatch(/env: FORCE_COLOR,HOME,KAFKAJS_NO_PARTITIONER_WARNING,KAFKA_BROKERS,KAFKA_NAMESPACE,(PWD,)?TZ\n/);
  });

  it("finds kafkajs's idle connections quiet: a request queue with nothing pending arms no timer", async () => {
    const { stdout, exit } = await run(`
      import { createRequire } from "node:module";
      import "kafkajs";
      const RequestQueue = createRequire(import.meta.url)("kafkajs/src/network/requestQueue/index.js");
      const queue = new RequestQueue({ requestTimeout: 1000, clientId: "c", broker: "b:1", logger: { debug() {}, warn() {} } });
      queue.checkPendingRequests();
      console.log(queue.throttleCheckTimeoutId === null ? "idle queue: quiet" : "idle queue: timer armed");
      queue.destroy();
    `);
    expect(exit.code).toBe(0);
    expect(stdout).toBe("idle queue: quiet\n");
  });

  it("removes its scratch folder when it ends", async () => {
    const { run: finished } = await run('console.log("bye");');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(finished.scratchDir)).toBe(false);
  });

  it("waits in line when the server is full, is told its place, and starts when a slot frees", async () => {
    const busy = new RunRegistry({ ...registry.settings, maxConcurrent: 1, maxQueued: 2, scratchDir: path.join(stateDir, "queue") }, [
      "127.0.0.1:39999",
    ]);
    const events = (run: LearnerRun) => {
      const seen: RunEvent[] = [];
      run.subscribe((event) => seen.push(event));
      return seen;
    };
    const first = await busy.start({
      learnerId: "a",
      kafka: { namespace: "test-" },
      exerciseId: "t",
      files: { "main.ts": 'console.log("first"); setInterval(() => {}, 1000);' },
    });
    const second = await busy.start({
      learnerId: "b",
      kafka: { namespace: "test-" },
      exerciseId: "t",
      files: { "main.ts": 'console.log("second ran");' },
    });
    const third = await busy.start({
      learnerId: "c",
      kafka: { namespace: "test-" },
      exerciseId: "t",
      files: { "main.ts": 'console.log("third ran");' },
    });
    const secondEvents = events(second);
    const thirdEvents = events(third);
    expect(secondEvents).toEqual([{ type: "queued", position: 1, waitingFor: "slot" }]);
    expect(thirdEvents).toEqual([{ type: "queued", position: 2, waitingFor: "slot" }]);
    await expect(busy.start({ learnerId: "d", kafka: { namespace: "test-" }, exerciseId: "t", files: { "main.ts": "" } })).rejects.toThrow(
      "The server is running 1 programs and 2 more are waiting, its limit; try again in a minute.",
    );

    first.stop();
    expect(await second.finished).toMatchObject({ reason: "exited", code: 0 });
    expect(secondEvents.map((e) => e.type)).toEqual(["queued", "stdout", "exit"]);
    expect(await third.finished).toMatchObject({ reason: "exited", code: 0 });
    // The third moved up to first in line when the first run ended, then ran.
    expect(thirdEvents.filter((e) => e.type === "queued")).toEqual([
      { type: "queued", position: 2, waitingFor: "slot" },
      { type: "queued", position: 1, waitingFor: "slot" },
    ]);
    await busy.stopAll();
  });

  it("ends a waiting run at once when it is stopped before its turn", async () => {
    const busy = new RunRegistry({ ...registry.settings, maxConcurrent: 1, scratchDir: path.join(stateDir, "queue-stop") }, ["127.0.0.1:39999"]);
    const first = await busy.start({
      learnerId: "a",
      kafka: { namespace: "test-" },
      exerciseId: "t",
      files: { "main.ts": "setInterval(() => {}, 1000);" },
    });
    const waiting = await busy.start({
      learnerId: "b",
      kafka: { namespace: "test-" },
      exerciseId: "t",
      files: { "main.ts": 'console.log("never");' },
    });
    waiting.stop();
    expect(await waiting.finished).toMatchObject({ reason: "stopped", code: null });
    expect(busy.alive()).toEqual([first]);
    await busy.stopAll();
  });

  it("is stopped when the server shuts down while its program is still being compiled", async () => {
    const shuttingDown = new RunRegistry({ ...registry.settings, scratchDir: path.join(stateDir, "shutdown") }, ["127.0.0.1:39999"]);
    await shuttingDown.prepare();
    const starting = shuttingDown.start({
      learnerId: "a",
      kafka: { namespace: "test-" },
      exerciseId: "t",
      files: { "main.ts": "setInterval(() => {}, 1000);" },
    });
    await new Promise((resolve) => setImmediate(resolve));
    await shuttingDown.stopAll();
    expect(await (await starting).finished).toMatchObject({ reason: "server-shutdown" });
  });

  it("replays every event to a viewer that subscribes late or resumes after a given event", async () => {
    const { run: finished } = await run('console.log("one"); await new Promise((r) => setTimeout(r, 50)); console.log("two");');
    const replay: string[] = [];
    finished.subscribe((event, seq) => replay.push(`${seq}:${event.type}`));
    expect(replay).toEqual(["0:stdout", "1:stdout", "2:exit"]);
    const resumed: number[] = [];
    finished.subscribe((_, seq) => resumed.push(seq), 0);
    expect(resumed).toEqual([1, 2]);
  });
});

/** Resolves with the run's stdout once it contains `text`. */
function waitForOutput(learnerRun: LearnerRun, text: string): Promise<string> {
  return new Promise((resolve) => {
    let out = "";
    learnerRun.subscribe((event) => {
      if (event.type !== "stdout") return;
      out += event.data;
      if (out.includes(text)) resolve(out);
    });
  });
}

describe.skipIf(process.platform !== "linux")("the warm pool of sandboxes", () => {
  let poolStateDir: string;
  let pooled: RunRegistry;

  beforeAll(async () => {
    poolStateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-pool-"));
    const config = loadConfig({ TRIBUTARY_STATE_DIR: poolStateDir, TRIBUTARY_ISOLATION: "sandbox", TRIBUTARY_WARM_SANDBOXES: "3" });
    // TypeScript alone, so every waiting folder in the run root is one of its three.
    pooled = new RunRegistry(config.runs, ["127.0.0.1:39999"], {}, [new TypeScriptRuntime(3)]);
    await pooled.prepare();
  });

  afterAll(async () => {
    await pooled?.stopAll();
    if (poolStateDir) await rm(poolStateDir, { recursive: true, force: true });
  });

  const until = async (condition: () => boolean | Promise<boolean>) => {
    const deadline = Date.now() + 15_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error("condition not met within 15 s");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  /** Runs an empty program to learn where run folders live; returns once the pool is full again. */
  const afterOneRun = async () => {
    await until(() => pooled.warmSandboxes === 3);
    const run = await pooled.start({ learnerId: "probe", kafka: { namespace: "probe-" }, exerciseId: "test", files: { "main.ts": "" } });
    await run.finished;
    await until(() => pooled.warmSandboxes === 3);
    return { runRoot: path.dirname(run.scratchDir), first: run };
  };

  it("hands a run a sandbox started before Run was pressed, with nothing of a learner in it until then, and refills", async () => {
    const { runRoot, first } = await afterOneRun();

    // The finished run's folder may still be on its way out.
    const waiting = (await readdir(runRoot)).filter((name) => /^[0-9a-f-]{36}$/.test(name) && name !== first.id);
    expect(waiting).toHaveLength(3);
    // A waiting sandbox has no program and no learner yet: only its empty folder and its processes.
    for (const id of waiting) {
      expect(await readdir(path.join(runRoot, id))).toEqual([]);
      expect(await processesMentioning(id)).toBeGreaterThan(0);
    }

    const events: RunEvent[] = [];
    const next = await pooled.start({
      learnerId: "b",
      kafka: { namespace: "second-", credentials: { username: "second", password: "pw" } },
      exerciseId: "test",
      files: { "main.ts": 'console.log(process.env.KAFKA_NAMESPACE, process.env.KAFKA_USERNAME, typeof (await import("kafkajs")).Kafka);' },
    });
    next.subscribe((event) => events.push(event));
    expect(waiting).toContain(next.id);
    expect(await next.finished).toMatchObject({ reason: "exited", code: 0 });
    expect(events.flatMap((e) => (e.type === "stdout" ? [e.data] : [])).join("")).toBe("second- second function\n");
    await until(() => pooled.warmSandboxes === 3);
  });

  it("ends its waiting sandboxes with the server, leaving no process behind", async () => {
    const { runRoot } = await afterOneRun();
    expect(await processesMentioning(runRoot)).toBeGreaterThan(0);
    await pooled.stopAll();
    expect(await processesMentioning(runRoot)).toBe(0);
    expect(existsSync(runRoot)).toBe(false);
  });
});

describe.skipIf(process.platform !== "linux")("sandboxes kept for learners who read", () => {
  let stateDir: string;
  let registry: RunRegistry;

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-readers-"));
    const config = loadConfig({
      TRIBUTARY_STATE_DIR: stateDir,
      TRIBUTARY_ISOLATION: "sandbox",
      TRIBUTARY_WARM_SANDBOXES: "1",
      TRIBUTARY_WARM_FOR_READERS: "3",
    });
    registry = new RunRegistry(config.runs, ["127.0.0.1:39999"], {}, [new TypeScriptRuntime(1)]);
    await registry.prepare();
  });

  afterAll(async () => {
    await registry?.stopAll();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  const until = async (condition: () => boolean) => {
    const deadline = Date.now() + 20_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`condition not met within 20 s (${registry.warmSandboxes} sandboxes waiting)`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it("keeps one more sandbox started for each reader, up to TRIBUTARY_WARM_FOR_READERS, and one for a reader whose run ended", async () => {
    await until(() => registry.warmSandboxes === 1);
    registry.noteReader("reader-1");
    registry.noteReader("reader-2");
    await until(() => registry.warmSandboxes === 3);
    registry.noteReader("reader-3");
    registry.noteReader("reader-4");
    // Four readers, but at most three sandboxes for readers.
    await until(() => registry.warmSandboxes === 4);

    const run = await registry.start({
      learnerId: "reader-1",
      kafka: { namespace: "r1-" },
      exerciseId: "test",
      files: { "main.ts": 'console.log("ran");' },
    });
    expect(await run.finished).toMatchObject({ reason: "exited", code: 0 });
    await until(() => registry.warmSandboxes === 4);
  });
});
