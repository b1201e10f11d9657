import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ProgressStore } from "../../sandbox-server/src/progress/index.ts";
import type { Verdict } from "../../sandbox-server/src/grading/index.ts";

const verdict = (status: Verdict["status"], gradedAt: string): Verdict => ({
  version: 1,
  exerciseId: "first-producer",
  status,
  message: status === "pass" ? "Passed." : "Not yet.",
  checks: [{ title: "Topic `messages` exists", status: status === "pass" ? "pass" : "fail", message: "…" }],
  gradedAt,
});

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function storeFile(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tributary-progress-"));
  dirs.push(dir);
  return path.join(dir, "nested", "progress.sqlite");
}

describe("ProgressStore", () => {
  it("keeps a verdict across a reopen of the database file", async () => {
    const file = await storeFile();
    const first = new ProgressStore(file);
    first.recordVerdict("learner-a", verdict("pass", "2026-01-01T10:00:00.000Z"));
    first.close();
    const reopened = new ProgressStore(file);
    expect(reopened.verdictsOf("learner-a")).toEqual([
      expect.objectContaining({ exerciseId: "first-producer", status: "pass", firstPassedAt: "2026-01-01T10:00:00.000Z" }),
    ]);
    reopened.close();
  });

  it("keeps the latest verdict but remembers when the learner first passed", async () => {
    const store = new ProgressStore(await storeFile());
    store.recordVerdict("learner-a", verdict("fail", "2026-01-01T09:00:00.000Z"));
    store.recordVerdict("learner-a", verdict("pass", "2026-01-01T10:00:00.000Z"));
    store.recordVerdict("learner-a", verdict("fail", "2026-01-01T11:00:00.000Z"));
    const [stored] = store.verdictsOf("learner-a");
    expect(stored).toMatchObject({ status: "fail", gradedAt: "2026-01-01T11:00:00.000Z", firstPassedAt: "2026-01-01T10:00:00.000Z" });
    expect(stored?.checks[0]?.title).toBe("Topic `messages` exists");
    store.close();
  });

  it("keeps each learner's progress apart", async () => {
    const store = new ProgressStore(await storeFile());
    store.recordVerdict("learner-a", verdict("pass", "2026-01-01T10:00:00.000Z"));
    expect(store.verdictsOf("learner-b")).toEqual([]);
    store.close();
  });

  it("refuses to store an ungraded (error) verdict", async () => {
    const store = new ProgressStore(await storeFile());
    expect(() => store.recordVerdict("learner-a", verdict("error", "2026-01-01T10:00:00.000Z"))).toThrow(/not stored/);
    expect(store.verdictsOf("learner-a")).toEqual([]);
    store.close();
  });
});
