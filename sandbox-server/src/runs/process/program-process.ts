// A learner's program's process, started before its run (or as the run begins) and waiting for it: every
// language's process follows one protocol. It reads its program from its run folder once one JSON line
// {"env": {...}} arrives on stdin with the learner's part of the environment; nothing of a learner is in
// it before then, and it serves one run only.
import { rm } from "node:fs/promises";
import type { Language } from "../../contract/languages.ts";
import type { RunCgroup } from "../containment/index.ts";
import { endProcessTree } from "./process-tree.ts";
import type { ProgramChild } from "./process-spawner.ts";

export type ProgramOutput = { type: "stdout" | "stderr"; data: string };

export class ProgramProcess {
  readonly id: string;
  readonly language: Language;
  /** The run's folder on the host; the prepared program goes in here. */
  readonly dir: string;
  readonly child: ProgramChild;
  readonly cgroup?: RunCgroup;
  /** True when it runs inside the OS sandbox. */
  readonly sandboxed: boolean;
  /** Settles when the process tree has ended. */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Settles once its launcher has loaded what every program needs (or the process ended first). */
  readonly loaded: Promise<void>;
  #output: ProgramOutput[] = [];
  #listener?: (output: ProgramOutput) => void;

  constructor(options: { id: string; language: Language; dir: string; child: ProgramChild; cgroup?: RunCgroup; sandboxed: boolean }) {
    ({ id: this.id, language: this.language, dir: this.dir, child: this.child, cgroup: this.cgroup, sandboxed: this.sandboxed } = options);
    const { child } = options;
    this.closed = new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
    this.loaded = new Promise((resolve) => {
      child.once("loaded", resolve);
      child.once("close", () => resolve());
    });
    child.on("output", (type, data) => {
      if (this.#listener) this.#listener({ type, data });
      else this.#output.push({ type, data });
    });
    // Spawning can fail (no bwrap any more); the close event still follows.
    child.once("error", (error) => this.#output.push({ type: "stderr", data: `Could not start the program's process: ${error.message}\n` }));
    // Its folder goes with it, whatever ends it. A folder that cannot be removed (its parent replaced or
    // gone) goes with the server's run root instead; that is no reason to stop the server.
    void this.closed.then(() => rm(this.dir, { recursive: true, force: true })).catch(() => {});
  }

  get alive(): boolean {
    return !this.child.closed && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Calls `listener` if the process writes more than its spawner relays: it is to be stopped at its output limit. */
  onCapped(listener: () => void): void {
    this.child.once("capped", listener);
  }

  /** Sends output to `listener`, starting with anything written before it was set. */
  onOutput(listener: (output: ProgramOutput) => void): void {
    this.#listener = listener;
    for (const output of this.#output.splice(0)) listener(output);
  }

  /** Begins the run: its program must already be in `dir`; `env` is the learner's part of the environment. */
  launch(env: Record<string, string>): void {
    this.child.endStdin(`${JSON.stringify({ env })}\n`);
  }

  /** Ends a process that will serve no run, and removes what it held. */
  async discard(): Promise<void> {
    endProcessTree(this.child);
    await this.closed;
    await this.cgroup?.remove();
    await rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }
}
