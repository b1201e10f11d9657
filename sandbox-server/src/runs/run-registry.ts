// Keeps the runs that are alive or recently finished, refuses new ones past the caps, and gives each the
// process of its language: one waiting in the pool, or one started for it.
import type { LearnerKafka } from "../kafka/index.ts";
import os, { availableParallelism } from "node:os";
import path from "node:path";
import { hostRunMemoryMb, type RunLimits, type RunSettings } from "../config.ts";
import type { WaitingFor } from "../contract/run-events.ts";
import type { Language } from "../contract/languages.ts";
import { languageOfFiles } from "../contract/languages.ts";
import { log } from "../log.ts";
import { LearnerRun, type SlateAtLaunch } from "./learner-run.ts";
import type { RunRecord } from "./run-record.ts";
import { StartRateLimit } from "./start-rate.ts";
import { runCanary, type CanaryResult } from "./sandbox-canary.ts";
import type { LanguageRuntime } from "./languages/language-runtime.ts";
import { PythonLanguageRuntime } from "./languages/python/runtime.ts";
import { TypeScriptRuntime } from "./languages/typescript/runtime.ts";
import { commonProgramEnv, plainProgramHost, setUpProgramHost, type ProgramHost } from "./process/program-host.ts";
import { startKafkaBridge, type KafkaBridge, type TopicsListed } from "./containment/index.ts";
import { ProgramPool, type SpareRoom } from "./process/program-pool.ts";
import { startProgramProcess } from "./process/start-program.ts";

/** How this server contains runs, decided once at the first run. */
export interface IsolationState {
  kind: "sandbox" | "process";
  /** Why the sandbox is not used, or what it lacks (no cgroups). */
  note?: string;
  /** What the TypeScript program run through the sandbox at start found (absent when no sandbox was tried). */
  canary?: CanaryResult;
}

/** Whether each language can run here: its canary's result, or why it cannot run at all. */
export type LanguageHealth = Partial<Record<Language, { ok: boolean | null; note?: string; canary?: CanaryResult }>>;

/** What a run asks of the server while it runs. */
interface RunNeeds {
  memoryMb: number;
  cpus: number;
}

/** How often running programs' Kafka is asked after, and how many misses in a row end them. */
const KAFKA_CHECK_MS = 2000;
/** A learner seen this recently (any request with their cookie) is reading, and may press Run soon. */
const READER_WINDOW_MS = 10 * 60 * 1000;
/** How often the processes kept for readers are counted again (readers come and go, room frees up). */
const READERS_LOOK_MS = 1000;
/** What a process waiting for its run holds (Node with kafkajs loaded holds about 17 MiB, Python about 20). */
const WAITING_PROCESS_MB = 32;
/** Processes for readers may together hold at most this share of the runs' memory budget. */
const READERS_MEMORY_SHARE = 1 / 4;

/** Whether most of the machine's CPU time went idle since the last look: then a process for a reader may start. */
function machineMostlyIdle(): SpareRoom["now"] {
  const totals = () => {
    let idle = 0;
    let all = 0;
    for (const { times } of os.cpus()) {
      idle += times.idle;
      all += times.user + times.nice + times.sys + times.idle + times.irq;
    }
    return { idle, all };
  };
  let last = totals();
  let lastAt = Date.now();
  let idleShare = 1;
  return () => {
    // Looks closer together than this share the last answer: the counters move in hundredths of a second.
    if (Date.now() - lastAt >= 250) {
      const now = totals();
      idleShare = now.all > last.all ? (now.idle - last.idle) / (now.all - last.all) : idleShare;
      [last, lastAt] = [now, Date.now()];
    }
    return idleShare >= 0.5;
  };
}
const KAFKA_MISSES_TO_STOP = 2;

const CANARY_ADVICE =
  "Check that bubblewrap works for this user (`bwrap --ro-bind / / true`), or set TRIBUTARY_ISOLATION=process to run programs without it (one learner on their own machine only).";

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
  /** Resolves once a broker lists topics a program has just created (see created-topics-gate.ts). */
  topicsListed?: TopicsListed;
  /** How many topics and partitions a namespace holds. */
  namespaceUsage?: (namespace: string) => Promise<{ topics: number; partitions: number }>;
}

