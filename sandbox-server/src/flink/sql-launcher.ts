// Starts the SQL runner for a run of a Flink SQL exercise. A JVM serves one run (nothing of one learner
// meets another's in a shared Flink), and TRIBUTARY_FLINK_WARM_RUNNERS of them are started and warmed up
// (cluster started, planner and Kafka connector loaded) once a learner opens a SQL exercise, before they press Run: a cold JVM needs several seconds more.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { FlinkSettings } from "../config.ts";
import { log } from "../log.ts";
import { StartedSandbox, type LauncherFactory, type PreparedProgram, type ProgramLauncher, type SandboxTemplate } from "../runs/index.ts";
import { createRunCgroup } from "../runs/containment/index.ts";
import type { ExitReason } from "../runs/index.ts";
import { RunnerClassData } from "./class-data.ts";
import { flinkCommand, type FlinkCommandSpec } from "./flink-sandbox.ts";
import type { FlinkRunnerFiles } from "./flink-jars.ts";

/** The runner's exit code for a statement it refused, or that did not parse or plan. */
const REFUSED_EXIT = 4;
/** The runner's exit code for a job that failed, or a runner that could not start; it says why on stderr. */
const JOB_FAILED_EXIT = 1;
/** The JVM's exit code under -XX:+ExitOnOutOfMemoryError (it says so on stdout, not stderr). */
const OUT_OF_MEMORY_EXIT = 3;
const TMP_BYTES = 128 * 1024 * 1024;
/** A MiniCluster runs a few hundred threads at most. */
const MAX_TASKS = 1024;

/** The launcher of SQL runs, once the server knows whether runs are sandboxed. */
export function sqlLauncherFactory(settings: FlinkSettings, runner: FlinkRunnerFiles, env: Record<string, string>): LauncherFactory {
  return (sandbox) => new SqlLauncher(settings, runner, env, sandbox);
}

class SqlLauncher implements ProgramLauncher {
  readonly limits;
  readonly #settings: FlinkSettings;
  readonly #runner: FlinkRunnerFiles;
  readonly #env: Record<string, string>;
  readonly #sandbox?: SandboxTemplate;
  readonly #runRoot: string;
  readonly #classData: RunnerClassData;
  #dumping?: ChildProcess;
  #hostsFile?: Promise<string>;
  #warm: Promise<StartedSandbox>[] = [];
  #closed = false;

  constructor(settings: FlinkSettings, runner: FlinkRunnerFiles, env: Record<string, string>, sandbox?: SandboxTemplate) {
    this.#settings = settings;
    this.#runner = runner;
    this.#env = env;
    this.#sandbox = sandbox;
    this.#runRoot = sandbox?.runRoot ?? path.join(os.tmpdir(), `tributary-flink-${process.pid}`);
    this.limits = { memoryLimitMb: settings.memoryLimitMb, cpuSeconds: settings.cpuSeconds, tmpBytes: TMP_BYTES, maxTasks: MAX_TASKS };
    this.#classData = new RunnerClassData(runner, sandbox ? "sandbox" : "plain");
  }

  /** Starts the warm runners; a server whose learners never open a SQL exercise starts none. */
  warmUp(): void {
    this.#fill();
  }

  async prepare(files: Record<string, string>): Promise<PreparedProgram> {
    const name = Object.keys(files).find((file) => file.endsWith(".sql"));
    if (!name) return { ok: false, message: `A SQL exercise runs one .sql file; this run sent ${Object.keys(files).join(", ") || "none"}.` };
    return { ok: true, fileName: "main.sql", code: files[name]! };
  }

  async start(id: string): Promise<StartedSandbox> {
    while (this.#warm.length > 0) {
      const box = await this.#warm.shift()!.catch(() => undefined);
      this.#fill();
      if (box?.alive) return box;
      void box?.discard();
    }
    return this.#startRunner(id);
  }

  exitReason(code: number | null, stderrTail: string): ExitReason | undefined {
    if (code === OUT_OF_MEMORY_EXIT || /java\.lang\.OutOfMemoryError/.test(stderrTail)) return "memory-limit";
    if (code === REFUSED_EXIT) return "compile-error";
    return undefined;
  }

