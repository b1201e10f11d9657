// A control group per run: a hard memory cap the kernel enforces (the program is killed, not asked),
// a cap on processes and threads, and a list of every process the run started, to end them all.
// Works with cgroup v2, or v1's memory and pids hierarchies; needs the right to create groups (root).
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rmdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";

const ROOT = "/sys/fs/cgroup";
const GROUP = "tributary";

export interface RunCgroupLimits {
  memoryBytes: number;
  /** Processes and threads together (Node alone uses about a dozen threads). */
  maxTasks: number;
}

export interface RunCgroup {
  /** Files to write a pid into to put that process (and what it starts) in the group. */
  procsFiles: string[];
  /** Every process in the group now. */
  pids(): Promise<number[]>;
  /** True when the kernel killed a process for passing the memory cap. */
  hitMemoryLimit(): Promise<boolean>;
  /** Kills what is left and removes the group. */
  remove(): Promise<void>;
}

type Layout = { version: 2; dir: string } | { version: 1; memory: string; pids: string };

function detectLayout(): Layout | undefined {
  if (existsSync(path.join(ROOT, "cgroup.controllers"))) {
    const controllers = readFileSync(path.join(ROOT, "cgroup.controllers"), "utf8");
    return controllers.includes("memory") && controllers.includes("pids") ? { version: 2, dir: ROOT } : undefined;
  }
  const memory = path.join(ROOT, "memory");
  const pids = path.join(ROOT, "pids");
  return existsSync(path.join(memory, "cgroup.procs")) && existsSync(path.join(pids, "cgroup.procs")) ? { version: 1, memory, pids } : undefined;
}

async function readPids(file: string): Promise<number[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.split("\n").filter(Boolean).map(Number);
}

async function removeGroup(dir: string): Promise<void> {
  // A group can be removed once it is empty; the processes may take a moment to be reaped.
  for (let attempt = 0; attempt < 50; attempt++) {
    for (const pid of await readPids(path.join(dir, "cgroup.procs"))) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      // Gone already (a later server cleared it as left behind).
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Creates the run's group, or returns undefined (with the reason) where cgroups cannot be used. */
export async function createRunCgroup(runId: string, limits: RunCgroupLimits): Promise<RunCgroup | string> {
  const layout = detectLayout();
  if (!layout) return "no cgroup memory and pids controllers";
  try {
    if (layout.version === 2) {
      const parent = path.join(layout.dir, GROUP);
      await mkdir(parent, { recursive: true });
      await writeFile(path.join(parent, "cgroup.subtree_control"), "+memory +pids").catch(() => {});
      const dir = path.join(parent, runId);
      await mkdir(dir);
      await writeFile(path.join(dir, "memory.max"), String(limits.memoryBytes));
      await writeFile(path.join(dir, "memory.swap.max"), "0").catch(() => {});
      await writeFile(path.join(dir, "pids.max"), String(limits.maxTasks));
      return {
        procsFiles: [path.join(dir, "cgroup.procs")],
        pids: () => readPids(path.join(dir, "cgroup.procs")),
        hitMemoryLimit: async () => /oom_kill [1-9]/.test(await readFile(path.join(dir, "memory.events"), "utf8").catch(() => "")),
        remove: () => removeGroup(dir),
      };
    }
    const memory = path.join(layout.memory, GROUP, runId);
    const pids = path.join(layout.pids, GROUP, runId);
    await mkdir(memory, { recursive: true });
    await mkdir(pids, { recursive: true });
    await writeFile(path.join(memory, "memory.limit_in_bytes"), String(limits.memoryBytes));
    await writeFile(path.join(memory, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes)).catch(() => {});
    await writeFile(path.join(pids, "pids.max"), String(limits.maxTasks));
    return {
      procsFiles: [path.join(memory, "cgroup.procs"), path.join(pids, "cgroup.procs")],
      pids: () => readPids(path.join(pids, "cgroup.procs")),
      hitMemoryLimit: async () => {
        const oom = await readFile(path.join(memory, "memory.oom_control"), "utf8").catch(() => "");
        if (/^oom_kill \d+$/m.test(oom)) return /^oom_kill [1-9]/m.test(oom);
        return Number(await readFile(path.join(memory, "memory.failcnt"), "utf8").catch(() => "0")) > 0;
      },
      remove: async () => {
        await removeGroup(pids);
        await removeGroup(memory);
      },
    };
  } catch (error) {
    return `cannot create control groups here (${(error as Error).message})`;
  }
}

/**
 * Removes the empty run groups left by servers that were killed (a group goes with its run only when the server
 * sees the run end): each holds a little kernel memory for good. Only groups older than `olderThanMs`, since
 * another server on this machine fills a group it made within moments. Returns how many runs' groups went.
 */
export async function clearStaleRunCgroups(olderThanMs = 10 * 60 * 1000): Promise<number> {
  const layout = detectLayout();
  if (!layout) return 0;
  const parents = layout.version === 2 ? [path.join(layout.dir, GROUP)] : [path.join(layout.memory, GROUP), path.join(layout.pids, GROUP)];
  const cleared = new Set<string>();
  for (const parent of parents) {
    const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(parent, entry.name);
      const made = await stat(dir).catch(() => undefined);
      if (!made || Date.now() - made.mtimeMs < olderThanMs || (await readPids(path.join(dir, "cgroup.procs"))).length > 0) continue;
      // A group that is not empty after all (or not ours to remove) stays.
      if (
        await rmdir(dir).then(
          () => true,
          () => false,
        )
      )
        cleared.add(entry.name);
    }
  }
  return cleared.size;
}
