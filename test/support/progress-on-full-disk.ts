// Run by progress-store-faults.test.ts inside a mount namespace of its own, with `folder` a tiny tmpfs:
// keeps progress there, fills the folder to the last byte, frees it again, and prints what the store
// did at each step as one JSON line.
import { open, rm } from "node:fs/promises";
import path from "node:path";
import { SqliteProgressStore } from "../../sandbox-server/src/progress/index.ts";
import type { Verdict } from "../../sandbox-server/src/grading/index.ts";

const folder = process.argv[2]!;
const store = new SqliteProgressStore(path.join(folder, "progress.sqlite"));

const verdict = (status: "pass" | "fail", size = 100): Verdict => ({
  version: 2,
  exerciseId: "first-producer",
  status,
  message: status === "pass" ? "Passed." : "Not yet.",
  checks: [{ title: "Topic `messages` exists", status, message: "x".repeat(size) }],
  gradedAt: new Date().toISOString(),
});

/** What a store call did: "saved", or the error's name, code and both messages. */
const outcome = (work: Promise<unknown>) =>
  work.then(
    () => "saved",
    (error: Error & { code?: string; learnerMessage?: string }) => ({
      name: error.name,
      code: error.code,
      message: error.message,
      learnerMessage: error.learnerMessage,
    }),
  );

/** Writes a file until the file system refuses another byte (a write that does not fit whole writes what fits). */
async function fillUp(file: string): Promise<void> {
  const handle = await open(file, "w");
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) await handle.write(chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    await handle.close();
  }
}

const report: Record<string, unknown> = {};
report.saveBefore = await outcome(store.recordVerdict("learner-a", verdict("pass")));
report.healthBefore = await store.health();
const filler = path.join(folder, "filler");
await fillUp(filler);
// A real Check's verdict is small; a large one is sure to need pages the file does not have yet.
report.saveFull = await outcome(store.recordVerdict("learner-a", verdict("fail", 512 * 1024)));
report.healthFull = await store.health();
report.readFull = await store.verdictsOf("learner-a").then((verdicts) => verdicts.map((v) => v.status));
await rm(filler);
report.healthAfter = await store.health();
report.saveAfter = await outcome(store.recordVerdict("learner-a", verdict("fail")));
report.readAfter = await store
  .verdictsOf("learner-a")
  .then((verdicts) => verdicts.map((v) => ({ status: v.status, firstPassedAt: v.firstPassedAt })));
await store.close();
console.log(JSON.stringify(report));
