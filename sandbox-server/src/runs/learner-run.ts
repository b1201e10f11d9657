// One run of a learner's program: compile, start, enforce limits, and keep its events
// so every viewer (and a viewer that reconnects) sees the whole output in order.
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, writeFile, rm } from "node:fs/promises";
import path from "node:path";
import type { RunLimits } from "../config.ts";
import type { LearnerKafka } from "../kafka/index.ts";
import { compileProgram } from "./compile.ts";
import { spawnLearnerProcess, endProcessTree, residentMemoryMb, commonProgramEnv } from "./learner-process.ts";
import { startSandbox, type SandboxTemplate, type StartedSandbox } from "./sandbox-pool.ts";
import type { RunCgroup } from "./containment/index.ts";
import type { ExitEvent, ExitReason, RunEvent } from "../contract/run-events.ts";
import { KafkaNoiseFolder } from "./kafka-noise.ts";
import { isPythonProgram, pythonProgramFiles, spawnPythonProcess } from "./python/python-program.ts";
import type { PythonRuntime } from "./python/python-packages.ts";
import { log } from "../log.ts";
import { exitMessage, kafkaRefusalIn } from "./exit-diagnosis.ts";
import type { ProgramLauncher } from "./program-launcher.ts";
import type { Language } from "../contract/languages.ts";
import type { RunMarks } from "../kafka/index.ts";
import type { RunRecord } from "./run-record.ts";

/** What the exercise's Kafka looked like as the program began: made anew, or marked where it ended. */
export interface SlateAtLaunch {
  freshSlate: boolean;
  marks: RunMarks;
}

export interface RunRequest {
  learnerId: string;
  exerciseId: string;
  language: Language;
  files: Record<string, string>;
  limits: RunLimits;
  /** Parent of the run's scratch folder; it holds node_modules/kafkajs. */
  scratchRoot: string;
  readableDirs: string[];
  bootstrap: string[];
  /** The learner's namespace and principal; the program reads them through the "tributary" module. */
  kafka: LearnerKafka;
  unwatchedGraceMs: number;
  stopGraceMs: number;
  /** Whether Kafka answers right now; asked when a program fails, to tell the learner why. */
  kafkaAnswers?: () => Promise<boolean>;
  /** How many topics and partitions the learner holds; asked when a program fails to find a new topic. */
  namespaceUsage?: (namespace: string) => Promise<{ topics: number; partitions: number }>;
  /** Present when runs are sandboxed: how to build this run's sandbox. */
  sandbox?: SandboxTemplate;
  /** A sandbox started ahead of time (the warm pool); the run takes its id. */
  prestarted?: StartedSandbox;
  /** For a Python program (main.py): the interpreter and kafka-python, or why Python cannot run here. */
  python?: PythonRuntime | string;
  /** Present for programs other than TypeScript and Python (Flink SQL): how to prepare and start them. */
  launcher?: ProgramLauncher;
  /**
   * Readies the exercise's Kafka once the program compiled, just before it starts (clears it, or marks
   * where its topics end); a failure ends the run before it starts.
   */
  beforeLaunch?: () => Promise<SlateAtLaunch>;
  /** Told what to keep of the run when it launches and when it ends. */
  onRecord?: (record: RunRecord) => void;
}

export type RunListener = (event: RunEvent, seq: number) => void;

const MEMORY_POLL_MS = 200;
/** How long a new run waits for its first viewer before it counts as abandoned. */
const FIRST_VIEWER_GRACE_MS = 30_000;
/** A program Kafka has gone away from gets a short grace: its clean-up cannot reach Kafka anyway. */
const KAFKA_GONE_GRACE_MS = 1000;
/** Limits that protect the machine end the program at once, without a grace period. */
const ENDS_AT_ONCE: ReadonlySet<ExitReason> = new Set(["output-limit", "memory-limit"]);

