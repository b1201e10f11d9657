// Runs an exercise's own grader module (content/**/exercises/<id>/grader.ts) on the server, never in a
// learner's sandbox: in a worker thread with a time cap, on records the snapshot read with a record cap.
import { Worker } from "node:worker_threads";
import type { BrokerSnapshot } from "../kafka/index.ts";
import { groupKey } from "../kafka/index.ts";
import type { CheckpointSpec } from "../exercises/index.ts";
import type { GraderCheck, GraderInput } from "../contract/grader.ts";
import type { RunRecord } from "../runs/run-record.ts";

/** A grader that throws, returns nonsense or runs past its time: a fault of the course, not the learner. */
export class GraderFault extends Error {}

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
): GraderInput {
  const input: GraderInput = { topics: {}, groups: {} };
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

/** Runs the module's default export on `input`; throws GraderFault on a throw, a bad result or a timeout. */
export function runGrader(file: string, input: GraderInput, timeLimitMs = GRADER_TIME_LIMIT_MS): Promise<GraderCheck[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./grader-worker.ts", import.meta.url), {
      workerData: { file, input },
      // A grader holds a few thousand records; a runaway one must not take the server's memory.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new GraderFault(`${file} ran longer than ${timeLimitMs} ms`));
    }, timeLimitMs);
    worker.once("message", (result: { checks?: unknown; error?: string }) => {
      clearTimeout(timer);
      void worker.terminate();
      if (result.error) return reject(new GraderFault(`${file} failed: ${result.error}`));
      if (!Array.isArray(result.checks) || result.checks.length === 0 || !result.checks.every(isCheck)) {
        return reject(new GraderFault(`${file} must return a non-empty array of { title, status: "pass" | "fail", message }`));
      }
      resolve(result.checks);
    });
    worker.once("error", (error) => {
      clearTimeout(timer);
      reject(new GraderFault(`${file} failed: ${error.message}`));
    });
  });
}
