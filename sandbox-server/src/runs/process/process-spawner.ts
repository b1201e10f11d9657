// Learners' programs are started by a small process of the server's own (spawner-helper.ts), not by the
// server: Node forks its whole process to start a child, which blocks the server's event loop for as long
// as copying its memory map takes. From a server of a few hundred MiB on a busy machine that is 10 to 80 ms
// per Run, during which no learner's page, Check or Kafka traffic moves; from the spawner it is about 2 ms,
// and the server does not wait for it. A program's process is seen here as a ProgramChild: its pid, its
// output and its exit; it is signalled by its process group (process-tree.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";
import { log } from "../../log.ts";
import type { SpawnerReply, SpawnerRequest } from "./spawner-protocol.ts";

/** The helper as JavaScript, made once: it then runs under any Node, with none of the server's flags. */
let helperCode: string | undefined;
const helperSource = () =>
  (helperCode ??= transformSync(readFileSync(fileURLToPath(new URL("./spawner-helper.ts", import.meta.url)), "utf8"), {
    loader: "ts",
    format: "esm",
  }).code);

interface ProgramChildEvents {
  output: [stream: "stdout" | "stderr", data: string];
  /** Its launcher has loaded what every program needs, and waits for its run. */
  loaded: [];
  capped: [];
  error: [error: Error];
  exit: [code: number | null, signal: NodeJS.Signals | null];
  close: [code: number | null, signal: NodeJS.Signals | null];
}

/** A program's process, started by the spawner: what the server needs of a ChildProcess. */
export class ProgramChild extends EventEmitter<ProgramChildEvents> {
  readonly pid: number | undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  #closed = false;
  readonly #endStdin: (data: string) => void;

  constructor(pid: number | undefined, endStdin: (data: string) => void) {
    super();
    this.pid = pid;
    this.#endStdin = endStdin;
  }

  /** Writes `data` to the process's stdin and closes it. */
  endStdin(data = ""): void {
    this.#endStdin(data);
  }

  /** Records and tells how the process ended. */
  exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.exitCode = code;
    this.signalCode = signal;
    this.emit("exit", code, signal);
  }

  /** True once "close" has been emitted: it is emitted once. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Tells, once, that the process and its pipes are done. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Closed without an exit: it never started (a missing command, no memory to fork).
    if (this.exitCode === null && this.signalCode === null) this.exitCode = -1;
    this.emit("close", this.exitCode, this.signalCode);
  }
}

export interface SpawnOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Output past this many bytes is not relayed: the run is stopped at its output limit before. */
  outputCapBytes: number;
}

class ProcessSpawner {
  #helper?: ChildProcess;
  #nextId = 1;
  /** Every process asked for and not closed yet, with the helper that started it. */
  readonly #children = new Map<number, { helper: ChildProcess; child?: ProgramChild; started: (child: ProgramChild) => void }>();

  /** Starts a process; resolves once it has a pid, or has failed to start (its error and close then follow). */
  spawn(options: SpawnOptions): Promise<ProgramChild> {
    const helper = this.#running();
    const id = this.#nextId++;
    const started = new Promise<ProgramChild>((resolve) => this.#children.set(id, { helper, started: resolve }));
    // While a program runs the helper keeps the server's process alive; idle, it does not.
    helper.ref();
    helper.channel?.ref();
    helper.send({ type: "spawn", id, ...options } satisfies SpawnerRequest);
    return started;
  }

  #running(): ChildProcess {
    if (this.#helper?.connected) return this.#helper;
    const helper = spawn(process.execPath, ["--input-type=module", "--eval", helperSource()], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "json",
    });
    helper.on("message", (reply: SpawnerReply) => this.#receive(reply));
    // "close", not "exit": it comes also when the helper could not start at all, and after its last message.
    helper.once("close", (code, signal) => this.#lost(helper, code, signal));
    helper.on("error", (error) => log.error({ err: error }, "the process that starts learners' programs failed"));
    this.#helper = helper;
    return helper;
  }

  #receive(reply: SpawnerReply): void {
    const entry = this.#children.get(reply.id);
    if (!entry) return;
    if (reply.type === "spawned") {
      const { helper } = entry;
      entry.child = new ProgramChild(reply.pid, (data) => {
        if (helper.connected) helper.send({ type: "stdin", id: reply.id, data } satisfies SpawnerRequest);
      });
      entry.started(entry.child);
      return;
    }
    // Several replies can arrive in one read: the rest wait until whoever awaited the spawn has listened.
    setImmediate(() => this.#dispatch(reply, entry.child));
  }

  #dispatch(reply: Exclude<SpawnerReply, { type: "spawned" }>, child: ProgramChild | undefined): void {
    if (!child) return;
    switch (reply.type) {
      case "output":
        child.emit("output", reply.stream, reply.data);
        break;
      case "loaded":
        child.emit("loaded");
        break;
      case "capped":
        child.emit("capped");
        break;
      case "error":
        child.emit("error", new Error(reply.message));
        break;
      case "exit":
        child.exited(reply.code, reply.signal);
        break;
      case "close":
        this.#children.delete(reply.id);
        if (this.#children.size === 0) {
          this.#helper?.unref();
          this.#helper?.channel?.unref();
        }
        child.close();
        break;
    }
  }

  /**
   * The helper died (killed by hand, say): its sandboxes died with it (--die-with-parent); plain processes
   * are killed here. Each is reported ended, and the next spawn starts a new helper.
   */
  #lost(helper: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#helper === helper) this.#helper = undefined;
    // Only its own: a new helper may already serve runs started since.
    const orphans = [...this.#children].filter(([, entry]) => entry.helper === helper);
    if (orphans.length === 0) return;
    log.error({ code, signal, programs: orphans.length }, "the process that starts learners' programs ended; their programs end too");
    for (const [id, entry] of orphans) {
      this.#children.delete(id);
      const child = entry.child ?? new ProgramChild(undefined, () => {});
      if (!entry.child) entry.started(child);
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone with the helper.
        }
      }
      setImmediate(() => {
        if (child.closed) return;
        if (child.exitCode === null && child.signalCode === null) child.exited(null, "SIGKILL");
        child.close();
      });
    }
  }
}

/** One per server process: every ProgramHost starts its programs through it. */
export const processSpawner = new ProcessSpawner();
