// One run of a learner's program: compile, start, enforce limits, and keep its events
// so every viewer (and a viewer that reconnects) sees the whole output in order.
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, writeFile, rm } from "node:fs/promises";
import path from "node:path";
import type { LearnerTopicLimits, RunLimits } from "../config.ts";
import type { LearnerKafka } from "../broker/index.ts";
import { compileProgram } from "./compile.ts";
import { spawnLearnerProcess, endProcessTree, residentMemoryMb, commonProgramEnv } from "./learner-process.ts";
import { startSandbox, type SandboxTemplate, type StartedSandbox } from "./sandbox-pool.ts";
import type { RunCgroup } from "./containment/index.ts";
import type { ExitEvent, ExitReason, RunEvent } from "./events.ts";
import type { ProgramLauncher } from "./program-launcher.ts";

export interface RunRequest {
  learnerId: string;
  exerciseId: string;
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
  /** Present for programs other than TypeScript (Flink SQL): how to prepare and start them. */
  launcher?: ProgramLauncher;
}

export type RunListener = (event: RunEvent, seq: number) => void;

const MEMORY_POLL_MS = 200;
/** How long a new run waits for its first viewer before it counts as abandoned. */
const FIRST_VIEWER_GRACE_MS = 30_000;
/** Limits that protect the machine end the program at once, without a grace period. */
const ENDS_AT_ONCE: ReadonlySet<ExitReason> = new Set(["output-limit", "memory-limit"]);

/** How kafkajs (and Kafka's own clients) word the refusals a learner's program may meet. */
const KAFKA_REFUSALS: [ExitReason, RegExp][] = [
  ["kafka-limit", /do not satisfy the configured policy|POLICY_VIOLATION|PolicyViolation/],
  ["kafka-denied", /authorization failed|Not authorized to access|AUTHORIZATION_FAILED/i],
];

function topicLimitsSentence(limits: LearnerTopicLimits | undefined): string {
  if (!limits) return "it would pass the course's limits on topics and partitions";
  return `a learner may have at most ${limits.topics} topics and ${limits.partitions} partitions, at most ${limits.partitionsPerTopic} in one topic`;
}

