// Sandboxes for learners' programs, started ahead of time. Building a sandbox and starting Node in it
// (with kafkajs loaded) is most of what a Run waits for, and none of it depends on the run: the
// program and the learner's credentials arrive only when the run begins (sandbox-launcher.ts).
// Each sandbox serves exactly one run; the pool starts another in its place.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { RunLimits } from "../config.ts";
import {
  sandboxCommand,
  createRunCgroup,
  SANDBOX,
  KAFKA_SOCKET_DIR,
  type RunCgroup,
  type SandboxScripts,
  type SandboxInterpreter,
} from "./containment/index.ts";
import { endProcessTree, nodeFlags } from "./learner-process.ts";

/** What every sandbox of this server shares. */
export interface SandboxTemplate {
  /** Run folders live here: world-traversable, since sandboxes read them as an unprivileged user. */
  runRoot: string;
  kafkajsDir: string;
  /** The Node binary sandboxes run, where their unprivileged user can read it. */
  nodePath: string;
  /** The folder of broker sockets (the Kafka bridge). */
  kafkaSocketDir: string;
  scripts: SandboxScripts;
  useCgroups: boolean;
  limits: RunLimits;
  /** Environment every program gets; a run adds its learner's own when it begins. */
  env: Record<string, string>;
  /** Runs another interpreter than Node (Python), given the run's folder on the host. */
  interpreter?: (runDir: string) => SandboxInterpreter;
}

type Output = { type: "stdout" | "stderr"; data: string };

/** A started sandbox, waiting for its run (or running it). */
export class StartedSandbox {
  readonly id: string;
  /** The run's folder on the host; the program goes in as main.mjs. */
  readonly dir: string;
  readonly child: ChildProcess;
  readonly cgroup?: RunCgroup;
  /** Settles when the sandbox's process tree has ended. */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #output: Output[] = [];
  #listener?: (output: Output) => void;

  constructor(id: string, dir: string, child: ChildProcess, cgroup?: RunCgroup) {
    this.id = id;
    this.dir = dir;
    this.child = child;
    this.cgroup = cgroup;
    this.closed = new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
    for (const type of ["stdout", "stderr"] as const) {
      child[type]?.setEncoding("utf8").on("data", (data: string) => {
        if (this.#listener) this.#listener({ type, data });
        else this.#output.push({ type, data });
      });
    }
    // A sandbox that died before its run began cannot take the run's message; that is not the server's error.
    child.stdin?.on("error", () => {});
    // Spawning can fail (no bwrap any more); the close event still follows.
    child.once("error", (error) => this.#output.push({ type: "stderr", data: `Could not start the sandbox: ${error.message}\n` }));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends output to `listener`, starting with anything written before it was set. */
  onOutput(listener: (output: Output) => void): void {
    this.#listener = listener;
    for (const output of this.#output.splice(0)) listener(output);
  }

  /** Begins the run: its program must already be in `dir`; `env` is the learner's part of the environment (the rest is the template's). */
  launch(env: Record<string, string>): void {
    this.child.stdin?.end(`${JSON.stringify({ env })}\n`);
  }

  /** Ends a sandbox that will serve no run, and removes what it held. */
  async discard(): Promise<void> {
    endProcessTree(this.child);
    await this.closed;
    await this.cgroup?.remove();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Builds one sandbox for the run with this id (its folder and cgroup take the id's name). */
export async function startSandbox(id: string, template: SandboxTemplate): Promise<StartedSandbox> {
  const dir = path.join(template.runRoot, id);
  await mkdir(dir, { recursive: true });
  const { limits } = template;
  let cgroup: RunCgroup | undefined;
  if (template.useCgroups) {
    const created = await createRunCgroup(id, { memoryBytes: limits.memoryLimitMb * 1024 * 1024, maxTasks: limits.maxTasks });
    if (typeof created !== "string") cgroup = created;
  }
  const { command, args, env } = sandboxCommand({
    runDir: dir,
    kafkajsDir: template.kafkajsDir,
    nodePath: template.nodePath,
    kafkaSocketDir: template.kafkaSocketDir,
    scripts: template.scripts,
    env: template.env,
    nodeFlags: nodeFlags(
      limits.memoryLimitMb,
      [SANDBOX.home, "/opt/tributary", KAFKA_SOCKET_DIR, SANDBOX.tmp],
      [SANDBOX.tmp],
      limits.nodePermissionModel,
    ),
    limits: { cpuSeconds: limits.cpuSeconds, tmpBytes: limits.tmpBytes, openFiles: 256 },
    cgroupProcsFiles: cgroup?.procsFiles ?? [],
    interpreter: template.interpreter?.(dir),
  });
  const child = spawn(command, args, { cwd: dir, env, stdio: ["pipe", "pipe", "pipe"], detached: true });
  return new StartedSandbox(id, dir, child, cgroup);
}

/** Keeps `size` sandboxes started; `take` hands one out and starts its replacement. */
export class SandboxPool {
  readonly #template: SandboxTemplate;
  #size: number;
  #ready: StartedSandbox[] = [];
  #starting = new Set<Promise<void>>();

  constructor(template: SandboxTemplate, size: number) {
    this.#template = template;
    this.#size = size;
    this.#fill();
  }

  /** A started sandbox, or undefined when none is ready (the caller starts one itself). */
  take(): StartedSandbox | undefined {
    // A sandbox that died while waiting (the OOM killer, say) serves no one.
    const dead = this.#ready.filter((box) => !box.alive);
    this.#ready = this.#ready.filter((box) => box.alive);
    for (const box of dead) void box.discard();
    const box = this.#ready.shift();
    this.#fill();
    return box;
  }

  get ready(): number {
    return this.#ready.length;
  }

  #fill(): void {
    while (this.#ready.length + this.#starting.size < this.#size) {
      const starting: Promise<void> = startSandbox(randomUUID(), this.#template)
        .then(async (box) => {
          if (this.#size > 0) this.#ready.push(box);
          else await box.discard();
        })
        .catch((error: Error) => console.warn(`Could not start a spare sandbox: ${error.message}`))
        .finally(() => this.#starting.delete(starting));
      this.#starting.add(starting);
    }
  }

  /** Ends every waiting sandbox, and those still starting; the pool starts no more. */
  async close(): Promise<void> {
    this.#size = 0;
    await Promise.all([...this.#ready.splice(0).map((box) => box.discard()), ...this.#starting]);
  }
}
