// Flink SQL on Apache Flink: the learner's script runs in the SQL runner (flink/sql-runner), one JVM per
// run (nothing of one learner meets another's in a shared Flink), in the same sandbox as every program.
// Runners are started ahead of runs once a learner opens a SQL exercise (cluster started, planner and
// Kafka connector loaded), and map a class-data archive of a warmed-up runner's classes once one exists.
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { FlinkSettings, RunLimits } from "../../../config.ts";
import { log } from "../../../log.ts";
import type { ExitReason } from "../../../contract/run-events.ts";
import type { ProgramHost } from "../../process/program-host.ts";
import { spawnPlanned } from "../../process/start-program.ts";
import { endProcessTree } from "../../process/process-tree.ts";
import type { ProgramChild } from "../../process/process-spawner.ts";
import type { LanguageRuntime, PreparedProgram, ProcessPlan } from "../language-runtime.ts";
import { RunnerClassData } from "./class-data.ts";
import type { FlinkRunnerFiles } from "./flink-jars.ts";
import { CLASS_DATA_DUMP, FLINK_SANDBOX, SQL_RUNNER_MAIN, javaInstallation, jvmFlags } from "./jvm.ts";

/** The runner's exit code for a statement it refused, or that did not parse or plan. */
const REFUSED_EXIT = 4;
/** The runner's exit code for a job that failed, or a runner that could not start; it says why on stderr. */
const JOB_FAILED_EXIT = 1;
/** The JVM's exit code under -XX:+ExitOnOutOfMemoryError (it says so on stdout, not stderr). */
const OUT_OF_MEMORY_EXIT = 3;
const TMP_BYTES = 128 * 1024 * 1024;
/** A MiniCluster runs a few hundred threads at most. */
const MAX_TASKS = 1024;

export class SqlLanguageRuntime implements LanguageRuntime {
  readonly language = "sql" as const;
  readonly limits: Partial<RunLimits>;
  // A Flink job keeps its JVM busy while it compiles and warms up, then mostly waits for records.
  readonly cpus = 1 / 4;
  readonly warm: LanguageRuntime["warm"];
  readonly canary = { files: { "main.sql": "SELECT 'tributary canary: sql' AS canary;\n" }, expect: "tributary canary: sql" };
  readonly #settings: FlinkSettings;
  readonly #runner: FlinkRunnerFiles;
  #host?: ProgramHost;
  #lib?: string;
  #runnerJar?: string;
  #classData?: RunnerClassData;
  #dumping?: ProgramChild;
  #closed = false;

  constructor(settings: FlinkSettings, runner: FlinkRunnerFiles) {
    this.#settings = settings;
    this.#runner = runner;
    this.limits = { memoryLimitMb: settings.memoryLimitMb, cpuSeconds: settings.cpuSeconds, tmpBytes: TMP_BYTES, maxTasks: MAX_TASKS };
    this.warm = { when: "on-demand", count: settings.warmRunners };
  }

  async setUp(host: ProgramHost): Promise<string | undefined> {
    this.#host = host;
    // Cloned where nobody may enter (/root, say), Flink's jars and the runner are bound from links or copies.
    this.#lib = await host.reachable(this.#runner.libDir, "flink-lib");
    this.#runnerJar = await host.reachable(this.#runner.runnerJar, "flink-runner/runner.jar");
    this.#classData = new RunnerClassData(this.#runner, host.sandbox ? "sandbox" : "plain", host.runRoot);
    return undefined;
  }

  /** The class-data archive's state, for health. */
  get classDataState(): string {
    return this.#classData?.state ?? "not started";
  }

  async prepare(files: Readonly<Record<string, string>>): Promise<PreparedProgram> {
    const name = Object.keys(files).find((file) => file.endsWith(".sql"));
    if (!name) return { ok: false, message: `A SQL exercise runs one .sql file; this run sent ${Object.keys(files).join(", ") || "none"}.` };
    return { ok: true, files: { "main.sql": files[name]! } };
  }

