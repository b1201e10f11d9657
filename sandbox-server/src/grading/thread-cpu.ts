// The CPU time one thread of this process has used, read from Linux's /proc: a grader's limit counts the
// work it did, not the time a busy machine made it wait for a core.
import { readFileSync, readlinkSync } from "node:fs";

/** The calling thread's id in /proc/self/task, or undefined where /proc does not say (not Linux). */
export function currentThreadId(): number | undefined {
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>".
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc's counters: 100 on every Linux this course runs on. */
const TICKS_PER_SECOND = 100;

/** Milliseconds of CPU (user and system) thread `tid` of this process has used; undefined once it is gone. */
export function threadCpuMs(tid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) in parentheses; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
