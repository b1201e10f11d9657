// Turns a checkpoint and one snapshot of the broker into a verdict with reasons a learner can act on.
// A Check whose snapshot Kafka could not give, or that finds the cluster itself broken, is an "error":
// it is never stored, so it never hides an earlier pass.
import type { BrokerSnapshot, BrokerState, SnapshotRequest } from "../kafka/index.ts";
import type { CheckpointSpec } from "../exercises/index.ts";
import { log } from "../log.ts";
import { gradeCheck } from "./declarative-checks.ts";
import { GraderFault, graderInput, runGrader } from "./run-grader.ts";
import { VERDICT_VERSION, type CheckResult, type Verdict } from "../contract/verdict.ts";

/** At most this many records of one topic are read for a Check. */
export const RECORD_CAP = 5000;

const RECORD_CHECKS = new Set(["records-include", "keys-in-one-partition", "records-shape"]);

/** Everything the checkpoint's checks and grader need to see, to read in one snapshot. */
export function snapshotRequest(spec: CheckpointSpec): SnapshotRequest {
  const records = [...spec.reads.topics, ...spec.checks.filter((c) => RECORD_CHECKS.has(c.type)).map((c) => c.topic)];
  return {
    topics: [...new Set([...spec.checks.map((c) => c.topic), ...spec.reads.topics, ...spec.reads.groups.map((g) => g.topic)])],
    records: [...new Set(records)],
    groups: [...spec.checks.flatMap((c) => (c.type === "group-caught-up" ? [{ group: c.group, topic: c.topic }] : [])), ...spec.reads.groups],
    configs: spec.checks.flatMap((c) => (c.type === "topic-config" ? [{ topic: c.topic, config: c.config }] : [])),
    recordCap: RECORD_CAP,
  };
}

export interface GradeOptions {
  /** The learner's namespace: every name of the checkpoint is looked up inside it. */
  namespace: string;
  /** The exercise's grader module, if its checkpoint names one. */
  graderFile?: string;
}

const errorVerdict = (exerciseId: string, message: string, checks: CheckResult[] = []): Verdict => ({
  version: VERDICT_VERSION,
  exerciseId,
  status: "error",
  message,
  checks,
  gradedAt: new Date().toISOString(),
});

/** Grades the checkpoint on one snapshot: its declarative checks, then its grader module. */
export async function gradeCheckpoint(exerciseId: string, spec: CheckpointSpec, broker: BrokerState, options: GradeOptions): Promise<Verdict> {
  let snapshot: BrokerSnapshot;
  try {
    snapshot = await broker.snapshot(options.namespace, snapshotRequest(spec));
  } catch (error) {
    log.warn({ exercise: exerciseId, err: (error as Error).message }, "checkpoint not graded: Kafka did not answer");
    return errorVerdict(
      exerciseId,
      "Kafka did not answer, so your work was not checked and your earlier result is kept. Check again in a moment; if this persists, Kafka may be down (`npm run kafka -- status` tells).",
    );
  }
  return gradeSnapshot(exerciseId, spec, snapshot, options.graderFile);
}

/** Grades the checkpoint on a snapshot already taken (pure but for the grader module). */
export async function gradeSnapshot(exerciseId: string, spec: CheckpointSpec, snapshot: BrokerSnapshot, graderFile?: string): Promise<Verdict> {
  const checks: CheckResult[] = [];
  for (const check of spec.checks) {
    const outcome = gradeCheck(check, snapshot);
    if (outcome.status === "unavailable") {
      return errorVerdict(
        exerciseId,
        `${outcome.message} That is not your program's doing, so nothing was judged and your earlier result is kept. Check again once every broker runs (\`npm run kafka -- status\`).`,
        checks,
      );
    }
    checks.push(outcome);
  }
  if (graderFile) {
    try {
      checks.push(...(await runGrader(graderFile, graderInput(spec, snapshot))));
    } catch (error) {
      if (!(error instanceof GraderFault)) throw error;
      log.error({ exercise: exerciseId, err: error.message }, "an exercise's grader failed");
      return errorVerdict(
        exerciseId,
        "This checkpoint's grader failed: a fault of the course, not of your program. It has been logged for the course's host.",
        checks,
      );
    }
  }
  const failed = checks.find((c) => c.status === "fail");
  return {
    version: VERDICT_VERSION,
    exerciseId,
    status: failed ? "fail" : "pass",
    message: failed ? failed.message : `Passed: ${spec.title}.`,
    checks,
    gradedAt: new Date().toISOString(),
  };
}
