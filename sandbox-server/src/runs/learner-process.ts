// A learner's program runs in its own process (never inside the server), in its own process group:
// inside the OS sandbox (sandbox-pool.ts, containment/) or, where that is unavailable, as a plain
// Node process with Node's permission model as the only fence. Here: starting the plain process,
// and ending or measuring either kind.
import { spawn, type ChildProcess } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";

export interface LearnerProcessOptions {
  /** The compiled program. */
  scriptPath: string;
  /** The run's scratch folder: its working directory. */
  scratchDir: string;
  /** Folders the program may read besides its scratch folder (kafkajs). */
  readableDirs: string[];
  /** The only environment it gets. */
  env: Record<string, string>;
  memoryLimitMb: number;
}

/** The environment every learner's program gets, whoever's it is; a run adds its learner's own. */
export function commonProgramEnv(bootstrap: string[]): Record<string, string> {
  return { KAFKA_BROKERS: bootstrap.join(","), KAFKAJS_NO_PARTITIONER_WARNING: "1", FORCE_COLOR: "1", TZ: "UTC" };
}

/** Node's flags for a learner's program: its heap cap, and (unless `permissionModel` is false) Node's permission model. */
export function nodeFlags(memoryLimitMb: number, readable: string[], writable: string[], permissionModel = true): string[] {
  const heapMb = Math.max(32, Math.floor(memoryLimitMb * 0.75));
  return [
    `--max-old-space-size=${heapMb}`,
    "--enable-source-maps",
    "--disable-warning=TimeoutNegativeWarning",
    // A second fence inside the first: files outside these folders, child processes, workers and
    // native addons are refused by Node itself.
    ...(permissionModel
      ? ["--permission", ...readable.map((dir) => `--allow-fs-read=${dir}`), ...writable.map((dir) => `--allow-fs-write=${dir}`)]
      : []),
  ];
}

/**
 * Starts the program as a plain Node process, where the OS sandbox is unavailable (see
 * sandbox-pool.ts for the sandboxed way); stdout and stderr are pipes, stdin is closed.
 */
export function spawnLearnerProcess(options: LearnerProcessOptions): ChildProcess {
  const flags = nodeFlags(options.memoryLimitMb, [options.scratchDir, ...options.readableDirs], []);
  return spawn(process.execPath, [...flags, options.scriptPath], {
    cwd: options.scratchDir,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone; nothing is left to signal.
  }
}

/** Every process below `pid`, found through /proc (each process names its parent). */
export async function descendantPids(pid: number): Promise<number[]> {
  const parentOf = new Map<number, number>();
  for (const entry of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // The command name may hold spaces and parentheses; the parent pid follows the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid) parentOf.set(Number(entry), ppid);
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/**
 * Sends SIGTERM to the program itself, wherever it sits: not to the sandbox's own processes, whose
 * death would kill it at once. A program still starting inside the sandbox is waited for.
 */
async function askProgramToEnd(child: ChildProcess): Promise<void> {
  const started = child.pid;
  if (started === undefined) return;
  while (child.exitCode === null && child.signalCode === null) {
    let signalled = 0;
    for (const pid of [started, ...(await descendantPids(started))]) {
      const name = (await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "")).trim();
      if (name === "bwrap" || name === "sh" || name === "") continue;
      try {
        process.kill(pid, "SIGTERM");
        signalled++;
      } catch {
        // gone meanwhile
      }
    }
    if (signalled > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Ends the program and everything it started. With a grace period the program first gets SIGTERM,
 * so a consumer can leave its group cleanly (otherwise the next run waits for the old member's session
 * to expire); whatever is left when the grace period ends, or when the program exits, is killed outright.
 */
export function endProcessTree(child: ChildProcess, graceMs = 0): void {
  if (child.pid === undefined) return;
  const running = child.exitCode === null && child.signalCode === null;
  if (!running || graceMs === 0) {
    signalGroup(child, "SIGKILL");
    return;
  }
  void askProgramToEnd(child);
  const deadline = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
  child.once("exit", () => {
    clearTimeout(deadline);
    signalGroup(child, "SIGKILL");
  });
}

/**
 * Resident memory in MiB, from /proc on Linux; undefined where unavailable. With `tree`, the process's
 * descendants count too (a sandbox's program is a grandchild); walking /proc costs, so only then.
 */
export async function residentMemoryMb(pid: number, tree = false): Promise<number | undefined> {
  let kb = 0;
  let seen = false;
  for (const each of tree ? [pid, ...(await descendantPids(pid))] : [pid]) {
    const status = await readFile(`/proc/${each}/status`, "utf8").catch(() => "");
    const rss = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    if (Number.isFinite(rss)) {
      kb += rss;
      seen = true;
    }
  }
  return seen ? kb / 1024 : undefined;
}
