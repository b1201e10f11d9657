// What an exercise's own grader module sees and returns. An author writes
// `content/<part>/<lesson>/exercises/<id>/grader.ts` when declarative checks cannot say what
// "right" means; the server runs it (never in a learner's sandbox) on records it read from the
// learner's topics as the super user, inside the learner's namespace, with a time and record cap.
//
//   import { type GraderInput, type GraderCheck, recordsOfLatestRun } from "#contract/grader";
//   export default function grade(input: GraderInput): GraderCheck[] { … }
//
// This module has no imports: a grader's worker loads it as it is.

/** One record as it was on the broker; key and value are decoded as UTF-8 (null when absent). */
export interface GradedRecord {
  partition: number;
  offset: number;
  /** The record's timestamp in epoch milliseconds (create time, or log-append time where the topic says so). */
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** A topic as the grader sees it, named as the lesson names it (without the learner's namespace). */
export interface GradedTopic {
  name: string;
  partitions: number;
  /** Every record, in partition order then offset order, up to the record cap. */
  records: GradedRecord[];
  /** True when the topic held more records than the cap: the grader saw only the first ones. */
  truncated: boolean;
  /**
   * Where the judged run's records begin, per partition: records at or past these offsets were written
   * since that run started. All 0 when the run started from a clean slate, when the topic was made anew
   * since, or for a topic the exercise does not own (another exercise's output it reads).
   */
  runStart: Record<number, number>;
}

/** A consumer group's committed offsets on one topic: partition → next offset to read. */
export interface GradedGroup {
  name: string;
  topic: string;
  committed: Record<number, number>;
  /** Kafka's state of the group: "Dead" when no consumer ever joined it (or it was deleted), "Empty" when none is in it now, "Stable" … */
  state?: string;
  /** Consumers in the group now. */
  members?: number;
}

/** The learner's run whose work is judged: the latest that ran. */
export interface GradedRun {
  id: string;
  language: "typescript" | "python" | "sql";
  startedAt: string;
  /** Absent while the run is still going. */
  endedAt?: string;
  /** Why it ended (see ExitReason in run-events.ts); absent while it is still going. */
  outcome?: string;
  exitCode?: number | null;
  /** True when it started with the exercise's topics and groups made anew. */
  freshSlate: boolean;
}

/** A broker of the learner's lab cluster stopped or started from the page, as the server did it. */
export interface GradedLabChange {
  /** When the change was asked for, in epoch milliseconds. */
  at: number;
  broker: number;
  change: "stopped" | "started";
  /**
   * For a stop: the learner's partitions this broker led just before, as "<topic>-<partition>" named as the
   * lesson names them ("payments-0"). Empty for a start, or when the broker led none.
   */
  led: string[];
}

/** What happened to the learner's lab cluster: present for exercises that run on it (`"cluster": "lab"`). */
export interface GradedLab {
  /** The lab's brokers, by node id. */
  brokers: number[];
  /** Every stop and start since the lab started, oldest first. */
  changes: GradedLabChange[];
}

export interface GraderInput {
  /** The topics the checkpoint names in `reads.topics`; a missing topic is absent from this map. */
  topics: Record<string, GradedTopic>;
  /** The groups the checkpoint names in `reads.groups`, keyed "<group>/<topic>". */
  groups: Record<string, GradedGroup>;
  /** The judged run; absent when the learner has not run the exercise. */
  run?: GradedRun;
  /** The learner's lab cluster, for an exercise that runs there. */
  lab?: GradedLab;
}

/** One check's result, in a learner's words: what was expected, what was found, one example. */
export interface GraderCheck {
  title: string;
  status: "pass" | "fail";
  message: string;
}

/** The records of `topic` the judged run wrote (for a topic the exercise owns), or all of them. */
export function recordsOfLatestRun(topic: GradedTopic): GradedRecord[] {
  return topic.records.filter((record) => record.offset >= (topic.runStart[record.partition] ?? 0));
}
