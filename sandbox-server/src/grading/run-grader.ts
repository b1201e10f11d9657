// Runs an exercise's own grader module (content/**/exercises/<id>/grader.ts) on the server, never in a
// learner's sandbox: in a worker thread with a CPU-time cap, on records the snapshot read with a record cap.
import { Worker } from "node:worker_threads";
import type { BrokerSnapshot } from "../kafka/index.ts";
import { groupKey } from "../kafka/index.ts";
import type { CheckpointSpec } from "../exercises/index.ts";
import type { GradedLab, GraderCheck, GraderInput } from "../contract/grader.ts";
import type { RunRecord } from "../runs/run-record.ts";
import { currentThreadId, threadCpuMs } from "./thread-cpu.ts";

/** A grader that throws, returns nonsense or runs past its time: a fault of the course, not the learner. */
export class GraderFault extends Error {}

/** CPU time a grader may use (wall time where the operating system does not tell CPU time). */
export const GRADER_TIME_LIMIT_MS = 5000;

/**
 * What the grader module receives: the topics and groups its checkpoint names in `reads`, where the judged
 * run's records begin in the exercise's own topics, and that run.
 */
export function graderInput(
  spec: CheckpointSpec,
  snapshot: BrokerSnapshot,
  runStart: ReadonlyMap<string, Record<number, number>> = new Map(),
  run?: RunRecord,
  lab?: GradedLab,
): GraderInput {
  const input: GraderInput = { topics: {}, groups: {}, ...(lab ? { lab } : {}) };
  if (run) {
    const { id, language, startedAt, endedAt, outcome, exitCode, freshSlate } = run;
    input.run = {
      id,
      language,
      startedAt,
      freshSlate,
      ...(endedAt ? { endedAt } : {}),
      ...(outcome ? { outcome } : {}),
      ...(exitCode !== undefined ? { exitCode } : {}),
    };
  }
  for (const name of spec.reads.topics) {
    const topic = snapshot.topics.get(name);
    if (!topic) continue;
    input.topics[name] = {
      name,
      partitions: topic.partitions.length,
      records: topic.records ?? [],
      truncated: topic.truncated ?? false,
      runStart: { ...runStart.get(name) },
    };
  }
  for (const { group, topic } of spec.reads.groups) {
    const state = snapshot.groups.get(groupKey(group, topic));
    input.groups[groupKey(group, topic)] = {
      name: group,
      topic,
      committed: Object.fromEntries(state?.committed ?? []),
      state: state?.state ?? "Dead",
      members: state?.members ?? 0,
    };
  }
  return input;
}

const isCheck = (c: unknown): c is GraderCheck =>
  typeof c === "object" &&
  c !== null &&
  typeof (c as GraderCheck).title === "string" &&
  typeof (c as GraderCheck).message === "string" &&
  ((c as GraderCheck).status === "pass" || (c as GraderCheck).status === "fail");

/** How often a running grader's CPU time is read. */
const CPU_POLL_MS = 100;
/** A grader that waits rather than works (an await that never ends) is stopped after this many times its CPU limit of wall time. */
const WALL_FACTOR = 12;
const CPU_TIME_READABLE = currentThreadId() !== undefined;

/**
 * Runs the module's default export on `input`; throws GraderFault on a throw, a bad result, or a grader
 * that used more than `cpuLimitMs` of CPU time. The limit is CPU time where Linux's /proc tells it, so a
 * machine busy with other learners delays a verdict without failing it; elsewhere it is wall time.
 */
export function runGrader(file: string, input: GraderInput, cpuLimitMs = GRADER_TIME_LIMIT_MS): Promise<GraderCheck[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./grader-worker.ts", import.meta.url), {
      workerData: { file, input },
      // A grader holds a few thousand records; a runaway one must not take the server's memory.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    let settled = false;
    const settle = (fault?: GraderFault, checks?: GraderCheck[]) => {
      if (settled) return;
      settled = true;
      clearInterval(cpuWatch);
      clearTimeout(wallTimer);
      void worker.terminate();
      if (fault) reject(fault);
      else resolve(checks!);
    };
    let tid: number | undefined;
    const cpuWatch = setInterval(() => {
      const used = tid === undefined ? undefined : threadCpuMs(tid);
      if (used !== undefined && used > cpuLimitMs) settle(new GraderFault(`${file} used more than ${cpuLimitMs} ms of CPU time`));
    }, CPU_POLL_MS);
    // Where CPU time can be read, wall time is only the backstop for a grader that waits for ever; a worker
    // slow to start on a busy machine has until then to say which thread it is.
    const wallMs = CPU_TIME_READABLE ? WALL_FACTOR * cpuLimitMs : cpuLimitMs;
    const wallTimer = setTimeout(
      () =>
        settle(
          new GraderFault(
            CPU_TIME_READABLE ? `${file} ran longer than ${wallMs / 1000} s without finishing` : `${file} ran longer than ${wallMs} ms`,
          ),
        ),
      wallMs,
    );
    worker.on("message", (message: { thread?: number; checks?: unknown; error?: string }) => {
      if ("thread" in message) {
        tid = message.thread;
        return;
      }
      if (message.error) return settle(new GraderFault(`${file} failed: ${message.error}`));
      if (!Array.isArray(message.checks) || message.checks.length === 0 || !message.checks.every(isCheck)) {
        return settle(new GraderFault(`${file} must return a non-empty array of { title, status: "pass" | "fail", message }`));
      }
      settle(undefined, message.checks);
    });
    worker.once("error", (error) => settle(new GraderFault(`${file} failed: ${error.message}`)));
    worker.once("exit", (code) => settle(new GraderFault(`${file} ended (exit code ${code}) without returning its checks`)));
  });
}
