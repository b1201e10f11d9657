// Counting a run's processes from outside, as the host sees them.
import { readFile, readdir } from "node:fs/promises";

/** Host processes whose command line names `text`: every process of a run names its folder, which holds the run id. */
export async function processesMentioning(text: string): Promise<number> {
  let count = 0;
  for (const pid of await readdir("/proc")) {
    if (/^\d+$/.test(pid) && (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).includes(text)) count++;
  }
  return count;
}
