// Keeps the runs that are alive or recently finished, and refuses new ones past the caps.
import type { LearnerKafka } from "../kafka/index.ts";
import { chmod, mkdir, mkdtemp, symlink, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import type { RunSettings } from "../config.ts";
import { LearnerRun, type SlateAtLaunch } from "./learner-run.ts";
import type { RunRecord } from "./run-record.ts";
import { languageOfFiles } from "../contract/languages.ts";
import { StartRateLimit } from "./start-rate.ts";
import {
  bubblewrapAvailable,
  compileSandboxScripts,
  createRunCgroup,
  startKafkaBridge,
  sandboxFiles,
  reachableForSandbox,
  clearStaleSandboxRoots,
  SANDBOX_ROOT_PREFIX,
  type KafkaBridge,
} from "./containment/index.ts";
import { SandboxPool, type SandboxTemplate } from "./sandbox-pool.ts";
import { commonProgramEnv } from "./learner-process.ts";
import { runSandboxCanary, type CanaryResult } from "./sandbox-canary.ts";
import { ensurePythonRuntime, type PythonRuntime } from "./python/python-packages.ts";
import { isPythonProgram, pythonHostFiles, pythonSandboxInterpreter } from "./python/python-program.ts";
import { log } from "../log.ts";
import type { ProgramLauncher } from "./program-launcher.ts";

/** Builds the launcher of one kind of program once the server knows how runs are contained (no sandbox: undefined). */
export type LauncherFactory = (sandbox: SandboxTemplate | undefined) => ProgramLauncher & { close(): Promise<void> };

/** How this server contains runs, decided once at the first run. */
export interface IsolationState {
  kind: "sandbox" | "process";
  /** Why the sandbox is not used, or what it lacks (no cgroups). */
  note?: string;
  /** What the program run through the sandbox at start found (absent when no sandbox was tried). */
  canary?: CanaryResult;
}

/** How often running programs' Kafka is asked after, and how many misses in a row end them. */
const KAFKA_CHECK_MS = 2000;
const KAFKA_MISSES_TO_STOP = 2;

const CANARY_ADVICE =
  "Check that bubblewrap works for this user (`bwrap --ro-bind / / true`), or set TRIBUTARY_ISOLATION=process to run programs without it (one learner on their own machine only).";

interface SandboxSetup {
  template: SandboxTemplate;
  bridge: KafkaBridge;
  /** Sandboxes started ahead of time; absent when TRIBUTARY_WARM_SANDBOXES is 0. */
  pool?: SandboxPool;
  /** The same for Python programs, when Python is set up. */
  python?: { template: SandboxTemplate; pool?: SandboxPool };
}

/** A run was refused because too many are alive; maps to HTTP 429. */
export class RunRefused extends Error {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** What a failed run may ask Kafka, to tell the learner why it failed. */
export interface KafkaQuestions {
  /** Whether Kafka answers at all. */
  answers?: () => Promise<boolean>;
  /** How many topics and partitions a namespace holds. */
  namespaceUsage?: (namespace: string) => Promise<{ topics: number; partitions: number }>;
}

export interface StartRunInput {
  learnerId: string;
  exerciseId: string;
  files: Record<string, string>;
  /** Overrides the default wall-clock limit for this exercise. */
  wallTimeMs?: number;
  /** The learner's namespace and Kafka principal, handed to their program. */
  kafka: LearnerKafka;
  /** The exercise's language: TypeScript unless it says otherwise. */
  language?: "typescript" | "sql";
  /**
   * How the exercise's Kafka is readied just before the program starts. `fresh`: every run starts from a
   * clean slate, so the learner's other runs of the exercise are stopped first.
   */
  slate?: { fresh: boolean; ready: () => Promise<SlateAtLaunch> };
  /** Told what to keep of the run when it launches and when it ends. */
  onRecord?: (record: RunRecord) => void;
}

/** The folder of the kafkajs package, which learners' programs import. */
function kafkajsDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve("kafkajs/package.json"));
}

export class RunRegistry {
  #runs = new Map<string, LearnerRun>();
  #kafkajs = kafkajsDir();
  #prepared?: Promise<void>;
  #sandbox?: SandboxSetup;
  /** Python for main.py programs, or why there is none; known after `prepare()`. */
  #python: PythonRuntime | string = "not set up yet";
  /** Runs whose program is starting or running: they hold the server's slots. */
  #running = new Set<LearnerRun>();
  /** Runs waiting for a slot, first in line first. */
  #queue: LearnerRun[] = [];
  /** Asks whether Kafka answers while programs run (see #watchKafka). */
  #kafkaWatch?: NodeJS.Timeout;
  #kafkaMisses = 0;
  /** Known after the first run starts (or after `prepare()`). */
  isolation: IsolationState = { kind: "process", note: "not decided yet" };