/**
 * Kafka other than the course's that a run reaches (a learner's lab): its brokers, the bridge to them for a
 * sandboxed program, and how a failed run asks after it.
 */
export interface RunCluster {
  bootstrap: string[];
  /** The bridge's socket folder (see openBridge); none when programs run without the sandbox. */
  socketDir?: string;
  answers?: () => Promise<boolean>;
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
  /** The exercise's main language, for files that name none. */
  language?: Language;
  /**
   * How the exercise's Kafka is readied just before the program starts. `fresh`: every run starts from a
   * clean slate, so the learner's other runs of the exercise are stopped first.
   */
  slate?: { fresh: boolean; ready: () => Promise<SlateAtLaunch> };
  /** Told what to keep of the run when it launches and when it ends. */
  onRecord?: (record: RunRecord) => void;
  /** Where the program reaches Kafka, when not the course's brokers. */
  cluster?: RunCluster;
}

export class RunRegistry {
  #runs = new Map<string, LearnerRun>();
  #prepared?: Promise<void>;
  #host?: ProgramHost;
  #pool?: ProgramPool;
  /** The languages that can run here, after `prepare()`. */
  #runtimes = new Map<Language, LanguageRuntime>();
  #languages: LanguageHealth = {};
  /** Runs whose program is starting or running: they hold the server's slots. */
  #running = new Set<LearnerRun>();
  /** Runs waiting for a slot, first in line first. */
  #queue: LearnerRun[] = [];
  /** What each run that has not ended asks of the server (see #shortOf). */
  #needs = new Map<LearnerRun, RunNeeds>();
  /** The memory and cores runs may be promised at once. */
  readonly #budget: RunNeeds;
  /** Asks whether Kafka answers while programs run (see #watchKafka). */
  #kafkaWatch?: NodeJS.Timeout;
  #kafkaMisses = 0;
  /** Learners reading lately: when each was last seen, and the language they last ran (TypeScript until then). */
  #readers = new Map<string, { seenAt: number; language: Language }>();
  #readersLook?: NodeJS.Timeout;
  /** Asks, once a second, whether most of the machine's CPU time went idle lately. */
  #mostlyIdle = machineMostlyIdle();
  #stopping = false;
  /** Known after the first run starts (or after `prepare()`). */
  isolation: IsolationState = { kind: "process", note: "not decided yet" };

  readonly settings: RunSettings;
  readonly bootstrap: string[];

  readonly #kafka: KafkaQuestions;
  readonly #startRate: StartRateLimit;
  readonly #offered: LanguageRuntime[];

  /**
   * `kafka` lets a failed run tell the learner why Kafka failed it; `languages` are the runtimes offered
   * (TypeScript and Python unless given; the server adds Flink SQL when the course has SQL exercises).
   */
  constructor(settings: RunSettings, bootstrap: string[], kafka: KafkaQuestions = {}, languages?: LanguageRuntime[]) {
    this.settings = settings;
    this.bootstrap = bootstrap;
    this.#kafka = kafka;
    this.#offered = languages ?? [new TypeScriptRuntime(settings.warmSandboxes), new PythonLanguageRuntime(settings.warmSandboxes)];
    this.#startRate = new StartRateLimit(settings.startsPerMinute);
    this.#budget = { memoryMb: settings.memoryBudgetMb ?? hostRunMemoryMb(), cpus: settings.cpus ?? availableParallelism() };
  }

