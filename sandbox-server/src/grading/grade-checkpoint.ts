// Turns a checkpoint and one snapshot of the broker into a verdict with reasons a learner can act on.
// A Check judges the learner's latest run of the exercise that ran: the records it wrote to the
// exercise's own topics, and how it ended. A Check whose snapshot Kafka could not give, or that finds
// the cluster itself broken, is an "error": it is never stored, so it never hides an earlier pass.
import type { BrokerSnapshot, BrokerState, GroupState, SnapshotRequest } from "../kafka/index.ts";
import type { CheckpointSpec } from "../exercises/index.ts";
import type { ExerciseRuns } from "../runs/run-record.ts";
import { log } from "../log.ts";
import { gradeCheck, type CheckView } from "./declarative-checks.ts";
import { GraderFault, graderInput, runGrader } from "./run-grader.ts";
import { attemptNote, judgedRun, outageDuring, runEndCheck, runStartOffsets } from "./judged-run.ts";
import { VERDICT_VERSION, type CheckResult, type Verdict } from "../contract/verdict.ts";
import type { GradedLab } from "../contract/grader.ts";

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
    configs: spec.checks.flatMap((c) =>
      c.type === "topic-config"
        ? [{ topic: c.topic, config: c.config }]
        : c.type === "topic-min-insync-replicas"
          ? [{ topic: c.topic, config: "min.insync.replicas" }]
          : [],
    ),
    recordCap: RECORD_CAP,
  };
}

/** What a Check knows besides the broker: whose work, which runs, which topics are the exercise's own. */
export interface GradeContext {
  /** The exercise's grader module, if its checkpoint names one. */
  graderFile?: string;
  /** The learner's latest runs of the exercise. */
  runs?: ExerciseRuns;
  /** The topics the exercise owns: record checks there judge only what the judged run wrote. */
  ownedTopics?: readonly string[];
  /** What happened to the learner's lab cluster, for an exercise that runs there (its grader reads it). */
  lab?: GradedLab;
}

/** Grades a snapshot already taken: `gradeSnapshot` itself, or the grading pool's worker threads. */
export type SnapshotGrader = (exerciseId: string, spec: CheckpointSpec, snapshot: BrokerSnapshot, context: GradeContext) => Promise<Verdict>;

export interface GradeOptions extends GradeContext {
  /** The learner's namespace: every name of the checkpoint is looked up inside it. */
  namespace: string;
  /** Where the snapshot is graded; on this thread unless given. */
  grade?: SnapshotGrader;
  /** The verdict of this learner's last Check of the exercise, reused while the broker's state has not changed. */
  memo?: VerdictMemo;
  /** The groups earlier Checks of the judged run found in Kafka ("<group>/<topic>"); this Check adds those it finds. */
  groupsSeen?: Set<string>;
}

/**
 * The snapshot with every group an earlier Check of the same run found, and Kafka no longer shows, judged as what it
 * is: a group whose consumers joined and left. Kafka keeps no group whose consumers left having committed nothing,
 * so a Check after Stop would otherwise tell a learner whose consumer joined and read nothing that none joined.
 */
export function withGroupsSeen(snapshot: BrokerSnapshot, seen: Set<string>): BrokerSnapshot {
  let groups: Map<string, GroupState> | undefined;
  for (const [key, group] of snapshot.groups) {
    if (group.state !== "Dead") seen.add(key);
    else if (seen.has(key)) (groups ??= new Map(snapshot.groups)).set(key, { ...group, state: "Empty", members: 0 });
  }
  return groups ? { ...snapshot, groups } : snapshot;
}

/** One learner's last graded state of one exercise (for the same judged run) and its verdict. */
export interface VerdictMemo {
  recall(): { stateKey: string; verdict: Verdict } | undefined;
  keep(stateKey: string, verdict: Verdict): void;
}

const verdictOf = (exerciseId: string, status: Verdict["status"], message: string, checks: CheckResult[] = []): Verdict => ({
  version: VERDICT_VERSION,
  exerciseId,
  status,
  message,
  checks,
  gradedAt: new Date().toISOString(),
});

