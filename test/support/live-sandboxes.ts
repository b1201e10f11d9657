// Counts the sandboxes a server in this test process holds: its bubblewrap process trees, and the run
// folders in its sandbox root. Each test file runs in a process of its own, so the counts are its own.
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { SANDBOX_ROOT_PREFIX } from "../../sandbox-server/src/runs/containment/index.ts";

interface ProcessEntry {
  pid: number;
  parent: number;
  command: string;
}

async function processTable(): Promise<Map<number, ProcessEntry>> {
  const table = new Map<number, ProcessEntry>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    // /proc/<pid>/stat: "pid (command) state ppid ...": the command may hold spaces and parentheses.
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    const close = stat.lastIndexOf(")");
    if (close < 0) continue;
    const command = stat.slice(stat.indexOf("(") + 1, close);
    const parent = Number(stat.slice(close + 2).split(" ")[1]);
    table.set(Number(name), { pid: Number(name), parent, command });
  }
  return table;
}

/** Bubblewrap process trees below this process: a bwrap whose parent is not one (bwrap forks itself inside). */
export async function sandboxTrees(root = process.pid): Promise<number> {
  const table = await processTable();
  const below = (entry: ProcessEntry): boolean => {
    for (let at = table.get(entry.parent); at; at = table.get(at.parent)) if (at.pid === root) return true;
    return false;
  };
  return [...table.values()].filter((entry) => entry.command === "bwrap" && table.get(entry.parent)?.command !== "bwrap" && below(entry)).length;
}

const PROCESS_ID = /^(canary-\w+-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The servers' run folders in this process's sandbox roots (each process, warm or running, has one). */
export async function runFolders(pid = process.pid): Promise<string[]> {
  const roots = (await readdir(os.tmpdir())).filter((name) => name.startsWith(`${SANDBOX_ROOT_PREFIX}${pid}-`));
  const folders: string[] = [];
  for (const root of roots) {
    const entries = await readdir(path.join(os.tmpdir(), root), { withFileTypes: true });
    // A process's folder is named after its id; beside them lie the Kafka bridge's sockets, staged files and
    // a language's shared files (node-kit), which no process owns.
    for (const entry of entries) if (entry.isDirectory() && PROCESS_ID.test(entry.name)) folders.push(entry.name);
  }
  return folders;
}
