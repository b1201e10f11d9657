// The small process that starts learners' programs for the server (see process-spawner.ts). Node forks
// the whole parent to start a child, and a fork's cost grows with the parent's memory: from the server
// (hundreds of MiB) a start blocks its event loop for 10 to 80 ms, from this process for about 2 ms.
// It relays each child's output and exit to the server over the IPC channel and writes what the server
// sends to the child's stdin. It holds nothing of a learner but their process's pipes.
import { spawn, type ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";
import type { SpawnerReply, SpawnerRequest } from "./spawner-protocol.ts";

const children = new Map<number, ChildProcess>();

const reply = (message: SpawnerReply) => process.send?.(message);

// The server went away: this process goes too, and a sandbox started with --die-with-parent with it.
process.on("disconnect", () => process.exit(0));
// The server's shutdown decides when programs end, with their grace to leave their groups: a Ctrl-C sent to
// the terminal's whole process group must not end them first.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => {});

function start(request: Extract<SpawnerRequest, { type: "spawn" }>): void {
  const { id, command, args, cwd, env, outputCapBytes } = request;
  let child: ChildProcess;
  try {
    // A fourth pipe, on which the program's launcher says it has loaded (LOADED_FD in inside/sandbox-paths.ts).
    child = spawn(command, args, { cwd, env, stdio: ["pipe", "pipe", "pipe", "pipe"], detached: true });
  } catch (error) {
    // Out of memory or of process slots: this run fails, not every run this process serves.
    reply({ type: "spawned", id, pid: undefined });
    reply({ type: "error", id, message: (error as Error).message });
    reply({ type: "close", id });
    return;
  }
  children.set(id, child);
  let relayed = 0;
  let capped = false;
  for (const [stream, pipe] of [
    ["stdout", child.stdout],
    ["stderr", child.stderr],
  ] as const) {
    pipe?.setEncoding("utf8").on("data", (data: string) => {
      if (capped) return;
      relayed += Buffer.byteLength(data);
      reply({ type: "output", id, stream, data });
      if (relayed > outputCapBytes) {
        // The server stops the run; until then the program waits on a full pipe rather than filling this
        // process's memory, or its loop, with output nobody will read.
        capped = true;
        reply({ type: "capped", id });
        child.stdout?.pause();
        child.stderr?.pause();
      }
    });
  }
  child.stdin?.on("error", () => {});
  const loaded = child.stdio[3] as Readable | null;
  loaded?.on("error", () => {});
  loaded?.once("data", () => reply({ type: "loaded", id }));
  loaded?.resume();
  child.once("error", (error) => reply({ type: "error", id, message: error.message }));
  child.once("exit", (code, signal) => {
    // Paused pipes must still be read to their end, or "close" never comes.
    child.stdout?.resume();
    child.stderr?.resume();
    reply({ type: "exit", id, code, signal });
  });
  child.once("close", () => {
    children.delete(id);
    reply({ type: "close", id });
  });
  reply({ type: "spawned", id, pid: child.pid });
}

process.on("message", (request: SpawnerRequest) => {
  if (request.type === "spawn") start(request);
  else {
    const stdin = children.get(request.id)?.stdin;
    if (stdin && !stdin.destroyed) stdin.end(request.data);
  }
});