export class LearnerRun {
  readonly id: string;
  readonly startedAt = performance.now();
  readonly events: RunEvent[] = [];
  #listeners = new Set<RunListener>();
  #child?: ChildProcess;
  #cgroup?: RunCgroup;
  #outputBytes = 0;
  #started = false;
  #queuePosition?: number;
  #stderrTail = "";
  #kafkaNoise = new KafkaNoiseFolder();
  #stopReason?: ExitReason;
  #timers: NodeJS.Timeout[] = [];
  #unwatchedTimer?: NodeJS.Timeout;
  #finished: Promise<ExitEvent>;
  #finish!: (event: ExitEvent) => void;
  readonly #record: RunRecord;

  readonly request: RunRequest;

  constructor(request: RunRequest) {
    this.request = request;
    this.id = request.prestarted?.id ?? randomUUID();
    this.#record = {
      id: this.id,
      exerciseId: request.exerciseId,
      language: request.language,
      startedAt: new Date().toISOString(),
      launched: false,
      freshSlate: false,
      marks: {},
    };
    this.#finished = new Promise((resolve) => (this.#finish = resolve));
    // Until its first viewer connects, a run waits longer: on a busy server the viewer's request
    // may queue behind many others. Once viewers have come and gone, the normal grace applies.
    this.#armUnwatchedTimer(Math.max(FIRST_VIEWER_GRACE_MS, this.request.unwatchedGraceMs));
  }

  get learnerId(): string {
    return this.request.learnerId;
  }

  get exitEvent(): ExitEvent | undefined {
    const last = this.events.at(-1);
    return last?.type === "exit" ? last : undefined;
  }

  /** Resolves with the exit event once the run is over. */
  get finished(): Promise<ExitEvent> {
    return this.#finished;
  }

  get scratchDir(): string {
    return path.join(this.request.scratchRoot, this.id);
  }

  /** Tells viewers the run waits for a free slot, and where it stands in line. */
  queued(position: number): void {
    if (this.#started || this.exitEvent || position === this.#queuePosition) return;
    this.#queuePosition = position;
    this.#emit({ type: "queued", position });
  }

  /**
   * Compiles and starts the program; output and the exit arrive as events. Never rejects: whatever
   * fails on the way ends the run with a reason the learner can read, and frees its sandbox.
   */
  async start(): Promise<void> {
    this.#started = true;
    const { sandbox, prestarted } = this.request;
    // Without a sandbox waiting, one is built while the program compiles.
    const boxing = prestarted ? Promise.resolve(prestarted) : sandbox && startSandbox(this.id, sandbox);
    // A sandbox that failed to start is reported below, where the run waits for it.
    boxing?.catch(() => {});
    let launched = false;
    try {
      launched = this.request.launcher ? await this.#launchWith(this.request.launcher) : await this.#launch(boxing);
    } catch (error) {
      this.failToStart(error);
    } finally {
      if (!launched) void boxing?.then((box) => box.discard()).catch(() => {});
    }
  }

  /** Ends a run whose start failed: the learner reads why, the host finds it in the log. */
  failToStart(error: unknown): void {
    if (this.exitEvent) return;
    log.error({ run: this.id, learner: this.learnerId, err: error }, "run failed to start");
    this.#emit({ type: "stderr", data: `Could not start your program: ${(error as Error).message ?? String(error)}\n` });
    this.#end("start-failed", null);
  }

  /** Compiles, writes and launches the program; false when it never got to run. */
  async #launch(boxing: Promise<StartedSandbox> | undefined): Promise<boolean> {
    const runLimits = this.request.limits;
    const python = isPythonProgram(this.request.files);
    const compiled = python ? this.#pythonFiles() : await compileProgram(this.request.files);
    if (!compiled.ok || this.#stopReason) {
      if (compiled.ok) this.#end(this.#stopReason!, null);
      else {
        this.#emit({ type: "stderr", data: `${compiled.message}\n` });
        this.#end("compile-error", null);
      }
      return false;
    }
    if (!(await this.#readySlate())) return false;
    await mkdir(this.scratchDir, { recursive: true });
    const scriptPath = path.join(this.scratchDir, "main.mjs");
    if ("files" in compiled) {
      for (const [name, text] of Object.entries(compiled.files)) await writeFile(path.join(this.scratchDir, name), text, { mode: 0o644 });
    } else {
      await writeFile(scriptPath, compiled.code);
    }
    const learnerEnv = this.#learnerEnv();

    let child: ChildProcess;
    if (boxing) {
      const box = await boxing;
      this.#cgroup = box.cgroup;
      child = box.child;
      box.onOutput(({ type, data }) => this.#output(type, data));
      void box.closed.then(({ code, signal }) => this.#closed(code, signal));
      box.launch(learnerEnv);
    } else if (python) {
      const env = { ...commonProgramEnv(this.request.bootstrap), ...learnerEnv, HOME: this.scratchDir };
      child = spawnPythonProcess(this.request.python as PythonRuntime, this.scratchDir, env);
      this.#watchPlainProcess(child);
    } else {
      child = spawnLearnerProcess({
        scriptPath,
        scratchDir: this.scratchDir,
        readableDirs: this.request.readableDirs,
        memoryLimitMb: runLimits.memoryLimitMb,
        env: { ...commonProgramEnv(this.request.bootstrap), ...learnerEnv, HOME: this.scratchDir },
      });
      this.#watchPlainProcess(child);
    }
    this.#arm(child);
    return true;
  }

  /** Like #launch, for a program another launcher prepares and starts (Flink SQL); false when it never got to run. */
  async #launchWith(launcher: ProgramLauncher): Promise<boolean> {
    // The process starts (and warms up) while the learner's files are prepared.
    const boxing = launcher.start(this.id);
    let launched = false;
    try {
      const prepared = await launcher.prepare(this.request.files);
      if (!prepared.ok || this.#stopReason) {
        if (prepared.ok) this.#end(this.#stopReason!, null);
        else {
          this.#emit({ type: "stderr", data: `${prepared.message}\n` });
          this.#end("compile-error", null);
        }
        return false;
      }
      if (!(await this.#readySlate())) return false;
      const box = await boxing;
      await writeFile(path.join(box.dir, prepared.fileName), prepared.code, { mode: 0o644 });
      this.#cgroup = box.cgroup;
      box.onOutput(({ type, data }) => this.#output(type, data));
      void box.closed.then(({ code, signal }) => this.#closed(code, signal));
      box.launch(this.#learnerEnv());
      launched = true;
      this.#arm(box.child);
      return true;
    } finally {
      if (!launched) void boxing.then((box) => box.discard()).catch(() => {});
    }
  }

  /** Readies the exercise's Kafka for the program; false (the run ended, saying why) when that failed or Stop came first. */
  async #readySlate(): Promise<boolean> {
    if (!this.request.beforeLaunch) return true;
    try {
      Object.assign(this.#record, await this.request.beforeLaunch());
    } catch (error) {
      log.warn({ run: this.id, learner: this.learnerId, err: error }, "could not ready the exercise's topics for a run");
      this.#emit({
        type: "stderr",
        data: `Could not start your program: Kafka did not answer while this exercise's topics were being readied (${(error as Error).message}).\n`,
      });
      this.#end("kafka-unavailable", null);
      return false;
    }
    if (this.#stopReason) {
      this.#end(this.#stopReason, null);
      return false;
    }
    return true;
  }

  /** What is kept of this run: which run it was, how its exercise's Kafka looked at its start, how it ended. */
  get record(): RunRecord {
    return { ...this.#record };
  }

  /** The learner's part of the environment: their namespace and Kafka login. */
  #learnerEnv(): Record<string, string> {
    return {
      KAFKA_NAMESPACE: this.request.kafka.namespace,
      ...(this.request.kafka.credentials && {
        KAFKA_USERNAME: this.request.kafka.credentials.username,
        KAFKA_PASSWORD: this.request.kafka.credentials.password,
      }),
    };
  }

  /** Arms the limits around a started program. */
  #arm(child: ChildProcess): void {
    this.#child = child;
    this.#record.launched = true;
    this.request.onRecord?.(this.record);
    log.info({ run: this.id, learner: this.learnerId, exercise: this.request.exerciseId }, "run started");
    // Stop may have been pressed while the program was being prepared.
    if (this.#stopReason) endProcessTree(child, ENDS_AT_ONCE.has(this.#stopReason) ? 0 : this.request.stopGraceMs);
    this.#timers.push(setTimeout(() => this.stop("timeout"), this.request.limits.wallTimeMs));
    // With a cgroup the kernel enforces the memory cap; without one, poll.
    if (!this.#cgroup) this.#timers.push(setInterval(() => void this.#checkMemory(), MEMORY_POLL_MS));
  }

  /** Output and exit of a program started without the sandbox. */
  #watchPlainProcess(child: ChildProcess): void {
    child.stdout?.setEncoding("utf8").on("data", (data: string) => this.#output("stdout", data));
    child.stderr?.setEncoding("utf8").on("data", (data: string) => this.#output("stderr", data));
    child.once("error", (error) => {
      this.#emit({ type: "stderr", data: `Could not start your program: ${error.message}\n` });
    });
    child.once("close", (code, signal) => void this.#closed(code, signal));
  }

  /** A Python program's files, or why it cannot run (no Python here). */
  #pythonFiles(): ReturnType<typeof pythonProgramFiles> {
    const { python } = this.request;
    if (python === undefined || typeof python === "string") {
      return { ok: false, message: `Python programs cannot run on this server: ${python ?? "Python is not set up"}` };
    }
    return pythonProgramFiles(this.request.files);
  }

  /** Ends the whole process tree (after a short grace period unless a hard limit was hit); the exit event says why. */
  stop(reason: ExitReason = "stopped"): void {
    if (this.exitEvent) return;
    const firstRequest = this.#stopReason === undefined;
    this.#stopReason ??= reason;
    // A run still waiting in line has nothing to kill.
    if (!this.#started) {
      this.#end(this.#stopReason, null);
      return;
    }
    if (!this.#child) return;
    if (ENDS_AT_ONCE.has(reason)) endProcessTree(this.#child);
    else if (firstRequest) endProcessTree(this.#child, reason === "kafka-unavailable" ? KAFKA_GONE_GRACE_MS : this.request.stopGraceMs);
  }

  /** Sends every event after `afterSeq` to the listener, then each new one; returns an unsubscribe. */
  subscribe(listener: RunListener, afterSeq = -1): () => void {
    for (let seq = afterSeq + 1; seq < this.events.length; seq++) listener(this.events[seq]!, seq);
    if (this.exitEvent) return () => {};
    this.#listeners.add(listener);
    clearTimeout(this.#unwatchedTimer);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#armUnwatchedTimer();
    };
  }

  /** The process ended: name the limit it hit, if any, and clean up its cgroup. */
  async #closed(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const unfinished = this.#kafkaNoise.flush();
    if (unfinished) this.#emit({ type: "stderr", data: unfinished });
    // The sandbox reports a program killed by a signal as 128 + the signal's number.
    const cpuExhausted = code === 128 + 24 || signal === "SIGXCPU";
    // A launcher of another kind (Flink SQL) may know from its exit code why it ended (a refused statement).
    if (!this.#stopReason) this.#stopReason = this.request.launcher?.exitReason?.(code, this.#stderrTail);
    if (!this.#stopReason) {
      // V8 aborts at the heap cap before any poll sees it; the kernel kills at the cgroup cap.
      if (/JavaScript heap out of memory|^MemoryError/m.test(this.#stderrTail)) this.#stopReason = "memory-limit";
      else if (this.#cgroup && (await this.#cgroup.hitMemoryLimit())) this.#stopReason = "memory-limit";
      else if (cpuExhausted) this.#stopReason = "cpu-limit";
      else if (code !== 0 && this.request.kafkaAnswers && !(await this.request.kafkaAnswers())) {
        return this.#finishClosed("kafka-unavailable", code);
      } else if (code !== 0) {
        const refusal = kafkaRefusalIn(this.#stderrTail);
        if (refusal) return this.#finishClosed(refusal, code);
        if (await this.#refusedAutoCreation()) return this.#finishClosed("kafka-limit", code);
      }
    }
    await this.#finishClosed(this.#stopReason ?? "exited", this.#stopReason ? null : code);
  }

  /**
   * Producing to a new topic name asks the broker to create it; when the topic policy refuses, kafkajs
   * only sees a topic that does not exist. If the learner is at a cap, that refusal is the likely cause.
   */
  async #refusedAutoCreation(): Promise<boolean> {
    const { topicLimits } = this.request.kafka;
    if (
      !topicLimits ||
      !this.request.namespaceUsage ||
      !/UNKNOWN_TOPIC_OR_PARTITION|UnknownTopicOrPartitionError|does not host this topic-partition/.test(this.#stderrTail)
    ) {
      return false;
    }
    try {
      const usage = await this.request.namespaceUsage(this.request.kafka.namespace);
      return usage.topics >= topicLimits.topics || usage.partitions >= topicLimits.partitions;
    } catch {
      return false;
    }
  }

  async #finishClosed(reason: ExitReason, code: number | null): Promise<void> {
    await this.#cgroup?.remove();
    this.#end(reason, code);
  }

  #armUnwatchedTimer(graceMs = this.request.unwatchedGraceMs): void {
    clearTimeout(this.#unwatchedTimer);
    this.#unwatchedTimer = setTimeout(() => this.stop("unwatched"), graceMs);
  }

  async #checkMemory(): Promise<void> {
    const pid = this.#child?.pid;
    if (pid === undefined || this.exitEvent) return;
    const rss = await residentMemoryMb(pid, this.request.sandbox !== undefined);
    if (rss !== undefined && rss > this.request.limits.memoryLimitMb) this.stop("memory-limit");
  }

  #output(type: "stdout" | "stderr", raw: string): void {
    // A stopped program may still say goodbye during its grace period; a flood may not.
    if (this.#stopReason === "output-limit") return;
    // Diagnosis reads what the program wrote; the learner sees kafkajs's connection errors folded.
    if (type === "stderr") this.#stderrTail = (this.#stderrTail + raw).slice(-2048);
    const data = type === "stderr" ? this.#kafkaNoise.fold(raw) : raw;
    if (!data) return;
    const limit = this.request.limits.outputLimitBytes;
    const bytes = Buffer.byteLength(data);
    if (this.#outputBytes + bytes > limit) {
      const room = Math.max(0, limit - this.#outputBytes);
      if (room > 0) this.#emit({ type, data: Buffer.from(data).subarray(0, room).toString("utf8") });
      this.#outputBytes = limit;
      this.stop("output-limit");
      return;
    }
    this.#outputBytes += bytes;
    this.#emit({ type, data });
  }

  #emit(event: RunEvent): void {
    const seq = this.events.push(event) - 1;
    for (const listener of this.#listeners) listener(event, seq);
  }

  #end(reason: ExitReason, code: number | null): void {
    if (this.exitEvent) return;
    for (const timer of this.#timers) clearTimeout(timer);
    clearTimeout(this.#unwatchedTimer);
    const event: ExitEvent = {
      type: "exit",
      code,
      reason,
      durationMs: Math.round(performance.now() - this.startedAt),
      message: exitMessage(reason, code, this.request),
    };
    this.#emit(event);
    this.#listeners.clear();
    Object.assign(this.#record, { endedAt: new Date().toISOString(), outcome: reason, exitCode: code });
    this.request.onRecord?.(this.record);
    log.info({ run: this.id, learner: this.learnerId, reason, code, durationMs: event.durationMs }, "run ended");
    rm(this.scratchDir, { recursive: true, force: true }).catch((error: Error) =>
      log.warn({ run: this.id, err: error }, "could not remove a run folder"),
    );
    this.#finish(event);
  }
}