  /** A language's limits: the server's defaults, then the language's own. */
  #limitsOf(runtime: LanguageRuntime): RunLimits {
    return { ...this.settings.limits, ...runtime.limits };
  }

  /**
   * Sets up where programs run (the sandbox unless isolation is "process" or bubblewrap cannot run here),
   * then each language. TypeScript's canary decides whether the sandbox is trusted; the others' run in the
   * background, Flink SQL's once a learner first opens a SQL exercise.
   */
  #prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      let host = await setUpProgramHost(this.settings, this.bootstrap, this.#kafka.topicsListed);
      let canary: CanaryResult | undefined;
      if (host.kind === "sandbox") {
        const typescript = this.#offered.find((runtime) => runtime.language === "typescript")!;
        await typescript.setUp(host);
        canary = await runCanary(host, typescript, this.#limitsOf(typescript));
        if (!canary.ok) {
          await host.close();
          const why = `the sandbox cannot run a program (${canary.error}).`;
          if (this.settings.isolation === "sandbox") throw new Error(`TRIBUTARY_ISOLATION=sandbox, but ${why} ${CANARY_ADVICE}`);
          console.warn(`⚠ Learners' programs run WITHOUT the OS sandbox: ${why} ${CANARY_ADVICE}`);
          host = await plainProgramHost(this.settings, this.bootstrap, `${why} ${CANARY_ADVICE}`);
        } else {
          log.info({ canaryMs: canary.durationMs }, "a program ran in the sandbox");
        }
      }
      this.#host = host;
      this.isolation = { kind: host.kind, ...(host.note ? { note: host.note } : {}), ...(canary ? { canary } : {}) };
      for (const runtime of this.#offered) {
        const unavailable = await runtime.setUp(host).catch((error: Error) => error.message);
        if (unavailable) {
          log.warn({ language: runtime.language, reason: unavailable }, "a language cannot run on this server");
          this.#languages[runtime.language] = { ok: false, note: unavailable };
          continue;
        }
        this.#runtimes.set(runtime.language, runtime);
        this.#languages[runtime.language] = { ok: null };
      }
      if (canary?.ok) this.#languages.typescript = { ok: true, canary };
      this.#pool =
        this.settings.warmSandboxes > 0 || this.settings.warmForReaders > 0 || this.#runtimes.has("sql")
          ? new ProgramPool(host, [...this.#runtimes.values()], (runtime) => this.#limitsOf(runtime), {
              now: this.#roomForReaders(),
              startsAtOnce: this.#budget.cpus,
            })
          : undefined;
      for (const runtime of this.#runtimes.values()) if (runtime.warm.when === "always") void this.#checkLanguage(runtime);
    })();
    return this.#prepared;
  }

  /** Runs a language's canary once, and keeps what it found for health. */
  #checkLanguage(runtime: LanguageRuntime): Promise<void> {
    const known = this.#languages[runtime.language];
    if (known?.ok !== null && known !== undefined) return Promise.resolve();
    this.#languages[runtime.language] = { ok: null, note: "being checked" };
    return runCanary(this.#host!, runtime, this.#limitsOf(runtime)).then((canary) => {
      this.#languages[runtime.language] = canary.ok
        ? { ok: true, canary }
        : { ok: false, canary, note: `a ${runtime.language} program cannot run: ${canary.error}` };
      if (!canary.ok) log.warn({ language: runtime.language, err: canary.error }, "a language's canary failed");
    });
  }

  /** Gets runs of this language ready ahead of time: a learner opened such an exercise. */
  async warmUp(language: Language): Promise<void> {
    await this.#prepare();
    const runtime = this.#runtimes.get(language);
    if (runtime?.warm.when !== "on-demand") return;
    this.#pool?.warmUp(language);
    void this.#checkLanguage(runtime);
  }

  /**
   * A learner is reading the course (a request of theirs came in): a process of the language they last ran is kept
   * started for them while they read without a program running, up to TRIBUTARY_WARM_FOR_READERS and a quarter
   * of the runs' memory budget, so that a class pressing Run together finds its processes started.
   */
  noteReader(learnerId: string): void {
    if (this.settings.warmForReaders === 0 || this.#stopping) return;
    const known = this.#readers.get(learnerId);
    // Kept in the order last seen, so the longest gone go first when there are too many to keep.
    this.#readers.delete(learnerId);
    this.#readers.set(learnerId, { seenAt: Date.now(), language: known?.language ?? "typescript" });
    const keep = Math.max(1000, 4 * this.settings.warmForReaders);
    for (const [oldest] of this.#readers) {
      if (this.#readers.size <= keep) break;
      this.#readers.delete(oldest);
    }
    if (!known && !this.#readersLook) {
      this.#readersLook = setInterval(() => this.#keepForReaders(), READERS_LOOK_MS);
      this.#readersLook.unref();
    }
  }

  /**
   * When a process for a reader may start: with no run waiting, and either no program running or most of the
   * machine's CPU time idle lately (programs that wait on Kafka, such as a consumer left running, leave it so).
   */
  #roomForReaders(): SpareRoom["now"] {
    return () => this.#queue.length === 0 && (this.#running.size === 0 || this.#mostlyIdle());
  }

  /** Counts the readers with no program running, per language, and has the pool keep a process for each. */
  #keepForReaders(): void {
    const now = Date.now();
    // Looked at every time, so that its answer is about the last second, not the last quiet spell.
    this.#mostlyIdle();
    for (const [learnerId, reader] of this.#readers) if (now - reader.seenAt > READER_WINDOW_MS) this.#readers.delete(learnerId);
    const busy = new Set([...this.#running, ...this.#queue].map((run) => run.learnerId));
    const wanted: Partial<Record<Language, number>> = {};
    let total = 0;
    const cap = Math.min(this.settings.warmForReaders, Math.floor((this.#budget.memoryMb * READERS_MEMORY_SHARE) / WAITING_PROCESS_MB));
    // The most lately seen first: past the cap, the learners gone longest go without.
    for (const [learnerId, reader] of [...this.#readers].reverse()) {
      // A language started only on demand (Flink SQL's JVMs) keeps its own count.
      if (busy.has(learnerId) || total >= cap || this.#runtimes.get(reader.language)?.warm.when !== "always") continue;
      wanted[reader.language] = (wanted[reader.language] ?? 0) + 1;
      total++;
    }
    this.#pool?.expect(wanted);
    if (this.#readers.size === 0) {
      clearInterval(this.#readersLook);
      this.#readersLook = undefined;
    }
  }

  /** Whether each language can run here (null: not checked yet). */
  get languages(): LanguageHealth {
    return this.#languages;
  }

  /** Processes started and waiting for a run, all languages together. */
  get warmSandboxes(): number {
    return Object.values(this.#pool?.readyCounts() ?? {}).reduce((sum, count) => sum + count, 0);
  }

  /** Processes waiting for a run, per language. */
  get warmByLanguage(): Partial<Record<Language, number>> {
    return this.#pool?.readyCounts() ?? {};
  }

  /** The SQL runner's class-data archive: absent, checking, making, ready or failed (undefined without Flink SQL). */
  get classData(): string | undefined {
    const sql = this.#runtimes.get("sql") as { classDataState?: string } | undefined;
    return sql?.classDataState;
  }

  /** A language's runtime, once the server has set it up. */
  runtime(language: Language): LanguageRuntime | undefined {
    return this.#runtimes.get(language);
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
    const language = languageOfFiles(input.files) ?? input.language ?? "typescript";
    const runtime = this.#runtimes.get(language);
    if (!runtime) {
      const why = this.#languages[language]?.note ?? "it is not set up";
      throw new RunRefused(`This server cannot run ${language} programs: ${why}.`, 60);
    }
    const needs = this.#needsOf(runtime);
    if (needs.memoryMb > this.#budget.memoryMb) {
      throw new RunRefused(
        `A ${language} run may use ${needs.memoryMb} MiB, more than the ${this.#budget.memoryMb} MiB this server gives all runs together (TRIBUTARY_RUN_MEMORY_BUDGET_MIB); the course's host must raise it.`,
        60,
      );
    }
    const waitingFor = this.#queue.length > 0 ? "turn" : this.#shortOf(needs);
    const full = waitingFor !== undefined;
    if (full && this.#queue.length >= this.settings.maxQueued) {
      throw new RunRefused(
        `The server is running ${this.#running.size} programs and ${this.#queue.length} more are waiting, its limit; try again in a minute.`,
        30,
      );
    }
    if (this.#readers.has(input.learnerId)) this.#readers.set(input.learnerId, { seenAt: Date.now(), language });
    const host = input.cluster ? this.#hostReaching(input.cluster) : this.#host!;
    const limits = { ...this.#limitsOf(runtime), wallTimeMs: input.wallTimeMs ?? this.settings.limits.wallTimeMs };
    // A run that starts at once takes a waiting process; one that queues starts its own when its turn comes.
    // Waiting processes reach the course's brokers only.
    const prestarted = full || input.cluster ? undefined : this.#pool?.take(language);
    const run: LearnerRun = new LearnerRun({
      learnerId: input.learnerId,
      exerciseId: input.exerciseId,
      language,
      files: input.files,
      limits,
      runtime,
      startProcess: (id) => startProgramProcess(host, runtime, id, this.#limitsOf(runtime)),
      prestarted,
      runRoot: host.runRoot,
      kafka: input.kafka,
      unwatchedGraceMs: this.settings.unwatchedGraceMs,
      stopGraceMs: this.settings.stopGraceMs,
      kafkaAnswers: input.cluster ? input.cluster.answers : this.#kafka.answers,
      namespaceUsage: input.cluster ? input.cluster.namespaceUsage : this.#kafka.namespaceUsage,
      beforeLaunch: input.slate && (() => this.#readySlate(run, input.slate!)),
      onRecord: input.onRecord,
    });
    this.#runs.set(run.id, run);
    this.#needs.set(run, needs);
    void run.finished.then(() => {
      this.#running.delete(run);
      this.#needs.delete(run);
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

  /** The program host with its Kafka swapped for `cluster`'s: its addresses, and inside the sandbox its bridge. */
  #hostReaching(cluster: RunCluster): ProgramHost {
    const host = this.#host!;
    if (host.sandbox && !cluster.socketDir) throw new Error("A sandboxed run needs a bridge to its cluster (RunRegistry.openBridge).");
    return {
      ...host,
      env: commonProgramEnv(cluster.bootstrap),
      ...(host.sandbox && { sandbox: { ...host.sandbox, kafkaSocketDir: cluster.socketDir! } }),
    };
  }

  /**
   * A Kafka bridge to other brokers (a lab's) for sandboxed programs, in this server's run root; undefined
   * when programs run without the sandbox and reach Kafka directly.
   */
  async openBridge(name: string, bootstrap: string[], topicsListed?: TopicsListed): Promise<KafkaBridge | undefined> {
    await this.#prepare();
    if (!this.#host?.sandbox) return undefined;
    return startKafkaBridge(path.join(this.#host.runRoot, `kafka-${name}`), bootstrap, topicsListed);
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
    let shortOf: WaitingFor | undefined;
    while (this.#queue.length > 0) {
      const next = this.#fairestWaiting();
      // The fairest run waits for room rather than smaller runs overtaking it for ever.
      shortOf = this.#shortOf(this.#needs.get(next)!);
      if (shortOf) break;
      this.#queue.splice(this.#queue.indexOf(next), 1);
      this.#running.add(next);
      this.#watchKafka();
      // start() ends the run itself on any failure; this catch keeps a bug there from leaving it alive.
      next.start().catch((error: unknown) => next.failToStart(error));
    }
    for (const [i, run] of this.#queue.entries()) run.queued(i + 1, shortOf ?? "turn");
  }

  /** What a run asks of the server: its memory limit, and its language's share of the cores. */
  #needsOf(runtime: LanguageRuntime): RunNeeds {
    return { memoryMb: this.#limitsOf(runtime).memoryLimitMb, cpus: runtime.cpus };
  }

  /** What the server lacks to start a run with `needs` now: a slot, memory or cores; undefined when it has room. */
  #shortOf(needs: RunNeeds): WaitingFor | undefined {
    if (this.#running.size >= this.settings.maxConcurrent) return "slot";
    if (this.#running.size === 0) return undefined;
    const promised = { memoryMb: 0, cpus: 0 };
    for (const run of this.#running) {
      const held = this.#needs.get(run)!;
      promised.memoryMb += held.memoryMb;
      promised.cpus += held.cpus;
    }
    if (promised.memoryMb + needs.memoryMb > this.#budget.memoryMb) return "memory";
    // A little slack, so that sixteen runs of 1/16 core each fit one core despite rounding.
    if (promised.cpus + needs.cpus > this.#budget.cpus + 1e-9) return "cpu";
    return undefined;
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
    this.#stopping = true;
    clearInterval(this.#readersLook);
    this.#readersLook = undefined;
    this.#readers.clear();
    this.#pool?.expect({});
    clearInterval(this.#kafkaWatch);
    this.#kafkaWatch = undefined;
    const alive = this.alive();
    for (const run of alive) run.stop("server-shutdown");
    await Promise.all(alive.map((run) => run.finished));
    await this.#pool?.close();
    this.#pool = undefined;
    for (const runtime of this.#runtimes.values()) await runtime.close?.();
    await this.#host?.close();
    this.#host = undefined;
    this.#runtimes.clear();
    this.#prepared = undefined;
    this.#stopping = false;
  }
}
