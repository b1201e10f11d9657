// Runs are admitted against the memory and cores the server may promise, not only by count: a run whose
// memory limit does not fit beside the running ones waits, is told it waits for memory and where it stands,
// and starts once memory frees; bad settings name themselves.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type RunSettings } from "../../sandbox-server/src/config.ts";
import { RunRegistry, type LearnerRun, type RunEvent } from "../../sandbox-server/src/runs/index.ts";

let stateDir: string;
let settings: RunSettings;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-admission-"));
  settings = loadConfig({
    TRIBUTARY_STATE_DIR: stateDir,
    TRIBUTARY_RUN_MEMORY_MIB: "96",
    TRIBUTARY_MAX_RUNS_PER_LEARNER: "50",
    TRIBUTARY_RUNS_PER_MINUTE: "1000",
  }).runs;
});

afterAll(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const events = (run: LearnerRun) => {
  const seen: RunEvent[] = [];
  run.subscribe((event) => seen.push(event));
  return seen;
};

const start = (registry: RunRegistry, learnerId: string, code: string) =>
  registry.start({ learnerId, kafka: { namespace: "test-" }, exerciseId: "t", files: { "main.ts": code } });

describe("admission by memory and cores", () => {
  it("starts two 96 MiB runs in a 200 MiB budget and keeps the third waiting for memory, with its place in line", async () => {
    const registry = new RunRegistry({ ...settings, memoryBudgetMb: 200, scratchDir: path.join(stateDir, "memory") }, ["127.0.0.1:39999"]);
    const holding = [await start(registry, "a", "setInterval(() => {}, 1000);"), await start(registry, "b", "setInterval(() => {}, 1000);")];
    const third = await start(registry, "c", 'console.log("third ran");');
    const fourth = await start(registry, "d", 'console.log("fourth ran");');
    const [thirdEvents, fourthEvents] = [events(third), events(fourth)];
    expect(thirdEvents).toEqual([{ type: "queued", position: 1, waitingFor: "memory" }]);
    expect(fourthEvents).toEqual([{ type: "queued", position: 2, waitingFor: "memory" }]);
    holding[0]!.stop();
    expect(await third.finished).toMatchObject({ reason: "exited", code: 0 });
    expect(thirdEvents.map((e) => e.type)).toEqual(["queued", "stdout", "exit"]);
    holding[1]!.stop();
    expect(await fourth.finished).toMatchObject({ reason: "exited", code: 0 });
    await registry.stopAll();
  });

  it("counts each language's share of the cores: seventeen runs of 1/16 core wait for the one core given", async () => {
    const registry = new RunRegistry({ ...settings, cpus: 1, memoryBudgetMb: 100_000, scratchDir: path.join(stateDir, "cores") }, [
      "127.0.0.1:39999",
    ]);
    const holding: LearnerRun[] = [];
    for (let i = 0; i < 16; i++) holding.push(await start(registry, `l${i}`, "setInterval(() => {}, 1000);"));
    const waiting = await start(registry, "late", 'console.log("ran");');
    const seen = events(waiting);
    expect(seen).toEqual([{ type: "queued", position: 1, waitingFor: "cpu" }]);
    holding[0]!.stop();
    expect(await waiting.finished).toMatchObject({ reason: "exited", code: 0 });
    await registry.stopAll();
  });

  it("refuses a run larger than the whole budget, naming the setting", async () => {
    const registry = new RunRegistry({ ...settings, memoryBudgetMb: 64, scratchDir: path.join(stateDir, "small") }, ["127.0.0.1:39999"]);
    await expect(start(registry, "a", "")).rejects.toThrow(/may use 96 MiB, more than the 64 MiB .*TRIBUTARY_RUN_MEMORY_BUDGET_MIB/);
    await registry.stopAll();
  });

  it("says which setting is wrong when a budget is not a number", () => {
    expect(() => loadConfig({ TRIBUTARY_RUN_MEMORY_BUDGET_MIB: "lots" })).toThrow(
      /TRIBUTARY_RUN_MEMORY_BUDGET_MIB must be a positive whole number, got "lots"/,
    );
    expect(() => loadConfig({ TRIBUTARY_RUN_CPUS: "0" })).toThrow(/TRIBUTARY_RUN_CPUS must be/);
  });
});
