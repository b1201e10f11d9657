// One run of a learner's program, in any language: prepare its files, ready the exercise's Kafka, hand
// them to a process of its language, enforce limits, and keep its events so every viewer (and a viewer
// that reconnects) sees the whole output in order.
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { RunLimits } from "../config.ts";
import type { LearnerKafka } from "../kafka/index.ts";
import type { RunMarks } from "../kafka/index.ts";
import type { RunCgroup } from "./containment/index.ts";
import type { ExitEvent, ExitReason, RunEvent, WaitingFor } from "../contract/run-events.ts";
import type { Language } from "../contract/languages.ts";
import { KafkaNoiseFolder } from "./kafka-noise.ts";
import { log } from "../log.ts";
import { exitMessage, kafkaRefusalIn } from "./exit-diagnosis.ts";
import type { LanguageRuntime } from "./languages/language-runtime.ts";
import type { ProgramProcess } from "./process/program-process.ts";
import { endProcessTree, residentMemoryMb } from "./process/process-tree.ts";
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
  /** The language's part: how its files are prepared, how it words an exit. */
  runtime: LanguageRuntime;
  /** Starts a process for this run when none was waiting for it. */
  startProcess: (id: string) => Promise<ProgramProcess>;
  /** A process started ahead of time (the warm pool); the run takes its id. */
  prestarted?: ProgramProcess;
  /** Where run folders live; this run's is named after its id. */
  runRoot: string;
  /** The learner's namespace and principal; the program reads them through the "tributary" module. */
  kafka: LearnerKafka;
  unwatchedGraceMs: number;
  stopGraceMs: number;
  /** Whether Kafka answers right now; asked when a program fails, to tell the learner why. */
  kafkaAnswers?: () => Promise<boolean>;
  /** How many topics and partitions the learner holds; asked when a program fails to find a new topic. */
  namespaceUsage?: (namespace: string) => Promise<{ topics: number; partitions: number }>;
  /**
   * Readies the exercise's Kafka once the program is prepared, just before it starts (clears it, or marks
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
  #process?: ProgramProcess;
  #cgroup?: RunCgroup;
  #outputBytes = 0;
  #started = false;
  #queuePosition?: number;
  #waitingFor?: WaitingFor;
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

  /** The run's folder on the host: its program's files go here. */
  get scratchDir(): string {
    return path.join(this.request.runRoot, this.id);
  }

  /** Tells viewers the run waits, where it stands in line, and what for. */
  queued(position: number, waitingFor: WaitingFor = "slot"): void {
    if (this.#started || this.exitEvent || (position === this.#queuePosition && waitingFor === this.#waitingFor)) return;
    this.#queuePosition = position;
    this.#waitingFor = waitingFor;
    this.#emit({ type: "queued", position, waitingFor });
  }

  /**
   * Prepares and starts the program; output and the exit arrive as events. Never rejects: whatever
   * fails on the way ends the run with a reason the learner can read, and frees its process.
   */
  async start(): Promise<void> {
    this.#started = true;
    const { prestarted } = this.request;
    // Without a process waiting, one starts while the program is prepared.
    const starting = prestarted ? Promise.resolve(prestarted) : this.request.startProcess(this.id);
    // A process that failed to start is reported below, where the run waits for it.
    starting.catch(() => {});
    let launched = false;
    try {
      launched = await this.#launch(starting);
    } catch (error) {
      this.failToStart(error);
    } finally {
      if (!launched) void starting.then((proc) => proc.discard()).catch(() => {});
    }
  }

  /** Ends a run whose start failed: the learner reads why, the host finds it in the log. */
  failToStart(error: unknown): void {
    if (this.exitEvent) return;
    log.error({ run: this.id, learner: this.learnerId, err: error }, "run failed to start");
    this.#emit({ type: "stderr", data: `Could not start your program: ${(error as Error).message ?? String(error)}\n` });
    this.#end("start-failed", null);
  }

  /** Prepares the files, readies Kafka and hands the program to its process; false when it never got to run. */
  async #launch(starting: Promise<ProgramProcess>): Promise<boolean> {
    const prepared = await this.request.runtime.prepare(this.request.files);
    if (!prepared.ok || this.#stopReason) {
      if (prepared.ok) this.#end(this.#stopReason!, null);
      else {
        this.#emit({ type: "stderr", data: `${prepared.message}\n` });
        this.#end("compile-error", null);
      }
      return false;
    }
    if (!(await this.#readySlate())) return false;
    const proc = await starting;
    for (const [name, text] of Object.entries(prepared.files)) await writeFile(path.join(proc.dir, name), text, { mode: 0o644 });
    this.#cgroup = proc.cgroup;
    proc.onOutput(({ type, data }) => this.#output(type, data));
    // Kafka's noise, folded, does not count towards the output limit; past the spawner's raw cap it must.
    proc.onCapped(() => this.stop("output-limit"));
    void proc.closed.then(({ code, signal }) => this.#closed(code, signal));
    this.#arm(proc);
    proc.launch(this.#learnerEnv());
    return true;
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
  #arm(proc: ProgramProcess): void {
    this.#process = proc;
    const { child } = proc;
    this.#record.launched = true;
    this.request.onRecord?.(this.record);
    log.info({ run: this.id, learner: this.learnerId, exercise: this.request.exerciseId }, "run started");
    // Stop may have been pressed while the program was being prepared.
    if (this.#stopReason) endProcessTree(child, ENDS_AT_ONCE.has(this.#stopReason) ? 0 : this.request.stopGraceMs);
    this.#timers.push(setTimeout(() => this.stop("timeout"), this.request.limits.wallTimeMs));
    // With a cgroup the kernel enforces the memory cap; without one, poll.
    if (!this.#cgroup) this.#timers.push(setInterval(() => void this.#checkMemory(), MEMORY_POLL_MS));
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
    const child = this.#process?.child;
    if (!child) return;
    if (ENDS_AT_ONCE.has(reason)) endProcessTree(child);
    else if (firstRequest) endProcessTree(child, reason === "kafka-unavailable" ? KAFKA_GONE_GRACE_MS : this.request.stopGraceMs);
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
    // A language may know from its exit code why it ended (a refused SQL statement, a JVM out of memory).
    if (!this.#stopReason) this.#stopReason = this.request.runtime.exitReason?.(code, this.#stderrTail);
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
    const pid = this.#process?.child.pid;
    if (pid === undefined || this.exitEvent) return;
    const rss = await residentMemoryMb(pid, this.#process!.sandboxed);
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
    this.#finish(event);
  }
}