  exitMessage(reason: ExitReason, code: number | null): string | undefined {
    switch (reason) {
      case "compile-error":
        return "Flink did not run your SQL: fix the statement the error above points to (line and column), and run again.";
      case "exited":
        if (code === 0) return "Your SQL finished: every job ended.";
        if (code === JOB_FAILED_EXIT) return "A Flink job failed; the error above says why.";
        log.warn({ code }, "flink: a SQL runner's JVM ended unexpectedly");
        return `Flink's JVM ended unexpectedly (${code === null ? "killed by a signal" : `exit code ${code}`}) before it could say why. Run again; if it happens again, tell your course host.`;
      case "kafka-denied":
        return "Kafka refused your query access to a topic. Name topics as the lessons do ('topic' = 'page-views'): your namespace is added for you, and other names belong to other learners.";
      case "memory-limit":
        return `Stopped: Flink used more than ${this.#settings.memoryLimitMb} MiB of memory, the limit. Does a query keep state that grows with every row (a GROUP BY over an unbounded key, a join without a window)?`;
      case "cpu-limit":
        return `Stopped: Flink used more than ${this.#settings.cpuSeconds} s of CPU time, the limit.`;
      default:
        return undefined;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#endDump();
    await this.#classData.settled();
    const warm = this.#warm.splice(0);
    await Promise.all(
      warm.map((starting) =>
        starting.then(
          (box) => box.discard(),
          () => undefined,
        ),
      ),
    );
  }

  #fill(): void {
    while (!this.#closed && this.#warm.length < this.#settings.warmRunners) {
      const starting = this.#startRunner(randomUUID());
      starting.catch((error: Error) => log.warn({ err: error.message }, "could not start a spare Flink runner"));
      this.#warm.push(starting);
    }
  }

  async #startRunner(id: string): Promise<StartedSandbox> {
    const dir = path.join(this.#runRoot, `flink-${id}`);
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const limits = this.limits;
    const cgroup = this.#sandbox?.useCgroups
      ? await createRunCgroup(`flink-${id}`, { memoryBytes: limits.memoryLimitMb * 1024 * 1024, maxTasks: MAX_TASKS })
      : undefined;
    const procsFiles = cgroup && typeof cgroup !== "string" ? cgroup.procsFiles : [];
    const { command, args, env } = flinkCommand({
      ...(await this.#commandSpec(dir, procsFiles)),
      classData: this.#classData.forStart((dumpInto) => this.#dumpClassData(dumpInto)),
    });
    const child = spawn(command, args, { cwd: dir, env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    const box = new StartedSandbox(id, dir, child, cgroup && typeof cgroup !== "string" ? cgroup : undefined);
    void box.closed.then(() => rm(dir, { recursive: true, force: true }));
    return box;
  }

  /** How a runner with its folder `runDir` and cgroups starts. */
  async #commandSpec(runDir: string, cgroupProcsFiles: string[]): Promise<FlinkCommandSpec> {
    const limits = this.limits;
    return {
      libDir: this.#runner.libDir,
      runnerDir: this.#runner.runnerDir,
      runDir,
      memoryLimitMb: limits.memoryLimitMb,
      env: this.#env,
      sandbox: this.#sandbox && {
        kafkaSocketDir: this.#sandbox.kafkaSocketDir,
        hostsFile: await this.#hosts(),
        cpuSeconds: limits.cpuSeconds,
        tmpBytes: limits.tmpBytes,
        cgroupProcsFiles,
      },
    };
  }

  /** A runner that serves no learner: it warms up with stdin closed, and its JVM writes the class-data archive as it exits. */
  async #dumpClassData(dumpInto: string): Promise<ChildProcess | undefined> {
    const { command, args, env } = flinkCommand({ ...(await this.#commandSpec(dumpInto, [])), classData: { dumpInto } });
    if (this.#closed) return undefined;
    log.info("flink: making a class-data archive for SQL runners (first time only, about a minute)");
    this.#dumping = spawn(command, args, { cwd: dumpInto, env, stdio: ["ignore", "ignore", "ignore"], detached: true });
    return this.#dumping;
  }

  /** Kills the runner making the class-data archive, if it still runs. */
  #endDump(): void {
    const dumping = this.#dumping;
    if (!dumping?.pid || dumping.exitCode !== null || dumping.signalCode !== null) return;
    try {
      process.kill(-dumping.pid, "SIGKILL");
    } catch {
      // Ended meanwhile.
    }
  }

  /** Flink resolves "localhost"; the sandbox has no /etc of its own. */
  #hosts(): Promise<string> {
    this.#hostsFile ??= (async () => {
      const file = path.join(this.#runRoot, "flink-hosts");
      await mkdir(this.#runRoot, { recursive: true });
      await writeFile(file, "127.0.0.1 localhost sandbox\n::1 localhost\n", { mode: 0o644 });
      return file;
    })();
    return this.#hostsFile;
  }
}
