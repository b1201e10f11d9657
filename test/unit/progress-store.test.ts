import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteProgressStore } from "../../sandbox-server/src/progress/index.ts";
import type { Verdict } from "../../sandbox-server/src/grading/index.ts";

const verdict = (status: Verdict["status"], gradedAt: string): Verdict => ({
  version: 2,
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

describe("SqliteProgressStore", () => {
  it("keeps a verdict across a reopen of the database file", async () => {
    const file = await storeFile();
    const first = new SqliteProgressStore(file);
    await first.recordVerdict("learner-a", verdict("pass", "2026-01-01T10:00:00.000Z"));
    await first.close();
    const reopened = new SqliteProgressStore(file);
    expect(await reopened.verdictsOf("learner-a")).toEqual([
      expect.objectContaining({ exerciseId: "first-producer", status: "pass", firstPassedAt: "2026-01-01T10:00:00.000Z" }),
    ]);
    await reopened.close();
  });

  it("keeps the latest verdict but remembers when the learner first passed", async () => {
    const store = new SqliteProgressStore(await storeFile());
    await store.recordVerdict("learner-a", verdict("fail", "2026-01-01T09:00:00.000Z"));
    await store.recordVerdict("learner-a", verdict("pass", "2026-01-01T10:00:00.000Z"));
    await store.recordVerdict("learner-a", verdict("fail", "2026-01-01T11:00:00.000Z"));
    const [stored] = await store.verdictsOf("learner-a");
    expect(stored).toMatchObject({ status: "fail", gradedAt: "2026-01-01T11:00:00.000Z", firstPassedAt: "2026-01-01T10:00:00.000Z" });
    expect(stored?.checks[0]?.title).toBe("Topic `messages` exists");
    await store.close();
  });

  it("keeps each learner's progress apart", async () => {
    const store = new SqliteProgressStore(await storeFile());
    await store.recordVerdict("learner-a", verdict("pass", "2026-01-01T10:00:00.000Z"));
    expect(await store.verdictsOf("learner-b")).toEqual([]);
    await store.close();
  });

  it("refuses to store an ungraded (error) verdict", async () => {
    const store = new SqliteProgressStore(await storeFile());
    await expect(store.recordVerdict("learner-a", verdict("error", "2026-01-01T10:00:00.000Z"))).rejects.toThrow(/not stored/);
    expect(await store.verdictsOf("learner-a")).toEqual([]);
    await store.close();
  });
});
