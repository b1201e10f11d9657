// A learner's program runs in its own process group (never inside the server), sandboxed or not. Here:
// the one way to end such a process and everything it started, and to measure it.
import type { ProgramChild } from "./process-spawner.ts";
import { readFile, readdir } from "node:fs/promises";

function signalGroup(child: ProgramChild, signal: NodeJS.Signals): void {
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
async function askProgramToEnd(child: ProgramChild): Promise<void> {
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
export function endProcessTree(child: ProgramChild, graceMs = 0): void {
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