function exitMessage(reason: ExitReason, code: number | null, request: RunRequest): string {
  const { limits } = request;
  const own = request.launcher?.exitMessage?.(reason, code);
  if (own) return own;
  switch (reason) {
    case "exited":
      return code === 0 ? "Your program finished." : `Your program exited with code ${code}.`;
    case "kafka-unavailable":
      return `Your program exited with code ${code}: Kafka stopped answering. Run again once it is back (\`npm run kafka -- status\` tells).`;
    case "kafka-denied":
      return `Your program exited with code ${code}: Kafka refused it access. Name topics with topic() and groups with group() from "tributary": other names belong to nobody or to other learners. Adding partitions to a topic is not allowed either; create it again instead.`;
    case "kafka-limit":
      return `Your program exited with code ${code}: Kafka refused to create a topic, since ${topicLimitsSentence(request.kafka.topicLimits)}. Delete topics you no longer need (admin.deleteTopics) and run again.`;
    case "stopped":
      return "Stopped.";
    case "timeout":
      return `Stopped after ${limits.wallTimeMs / 1000} s, the time limit for this exercise.`;
    case "output-limit":
      return `Stopped: your program wrote more than ${limits.outputLimitBytes / 1024} KiB of output, the output limit.`;
    case "memory-limit":
      return `Stopped: your program used more than ${limits.memoryLimitMb} MiB of memory, the memory limit.`;
    case "cpu-limit":
      return `Stopped: your program used more than ${limits.cpuSeconds} s of CPU time, the CPU limit. Is a loop spinning without waiting?`;
    case "compile-error":
      return "Your TypeScript did not compile; fix the error above and run again.";
    case "unwatched":
      return "Stopped because nobody was watching it any more.";
    case "server-shutdown":
      return "Stopped because the sandbox server is shutting down.";
  }
}

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
  #stopReason?: ExitReason;
  #timers: NodeJS.Timeout[] = [];
  #unwatchedTimer?: NodeJS.Timeout;
  #finished: Promise<ExitEvent>;
  #finish!: (event: ExitEvent) => void;

  readonly request: RunRequest;

  constructor(request: RunRequest) {
    this.request = request;
    this.id = request.prestarted?.id ?? randomUUID();
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

  /** Compiles and starts the program; output and the exit arrive as events. */
  async start(): Promise<void> {
    this.#started = true;
    if (this.request.launcher) return this.#startLaunched(this.request.launcher);
    const { sandbox, prestarted, limits: runLimits } = this.request;
    // Without a sandbox waiting, one is built while the program compiles.
    const boxing = prestarted ? Promise.resolve(prestarted) : sandbox && startSandbox(this.id, sandbox);
    const compiled = await compileProgram(this.request.files);
    if (!compiled.ok || this.#stopReason) {
      void boxing?.then((box) => box.discard());
      if (compiled.ok) return this.#end(this.#stopReason!, null);
      this.#emit({ type: "stderr", data: compiled.message + "\n" });
      return this.#end("compile-error", null);
    }
    await mkdir(this.scratchDir, { recursive: true });
    const scriptPath = path.join(this.scratchDir, "main.mjs");
    await writeFile(scriptPath, compiled.code);
    const learnerEnv = this.#learnerEnv();

    let child: ChildProcess;
    if (boxing) {
      const box = await boxing;
      this.#cgroup = box.cgroup;
      child = box.child;
      box.onOutput(({ type, data }) => this.#output(type, data));
      void box.closed.then(({ code, signal }) => this.#closed(code, signal));
      box.launch(learnerEnv);
    } else {
      child = spawnLearnerProcess({
        scriptPath,
        scratchDir: this.scratchDir,
        readableDirs: this.request.readableDirs,
        memoryLimitMb: runLimits.memoryLimitMb,
        env: { ...commonProgramEnv(this.request.bootstrap), ...learnerEnv, HOME: this.scratchDir },
      });
      child.stdout?.setEncoding("utf8").on("data", (data: string) => this.#output("stdout", data));
      child.stderr?.setEncoding("utf8").on("data", (data: string) => this.#output("stderr", data));
      child.once("error", (error) => {
        this.#emit({ type: "stderr", data: `Could not start your program: ${error.message}\n` });
      });
      child.once("close", (code, signal) => void this.#closed(code, signal));
    }
    this.#watch(child);
  }

  /** Like start(), for a program another launcher prepares and starts (Flink SQL). */
  async #startLaunched(launcher: ProgramLauncher): Promise<void> {
    // The process starts (and warms up) while the learner's files are prepared.
    const boxing = launcher.start(this.id);
    const prepared = await launcher.prepare(this.request.files);
    if (!prepared.ok || this.#stopReason) {
      void boxing.then((box) => box.discard());
      if (prepared.ok) return this.#end(this.#stopReason!, null);
      this.#emit({ type: "stderr", data: prepared.message + "\n" });
      return this.#end("compile-error", null);
    }
    let box: StartedSandbox;
    try {
      box = await boxing;
      await writeFile(path.join(box.dir, prepared.fileName), prepared.code, { mode: 0o644 });
    } catch (error) {
      this.#emit({ type: "stderr", data: `Could not start your program: ${(error as Error).message}\n` });
      return this.#end("exited", null);
    }
    this.#cgroup = box.cgroup;
    box.onOutput(({ type, data }) => this.#output(type, data));
    void box.closed.then(({ code, signal }) => this.#closed(code, signal));
    box.launch(this.#learnerEnv());
    this.#watch(box.child);
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
  #watch(child: ChildProcess): void {
    this.#child = child;
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
    if (!this.#started) return this.#end(this.#stopReason, null);
    if (!this.#child) return;
    if (ENDS_AT_ONCE.has(reason)) endProcessTree(this.#child);
    else if (firstRequest) endProcessTree(this.#child, this.request.stopGraceMs);
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
    // The sandbox reports a program killed by a signal as 128 + the signal's number.
    const cpuExhausted = code === 128 + 24 || signal === "SIGXCPU";
    if (!this.#stopReason) this.#stopReason = this.request.launcher?.exitReason?.(code, this.#stderrTail);
    if (!this.#stopReason) {
      // V8 aborts at the heap cap before any poll sees it; the kernel kills at the cgroup cap.
      if (this.#stderrTail.includes("JavaScript heap out of memory")) this.#stopReason = "memory-limit";
      else if (this.#cgroup && (await this.#cgroup.hitMemoryLimit())) this.#stopReason = "memory-limit";
      else if (cpuExhausted) this.#stopReason = "cpu-limit";
      else if (code !== 0 && this.request.kafkaAnswers && !(await this.request.kafkaAnswers())) {
        return this.#finishClosed("kafka-unavailable", code);
      } else if (code !== 0) {
        const refusal = KAFKA_REFUSALS.find(([, wording]) => wording.test(this.#stderrTail));
        if (refusal) return this.#finishClosed(refusal[0], code);
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
    if (!topicLimits || !this.request.namespaceUsage || !/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic-partition/.test(this.#stderrTail)) {
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

  #output(type: "stdout" | "stderr", data: string): void {
    // A stopped program may still say goodbye during its grace period; a flood may not.
    if (this.#stopReason === "output-limit") return;
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
    if (type === "stderr") this.#stderrTail = (this.#stderrTail + data).slice(-2048);
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
    void rm(this.scratchDir, { recursive: true, force: true });
    this.#finish(event);
  }
}
