// Starts a learner's compiled program in its own Node process (never inside the server),
// in its own process group so the whole tree can be killed, and watches its memory.
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";

export interface LearnerProcessOptions {
  /** The compiled program. */
  scriptPath: string;
  /** The run's scratch folder: its working directory and the only place it may read besides kafkajs. */
  scratchDir: string;
  /** Folders the program may read besides its scratch folder (the kafkajs package). */
  readableDirs: string[];
  /** The only environment it gets. */
  env: Record<string, string>;
  memoryLimitMb: number;
}

/** Starts the program; stdout and stderr are pipes, stdin is closed. */
export function spawnLearnerProcess(options: LearnerProcessOptions): ChildProcess {
  const heapMb = Math.max(32, Math.floor(options.memoryLimitMb * 0.75));
  const args = [
    `--max-old-space-size=${heapMb}`,
    "--enable-source-maps",
    "--disable-warning=TimeoutNegativeWarning",
    // A seat belt, not the boundary: files outside these folders, child processes, workers
    // and native addons are refused. Operating-system isolation is the sandbox's job.
    "--permission",
    `--allow-fs-read=${options.scratchDir}`,
    ...options.readableDirs.map((dir) => `--allow-fs-read=${dir}`),
    options.scriptPath,
  ];
  return spawn(process.execPath, args, {
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

/**
 * Ends the process and everything it started: the whole process group.
 * With a grace period the program first gets SIGTERM, so a consumer can leave its group
 * cleanly (otherwise the next run waits for the old member's session to expire); whatever
 * is left when the grace period ends, or when the program exits, is killed outright.
 */
export function endProcessTree(child: ChildProcess, graceMs = 0): void {
  if (child.pid === undefined) return;
  const running = child.exitCode === null && child.signalCode === null;
  if (!running || graceMs === 0) return signalGroup(child, "SIGKILL");
  signalGroup(child, "SIGTERM");
  const deadline = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
  child.once("exit", () => {
    clearTimeout(deadline);
    signalGroup(child, "SIGKILL");
  });
}

/** Resident memory of a process in MiB, from /proc on Linux; undefined where unavailable. */
export async function residentMemoryMb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}
