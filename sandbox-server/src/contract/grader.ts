// What an exercise's own grader module sees and returns. An author writes
// `content/<part>/<lesson>/exercises/<id>/grader.ts` when declarative checks cannot say what
// "right" means; the server runs it (never in a learner's sandbox) on records it read from the
// learner's topics as the super user, inside the learner's namespace, with a time and record cap.
//
//   import type { GraderInput, GraderCheck } from "../../../../../sandbox-server/src/contract/grader.ts";
//   export default function grade(input: GraderInput): GraderCheck[] { … }

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
}

/** A consumer group's committed offsets on one topic: partition → next offset to read. */
export interface GradedGroup {
  name: string;
  topic: string;
  committed: Record<number, number>;
}

export interface GraderInput {
  /** The topics the checkpoint names in `reads.topics`; a missing topic is absent from this map. */
  topics: Record<string, GradedTopic>;
  /** The groups the checkpoint names in `reads.groups`, keyed "<group>/<topic>". */
  groups: Record<string, GradedGroup>;
}

/** One check's result, in a learner's words: what was expected, what was found, one example. */
export interface GraderCheck {
  title: string;
  status: "pass" | "fail";
  message: string;
}
