// The one result contract every checkpoint returns (after Exercism's test-runner results).

export const VERDICT_VERSION = 1;

export type CheckStatus = "pass" | "fail";

export interface CheckResult {
  /** What was checked, e.g. "Topic `messages` exists". */
  title: string;
  status: CheckStatus;
  /** What was found, and on failure what to do next, in a learner's words. */
  message: string;
}

export interface Verdict {
  version: typeof VERDICT_VERSION;
  exerciseId: string;
  /** "error" means the checkpoint could not be graded (e.g. Kafka does not answer); it is not stored. */
  status: "pass" | "fail" | "error";
  message: string;
  checks: CheckResult[];
  gradedAt: string;
}
