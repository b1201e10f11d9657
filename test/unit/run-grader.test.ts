// An exercise's grader module runs in a worker thread: its checks come back, and one that loops,
// throws or returns nonsense is stopped and reported as the course's fault.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraderFault, runGrader } from "../../sandbox-server/src/grading/index.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "tributary-grader-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("runGrader", () => {
  it("runs a grader module in a worker, and stops one that runs past its time", async () => {
    const good = path.join(dir, "good.ts");
    await writeFile(
      good,
      'export default (input: { topics: Record<string, unknown> }) => [{ title: "t", status: "pass", message: Object.keys(input.topics).join() }];',
    );
    expect(await runGrader(good, { topics: { rides: {} as never }, groups: {} })).toEqual([{ title: "t", status: "pass", message: "rides" }]);
    const looping = path.join(dir, "looping.ts");
    await writeFile(looping, "export default () => { for (;;) {} };");
    await expect(runGrader(looping, { topics: {}, groups: {} }, 300)).rejects.toThrow(/used more than 300 ms of CPU time/);
    const nonsense = path.join(dir, "nonsense.ts");
    await writeFile(nonsense, "export default () => 42;");
    await expect(runGrader(nonsense, { topics: {}, groups: {} })).rejects.toThrow(/must return a non-empty array/);
  });

  it("reports a grader that throws, with the module's name", async () => {
    const throwing = path.join(dir, "throwing.ts");
    await writeFile(throwing, 'export default () => { throw new Error("no such field"); };');
    await expect(runGrader(throwing, { topics: {}, groups: {} })).rejects.toThrow(/throwing\.ts failed: no such field/);
  });

  it("counts a grader's CPU time, not the wall time a busy machine makes it wait", async () => {
    // Waits three times its CPU limit, working hardly at all: a loaded server delays such a verdict, never fails it.
    const waiting = path.join(dir, "waiting.ts");
    await writeFile(
      waiting,
      'export default async () => { await new Promise((r) => setTimeout(r, 900)); return [{ title: "t", status: "pass", message: "waited" }]; };',
    );
    expect(await runGrader(waiting, { topics: {}, groups: {} }, 300)).toEqual([{ title: "t", status: "pass", message: "waited" }]);
  });

  it("reports a grader whose thread ends without an answer", async () => {
    const silent = path.join(dir, "silent.ts");
    await writeFile(silent, "export default () => new Promise(() => {});");
    await expect(runGrader(silent, { topics: {}, groups: {} })).rejects.toThrow(GraderFault);
  });
});