  async plan(runDir: string, limits: RunLimits): Promise<ProcessPlan> {
    const archive = await this.#classData!.forStart(() => this.#dumpClassData());
    const use = archive && (await this.#host!.reachable(archive, `flink-runner/${path.basename(archive)}`));
    // A staged copy keeps the archive's name.
    return this.#planFor(runDir, limits, use ? { use } : undefined);
  }

  /** The runner's command line; `classData` maps an archive (`use`) or writes one as the JVM exits (`dumpInto`). */
  #planFor(runDir: string, limits: RunLimits, classData?: { use: string } | { dumpInto: string }): ProcessPlan {
    const { java, confDir } = javaInstallation();
    if (!this.#host!.sandbox) {
      const classpath = [this.#runnerJar!, path.join(this.#lib!, "*")].join(path.delimiter);
      const dataFile = classData && ("use" in classData ? classData : { dumpInto: path.join(classData.dumpInto, CLASS_DATA_DUMP) });
      return {
        readOnly: [],
        argv: [java, ...jvmFlags(limits.memoryLimitMb, runDir, dataFile), "-cp", classpath, SQL_RUNNER_MAIN, path.join(runDir, "main.sql")],
        chdir: runDir,
        env: { TZ: "UTC" },
      };
    }
    // The archive keeps its name inside the sandbox, beside the runner's jar: the name says which one a JVM maps.
    const archiveInside = classData && "use" in classData ? path.posix.join(FLINK_SANDBOX.runner, path.basename(classData.use)) : "";
    const insideData =
      classData && ("use" in classData ? { use: archiveInside } : { dumpInto: path.posix.join(FLINK_SANDBOX.classDataDump, CLASS_DATA_DUMP) });
    return {
      readOnly: [
        ...(confDir ? ([[confDir, confDir]] as [string, string][]) : []),
        [this.#lib!, FLINK_SANDBOX.lib],
        [this.#runnerJar!, `${FLINK_SANDBOX.runner}/runner.jar`],
        ...(classData && "use" in classData ? ([[classData.use, archiveInside]] as [string, string][]) : []),
        [runDir, FLINK_SANDBOX.runDir],
      ],
      writable: classData && "dumpInto" in classData ? [[classData.dumpInto, FLINK_SANDBOX.classDataDump]] : [],
      argv: [
        java,
        ...jvmFlags(limits.memoryLimitMb, FLINK_SANDBOX.tmp, insideData),
        "-cp",
        `${FLINK_SANDBOX.runner}/runner.jar:${FLINK_SANDBOX.lib}/*`,
        SQL_RUNNER_MAIN,
        FLINK_SANDBOX.script,
      ],
      chdir: FLINK_SANDBOX.tmp,
      env: { TZ: "UTC" },
      needsHostsFile: true,
    };
  }

  /** A runner that serves no learner: it warms up with stdin closed, and its JVM writes the class-data archive as it exits. */
  async #dumpClassData(): Promise<{ dumpInto: string; process: Promise<ProgramChild | undefined> }> {
    const dumpInto = await this.#classData!.dumpFolder();
    const started = (async () => {
      if (this.#closed) return undefined;
      log.info("flink: making a class-data archive for SQL runners (first time only, about a minute)");
      const limits = { ...this.#defaultLimits(), cpuSeconds: this.#settings.cpuSeconds };
      const id = `class-data-${randomUUID()}`;
      const proc = await spawnPlanned(this.#host!, {
        id,
        language: "sql",
        dir: dumpInto,
        plan: this.#planFor(dumpInto, limits, { dumpInto }),
        limits,
      });
      proc.child.endStdin();
      this.#dumping = proc.child;
      return proc.child;
    })();
    return { dumpInto, process: started };
  }

  #defaultLimits(): RunLimits {
    return {
      wallTimeMs: 300_000,
      outputLimitBytes: 1024 * 1024,
      memoryLimitMb: this.#settings.memoryLimitMb,
      sourceLimitBytes: 0,
      cpuSeconds: this.#settings.cpuSeconds,
      tmpBytes: TMP_BYTES,
      maxTasks: MAX_TASKS,
      nodePermissionModel: true,
    };
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
    if (this.#dumping) endProcessTree(this.#dumping);
    await this.#classData?.settled();
  }
}