/** Grades the checkpoint on one snapshot: its declarative checks, then its grader module. */
export async function gradeCheckpoint(exerciseId: string, spec: CheckpointSpec, broker: BrokerState, options: GradeOptions): Promise<Verdict> {
  const ran = options.runs?.ran;
  const outage = ran && outageDuring(ran);
  if (outage) return { ...verdictOf(exerciseId, "error", outage), run: judgedRun(ran) };
  // Taken first, also for a learner who has not run yet: while Kafka cannot answer, every Check says so and
  // none is stored, whoever presses it.
  let snapshot: BrokerSnapshot;
  try {
    const known = options.memo?.recall();
    snapshot = await broker.snapshot(options.namespace, { ...snapshotRequest(spec), ...(known ? { unchangedSince: known.stateKey } : {}) });
    if (options.groupsSeen) snapshot = withGroupsSeen(snapshot, options.groupsSeen);
    // The same state as last time: the same verdict, without reading and parsing the records again.
    if (snapshot.unchanged && known) return { ...known.verdict, gradedAt: new Date().toISOString() };
  } catch (error) {
    log.warn({ exercise: exerciseId, err: (error as Error).message }, "checkpoint not graded: Kafka did not answer");
    return verdictOf(
      exerciseId,
      "error",
      "Kafka did not answer, so your work was not checked and your earlier result is kept. Check again in a moment; if this persists, Kafka may be down (`npm run kafka -- status` tells).",
    );
  }
  if (options.runs && !ran) {
    const note = attemptNote({ ...options.runs, ran: options.runs.attempted }) ?? "";
    const title = "You ran this exercise";
    const message = `You have not run this exercise yet${options.runs.attempted ? " (your latest run did not get to run)" : ""}: the checkpoint judges what your program did. Press Run, then Check.`;
    return { ...verdictOf(exerciseId, "fail", message, [{ title, status: "fail", message }]), ...(note ? { note } : {}) };
  }
  const { graderFile, runs, ownedTopics, lab } = options;
  const context: GradeContext = {
    ...(graderFile ? { graderFile } : {}),
    ...(runs ? { runs } : {}),
    ...(ownedTopics ? { ownedTopics } : {}),
    ...(lab ? { lab } : {}),
  };
  try {
    const verdict = await (options.grade ?? gradeSnapshot)(exerciseId, spec, snapshot, context);
    if (snapshot.stateKey && verdict.status !== "error") options.memo?.keep(snapshot.stateKey, verdict);
    return verdict;
  } catch (error) {
    log.error({ exercise: exerciseId, err: (error as Error).message }, "a snapshot could not be graded");
    return verdictOf(
      exerciseId,
      "error",
      "Your work could not be graded just now (the server's grading failed), so your earlier result is kept. Check again in a moment; if this persists, tell your course host.",
    );
  }
}

/** Grades the checkpoint on a snapshot already taken (pure but for the grader module). */
export async function gradeSnapshot(
  exerciseId: string,
  spec: CheckpointSpec,
  snapshot: BrokerSnapshot,
  context: GradeContext = {},
): Promise<Verdict> {
  const ran = context.runs?.ran;
  const about = {
    ...(ran ? { run: judgedRun(ran) } : {}),
    ...(context.runs && attemptNote(context.runs) ? { note: attemptNote(context.runs) } : {}),
  };
  const view: CheckView = { language: ran?.language ?? "typescript", runStart: runStartOffsets(ran, context.ownedTopics ?? [], snapshot) };
  const checks: CheckResult[] = [];
  const ended = ran && runEndCheck(ran);
  if (ended) checks.push(ended);
  for (const check of spec.checks) {
    const outcome = gradeCheck(check, snapshot, view);
    if (outcome.status === "unavailable") {
      return {
        ...verdictOf(
          exerciseId,
          "error",
          `${outcome.message} That is not your program's doing, so nothing was judged and your earlier result is kept. Check again once every broker runs (\`npm run kafka -- status\`).`,
          checks,
        ),
        ...about,
      };
    }
    checks.push(outcome);
  }
  // A grader judging only the records that fitted could pass work the learner did not do.
  const tooBig = context.graderFile && spec.reads.topics.map((name) => snapshot.topics.get(name)?.tooBig).find(Boolean);
  if (tooBig) {
    checks.push({ title: "Messages a Check can read", status: "fail", message: `${tooBig} Write smaller messages, then Run and Check again.` });
  } else if (context.graderFile) {
    try {
      checks.push(...(await runGrader(context.graderFile, graderInput(spec, snapshot, view.runStart, ran, context.lab))));
    } catch (error) {
      if (!(error instanceof GraderFault)) throw error;
      log.error({ exercise: exerciseId, err: error.message }, "an exercise's grader failed");
      return {
        ...verdictOf(
          exerciseId,
          "error",
          "This checkpoint's grader failed: a fault of the course, not of your program. It has been logged for the course's host.",
          checks,
        ),
        ...about,
      };
    }
  }
  const failed = checks.find((c) => c.status === "fail");
  return { ...verdictOf(exerciseId, failed ? "fail" : "pass", failed ? failed.message : `Passed: ${spec.title}.`, checks), ...about };
}