  readonly settings: RunSettings;
  readonly bootstrap: string[];

  readonly #kafka: KafkaQuestions;
  readonly #startRate: StartRateLimit;
  readonly #sqlFactory?: LauncherFactory;
  #sql?: ReturnType<LauncherFactory>;

  /** `kafka` lets a failed run tell the learner why Kafka failed it; `sql` runs Flink SQL exercises. */
  constructor(settings: RunSettings, bootstrap: string[], kafka: KafkaQuestions = {}, sql?: LauncherFactory) {
    this.settings = settings;
    this.bootstrap = bootstrap;
    this.#kafka = kafka;
    this.#sqlFactory = sql;
    this.#startRate = new StartRateLimit(settings.startsPerMinute);
  }

  /**
   * The scratch root holds node_modules/kafkajs so `import "kafkajs"` resolves from every run.
   * Whatever an earlier server left behind (it may have been killed mid-run) is cleared first.
   * Then the sandbox is set up, unless isolation is "process" or (with "auto") bubblewrap cannot run here.
   */
  #prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      await rm(this.settings.scratchDir, { force: true, recursive: true });
      const modules = path.join(this.settings.scratchDir, "node_modules");
      await mkdir(modules, { recursive: true });
      await symlink(this.#kafkajs, path.join(modules, "kafkajs"), "dir");
      this.#python = await ensurePythonRuntime(undefined, (message) => log.info(message));
      if (typeof this.#python === "string") log.warn({ reason: this.#python }, "Python programs cannot run");
      this.#sandbox = await this.#setUpSandbox();
      this.#sql = this.#sqlFactory?.(this.#sandbox?.template);
    })();
    return this.#prepared;
  }

  async #setUpSandbox(): Promise<SandboxSetup | undefined> {
    if (this.settings.isolation === "process") {
      this.isolation = { kind: "process", note: "TRIBUTARY_ISOLATION=process: programs run without the OS sandbox" };
      return undefined;
    }
    const available = await bubblewrapAvailable();
    if (available !== true) {
      if (this.settings.isolation === "sandbox") throw new Error(`TRIBUTARY_ISOLATION=sandbox, but ${available}`);
      this.isolation = { kind: "process", note: available };
      console.warn(
        `⚠ Learners' programs run WITHOUT the OS sandbox: ${available}. Fine for one learner on their own machine; not for a shared server.`,
      );
      return undefined;
    }
    const cleared = await clearStaleSandboxRoots();
    if (cleared.length) log.info({ folders: cleared }, "cleared sandbox folders of servers that are gone");
    // Named after this process, so a later server knows when the folder's owner is gone.
    const runRoot = await mkdtemp(path.join(os.tmpdir(), `${SANDBOX_ROOT_PREFIX}${process.pid}-`));
    await chmod(runRoot, 0o711);
    const bridge = await startKafkaBridge(path.join(runRoot, "kafka"), this.bootstrap);
    const scripts = await compileSandboxScripts(runRoot);
    const files = await sandboxFiles(runRoot, { node: process.execPath, kafkajsDir: this.#kafkajs });
    const probe = await createRunCgroup(`probe-${process.pid}`, { memoryBytes: 64 * 1024 * 1024, maxTasks: 8 });
    const useCgroups = typeof probe !== "string";
    if (typeof probe !== "string") await probe.remove();
    const template: SandboxTemplate = {
      runRoot,
      kafkajsDir: files.kafkajsDir,
      nodePath: files.node,
      kafkaSocketDir: bridge.dir,
      scripts,
      useCgroups,
      limits: this.settings.limits,
      env: commonProgramEnv(this.bootstrap),
    };
    const canary = await runSandboxCanary(template);
    if (!canary.ok) {
      await bridge.close();
      await rm(runRoot, { recursive: true, force: true });
      const why = `the sandbox cannot run a program (${canary.error}).`;
      if (this.settings.isolation === "sandbox") throw new Error(`TRIBUTARY_ISOLATION=sandbox, but ${why} ${CANARY_ADVICE}`);
      this.isolation = { kind: "process", note: `${why} ${CANARY_ADVICE}`, canary };
      console.warn(`⚠ Learners' programs run WITHOUT the OS sandbox: ${why} ${CANARY_ADVICE}`);
      return undefined;
    }
    log.info({ canaryMs: canary.durationMs }, "a program ran in the sandbox");
    this.isolation = { kind: "sandbox", note: useCgroups ? undefined : `memory is polled, not capped by the kernel: ${probe}`, canary };
    const pool = this.settings.warmSandboxes > 0 ? new SandboxPool(template, this.settings.warmSandboxes) : undefined;
    if (typeof this.#python === "string") return { template, bridge, pool };
    // Python's run folders sit apart, so each pool's folder holds its own sandboxes only.
    const pythonRoot = path.join(runRoot, "python");
    await mkdir(pythonRoot, { mode: 0o711 });
    await chmod(pythonRoot, 0o711);
    // Cloned where nobody cannot reach (e.g. /root), the launcher and packages are bound from copies.
    const host = pythonHostFiles(this.#python);
    const staged = {
      launcher: await reachableForSandbox(runRoot, host.launcher, "python-kit/launcher.py"),
      kit: await reachableForSandbox(runRoot, host.kit, "python-kit/tributary.py"),
      packagesDir: await reachableForSandbox(runRoot, host.packagesDir, "python-packages"),
    };
    const pythonTemplate: SandboxTemplate = { ...template, runRoot: pythonRoot, interpreter: pythonSandboxInterpreter(this.#python, staged) };
    const pythonPool = this.settings.warmSandboxes > 0 ? new SandboxPool(pythonTemplate, this.settings.warmSandboxes) : undefined;
    return { template, bridge, pool, python: { template: pythonTemplate, pool: pythonPool } };
  }

  /** Gets runs of this language ready ahead of time: a learner opened such an exercise. */
  async warmUp(language: "typescript" | "sql"): Promise<void> {
    await this.#prepare();
    if (language === "sql") this.#sql?.warmUp?.();
  }

  /** Sandboxes started and waiting for a run. */
  get warmSandboxes(): number {
    return this.#sandbox?.pool?.ready ?? 0;
  }

  get(id: string): LearnerRun | undefined {
    return this.#runs.get(id);
  }

  /** Runs that have not ended yet: running or waiting in line. */
  alive(): LearnerRun[] {
    return [...this.#runs.values()].filter((run) => !run.exitEvent);
  }

  /**
   * Starts a run, or queues it when the server runs as many as it may; throws RunRefused when this
   * learner is at their cap or the queue is full too.
   */
  async start(input: StartRunInput): Promise<LearnerRun> {
    await this.#prepare();
    // From the checks to registering the run nothing awaits, so simultaneous requests of one
    // learner are counted one after another and the cap holds.
    const alive = this.alive();
    const mine = alive.filter((run) => run.learnerId === input.learnerId).length;
    if (mine >= this.settings.maxPerLearner) {
      throw new RunRefused(`You already have ${mine} programs running or waiting, the limit per learner; stop one before starting another.`, 2);
    }
    const rate = this.#startRate.take(input.learnerId);
    if (!rate.ok) {
      throw new RunRefused(
        `You started ${this.#startRate.perMinute} runs in the last minute, the limit per learner; try again in ${rate.retryAfterSeconds} s.`,
        rate.retryAfterSeconds,
      );
    }
    const full = this.#running.size >= this.settings.maxConcurrent;
    if (full && this.#queue.length >= this.settings.maxQueued) {
      throw new RunRefused(
        `The server is running ${this.#running.size} programs and ${this.#queue.length} more are waiting, its limit; try again in a minute.`,
        30,
      );
    }
    const launcher = input.language === "sql" ? this.#sql : undefined;
    if (input.language === "sql" && !launcher) throw new RunRefused("This server cannot run SQL exercises: it was started without Flink.", 60);
    // A run that starts at once takes a waiting sandbox; one that queues builds its own when its turn comes.
    const python = isPythonProgram(input.files);
    const sandbox = python ? this.#sandbox?.python : this.#sandbox;
    const prestarted = full || launcher ? undefined : sandbox?.pool?.take();
    const run: LearnerRun = new LearnerRun({
      learnerId: input.learnerId,
      exerciseId: input.exerciseId,
      language: languageOfFiles(input.files) ?? "typescript",
      files: input.files,
      limits: { ...this.settings.limits, ...launcher?.limits, wallTimeMs: input.wallTimeMs ?? this.settings.limits.wallTimeMs },
      scratchRoot: sandbox?.template.runRoot ?? this.settings.scratchDir,
      readableDirs: [path.join(this.settings.scratchDir, "node_modules"), this.#kafkajs],
      bootstrap: this.bootstrap,
      kafka: input.kafka,
      unwatchedGraceMs: this.settings.unwatchedGraceMs,
      stopGraceMs: this.settings.stopGraceMs,
      kafkaAnswers: this.#kafka.answers,
      namespaceUsage: this.#kafka.namespaceUsage,
      sandbox: sandbox?.template,
      prestarted,
      python: python ? this.#python : undefined,
      launcher,
      beforeLaunch: input.slate && (() => this.#readySlate(run, input.slate!)),
      onRecord: input.onRecord,
    });
    this.#runs.set(run.id, run);
    void run.finished.then(() => {
      this.#running.delete(run);
      this.#startWaiting();
      setTimeout(() => this.#runs.delete(run.id), this.settings.retainFinishedMs).unref();
    });
    if (!full) {
      this.#running.add(run);
      this.#watchKafka();
      await run.start();
    } else {
      this.#queue.push(run);
      this.#startWaiting();
    }
    return run;
  }

  /** A fresh slate is the newest run's alone: the learner's other runs of the exercise end first. */
  async #readySlate(run: LearnerRun, slate: NonNullable<StartRunInput["slate"]>): Promise<SlateAtLaunch> {
    if (slate.fresh) {
      const others = this.alive().filter(
        (other) => other !== run && other.learnerId === run.learnerId && other.request.exerciseId === run.request.exerciseId,
      );
      for (const other of others) other.stop("superseded");
      await Promise.all(others.map((other) => other.finished));
    }
    return slate.ready();
  }

  /** The learner's runs of an exercise that have not ended, stopped; resolves once they have ended. */
  async stopRunsOf(learnerId: string, exerciseId: string): Promise<number> {
    const mine = this.alive().filter((run) => run.learnerId === learnerId && run.request.exerciseId === exerciseId);
    for (const run of mine) run.stop("stopped");
    await Promise.all(mine.map((run) => run.finished));
    return mine.length;
  }

  /**
   * While programs run, asks every couple of seconds whether Kafka answers (one question for all runs).
   * A program whose Kafka went away would otherwise retry until its time limit; after two misses in a
   * row every running program is ended with the course's message.
   */
  #watchKafka(): void {
    const answers = this.#kafka.answers;
    if (!answers || this.#kafkaWatch) return;
    let asking = false;
    this.#kafkaWatch = setInterval(async () => {
      if (this.#running.size === 0) {
        clearInterval(this.#kafkaWatch);
        this.#kafkaWatch = undefined;
        this.#kafkaMisses = 0;
        return;
      }
      if (asking) return;
      asking = true;
      const up = await answers().catch(() => false);
      asking = false;
      if (up && this.#kafkaMisses >= KAFKA_MISSES_TO_STOP) log.info("Kafka answers again");
      this.#kafkaMisses = up ? 0 : this.#kafkaMisses + 1;
      if (this.#kafkaMisses === KAFKA_MISSES_TO_STOP) {
        log.warn({ runs: this.#running.size }, "Kafka stopped answering; ending the programs that were running");
        for (const run of this.#running) run.stop("kafka-unavailable");
      }
    }, KAFKA_CHECK_MS);
    this.#kafkaWatch.unref();
  }

  /**
   * Starts waiting runs while there are free slots, and tells the rest where they stand. The next
   * slot goes to the waiting learner who runs the fewest programs now (the earliest among equals),
   * so one learner's many runs cannot keep everyone else waiting.
   */
  #startWaiting(): void {
    this.#queue = this.#queue.filter((run) => !run.exitEvent);
    while (this.#running.size < this.settings.maxConcurrent && this.#queue.length > 0) {
      const next = this.#fairestWaiting();
      this.#queue.splice(this.#queue.indexOf(next), 1);
      this.#running.add(next);
      this.#watchKafka();
      // start() ends the run itself on any failure; this catch keeps a bug there from leaving it alive.
      next.start().catch((error: unknown) => next.failToStart(error));
    }
    for (const [i, run] of this.#queue.entries()) run.queued(i + 1);
  }

  #fairestWaiting(): LearnerRun {
    const runningOf = (learnerId: string) => [...this.#running].filter((run) => run.learnerId === learnerId).length;
    let best = this.#queue[0]!;
    let fewest = runningOf(best.learnerId);
    for (const run of this.#queue) {
      const running = runningOf(run.learnerId);
      if (running < fewest) [best, fewest] = [run, running];
    }
    return best;
  }

  /** Decides how runs are contained and sets that up, before the first run needs it. */
  prepare(): Promise<void> {
    return this.#prepare();
  }

  /** Stops every run and waits for them to end (server shutdown), then closes the Kafka bridge. */
  async stopAll(): Promise<void> {
    clearInterval(this.#kafkaWatch);
    this.#kafkaWatch = undefined;
    const alive = this.alive();
    for (const run of alive) run.stop("server-shutdown");
    await Promise.all(alive.map((run) => run.finished));
    await this.#sql?.close();
    this.#sql = undefined;
    if (this.#sandbox) {
      await this.#sandbox.pool?.close();
      await this.#sandbox.python?.pool?.close();
      await this.#sandbox.bridge.close();
      await rm(this.#sandbox.template.runRoot, { recursive: true, force: true });
      this.#sandbox = undefined;
      this.#prepared = undefined;
    }
  }
}
