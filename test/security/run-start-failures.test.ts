// Every way a run can fail while it starts must end that run, with a reason the learner can read,
// and free its slot and sandbox: a run left "alive" holds a slot (and a sandbox) for ever.
// Real runs in real sandboxes; the failures are real too (a folder that cannot be created, a
// program that crashes the compiler).
import { mkdtemp, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { RunRegistry, compileProgram, type LearnerRun } from "../../sandbox-server/src/runs/index.ts";
import { compileHere, compileIsolated, compilerHealth } from "../../sandbox-server/src/runs/languages/typescript/compile.ts";
import { processesMentioning } from "../support/processes.ts";

let stateDir: string;
let registry: RunRegistry;
/** The folder that holds every run's folder. */
let runRoot: string;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-start-failures-"));
  const config = loadConfig({
    TRIBUTARY_STATE_DIR: stateDir,
    TRIBUTARY_ISOLATION: "sandbox",
    // Each run builds its own sandbox, so a broken run folder breaks the sandbox's start too.
    TRIBUTARY_WARM_SANDBOXES: "0",
    TRIBUTARY_MAX_RUNS: "1",
    TRIBUTARY_MAX_RUNS_PER_LEARNER: "50",
    TRIBUTARY_RUNS_PER_MINUTE: "1000",
  });
  registry = new RunRegistry(config.runs, ["127.0.0.1:39999"]);
  const probe = await registry.start({ learnerId: "probe", kafka: { namespace: "test-" }, exerciseId: "test", files: { "main.ts": "" } });
  runRoot = path.dirname(probe.scratchDir);
  await probe.finished;
});

afterAll(async () => {
  await registry?.stopAll();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

const start = (learnerId: string, code: string) =>
  registry.start({ learnerId, kafka: { namespace: "test-" }, exerciseId: "test", files: { "main.ts": code } });

async function outcome(run: LearnerRun) {
  let stderr = "";
  let stdout = "";
  run.subscribe((event) => {
    if (event.type === "stderr") stderr += event.data;
    if (event.type === "stdout") stdout += event.data;
  });
  return { exit: await run.finished, stderr, stdout };
}

/** Replaces the folder of runs with a file for the duration of `during`, so nothing can be created in it. */
async function withUnwritableRunRoot<T>(during: () => Promise<T>): Promise<T> {
  await rename(runRoot, `${runRoot}.moved`);
  await writeFile(runRoot, "not a folder");
  try {
    return await during();
  } finally {
    await rm(runRoot, { force: true });
    await rename(`${runRoot}.moved`, runRoot);
  }
}

describe("a run that cannot start", () => {
  it("ends with the reason when its folder and sandbox cannot be created, and frees its slot", async () => {
    const { exit, stderr } = await withUnwritableRunRoot(async () => outcome(await start("unlucky", 'console.log("never");')));
    expect(exit).toMatchObject({ reason: "start-failed", code: null });
    expect(exit.message).toContain("could not start your program");
    expect(stderr).toMatch(/Could not start your program: .*(ENOTDIR|EEXIST|not a directory)/);
    expect(registry.alive()).toEqual([]);
    const after = await outcome(await start("next-learner", 'console.log("ran after");'));
    expect(after.exit, after.stderr).toMatchObject({ reason: "exited", code: 0 });
    expect(after.stdout).toBe("ran after\n");
  });

  it("ends a run started from the queue whose start fails, and frees the slot for the next", async () => {
    const holder = await start("holder", "await new Promise((r) => setTimeout(r, 60_000));");
    const queued = await start("queued", 'console.log("never");');
    expect(queued.exitEvent).toBeUndefined();
    const failed = await withUnwritableRunRoot(async () => {
      const ended = outcome(queued);
      holder.stop();
      await holder.finished;
      return ended;
    });
    expect(failed.exit).toMatchObject({ reason: "start-failed" });
    expect(failed.stderr).toContain("Could not start your program");
    expect(registry.alive()).toEqual([]);
    // No sandbox of the failed run is left behind, and the one slot is free again.
    expect(await processesMentioning(queued.id)).toBe(0);
    const { exit, stdout, stderr } = await outcome(await start("after", 'console.log("after ran");'));
    expect(exit, stderr).toMatchObject({ reason: "exited", code: 0 });
    expect(stdout).toBe("after ran\n");
  });
});

describe("a program that breaks the compiler", () => {
  it("fails that run only, with a clear message, and the compiler keeps working for everyone", async () => {
    const crash = `${"!".repeat(150)}1;\n${"-".repeat(180_000)}1`;
    const benign = outcome(await start("benign", 'console.log("benign ok");'));
    const hostile = outcome(await start("hostile", crash));
    const [b, h] = await Promise.all([benign, hostile]);
    expect(h.exit).toMatchObject({ reason: "compile-error" });
    expect(h.stderr).toMatch(/more than 200 operators in a row/);
    expect(b.exit, b.stderr).toMatchObject({ reason: "exited", code: 0 });
    expect(b.stdout).toBe("benign ok\n");
  });

  it("contains a crash of the compiler itself: the crashing compile fails alone, and the next compile succeeds", async () => {
    // Too deep for esbuild's stack; the nesting check would refuse it, so it goes to the compilers directly.
    const crasher = { "main.ts": `${"!".repeat(180_000)}1` };
    const alone = await compileIsolated(crasher);
    expect(alone).toEqual({ ok: false, message: expect.stringMatching(/^The compiler crashed on your program \(stack overflow\)/) });
    // The shared service dies of it too; the next compile restarts it and works.
    await expect(compileHere(crasher)).rejects.toThrow(/service/);
    const after = await compileProgram({ "main.ts": "export const ok: number = 1;" });
    expect(after.ok).toBe(true);
    const health = await compilerHealth();
    expect(health).toMatchObject({ ok: true });
    expect(health.crashes).toBeGreaterThan(0);
  });

  it("gives up on a compile that takes too long, and keeps compiling others", async () => {
    const slow = { "main.ts": `export const f = ${"() => ".repeat(30_000)}1;` };
    const [gaveUp, benign] = await Promise.all([
      compileProgram(slow, { timeoutMs: 1500 }),
      compileProgram({ "main.ts": "export const ok: number = 1;" }),
    ]);
    expect(gaveUp).toEqual({ ok: false, message: expect.stringContaining("took longer than 1.5 s") });
    expect(benign.ok).toBe(true);
    expect((await compileProgram({ "main.ts": "export const ok: number = 2;" })).ok).toBe(true);
  });

  it("is reported broken in the health check while it hangs, and healthy again after its restart", async () => {
    expect((await compilerHealth()).ok).toBe(true);
    const service = await esbuildServicePid();
    process.kill(service, "SIGSTOP");
    try {
      const broken = await compilerHealth();
      expect(broken).toMatchObject({ ok: false, error: "a tiny program did not compile within 5 s" });
    } finally {
      process.kill(service, "SIGCONT");
    }
    expect((await compilerHealth()).ok).toBe(true);
    expect(await esbuildServicePid()).not.toBe(service);
  });
});

/** The esbuild service this process started (its child named esbuild). */
async function esbuildServicePid(): Promise<number> {
  const found: number[] = [];
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    if (ppid === process.pid && stat.includes("(esbuild)") && state !== "Z") found.push(Number(pid));
  }
  // Services stopped earlier may still be on their way out; the newest is the one in use.
  if (found.length === 0) throw new Error("no esbuild service runs in this process");
  return Math.max(...found);
}
