// A run's control groups, made in the real cgroup file system: what a killed server leaves behind is removed
// by the next one, and nothing a live run still uses.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clearStaleRunCgroups, createRunCgroup, type RunCgroup } from "../../sandbox-server/src/runs/containment/index.ts";

const probe = await createRunCgroup(`probe-${randomUUID()}`, { memoryBytes: 64 * 1024 * 1024, maxTasks: 8 });
if (typeof probe !== "string") await probe.remove();
const made: RunCgroup[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  for (const group of made) await group.remove();
});

/** A run's groups, as a server makes them; `hoursAgo` dates them back, as if a killed server had left them. */
async function runGroups(hoursAgo = 0): Promise<{ group: RunCgroup; dirs: string[] }> {
  const group = await createRunCgroup(`test-${randomUUID()}`, { memoryBytes: 64 * 1024 * 1024, maxTasks: 8 });
  if (typeof group === "string") throw new Error(group);
  made.push(group);
  const dirs = group.procsFiles.map((file) => path.dirname(file));
  const then = new Date(Date.now() - hoursAgo * 3600_000);
  for (const dir of dirs) await utimes(dir, then, then);
  return { group, dirs };
}

describe.skipIf(typeof probe === "string")("run cgroups left behind", () => {
  it("are removed when empty and old, while a fresh group and an old one with a process in it stay", async () => {
    const left = await runGroups(1);
    const fresh = await runGroups();
    const inUse = await runGroups(1);
    const sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
    children.push(sleeper);
    for (const file of inUse.group.procsFiles) await writeFile(file, String(sleeper.pid));

    expect(await clearStaleRunCgroups()).toBeGreaterThanOrEqual(1);
    for (const dir of left.dirs) expect(existsSync(dir)).toBe(false);
    for (const dir of [...fresh.dirs, ...inUse.dirs]) expect(existsSync(dir)).toBe(true);
    expect(await inUse.group.pids()).toEqual([sleeper.pid]);
  });
});
