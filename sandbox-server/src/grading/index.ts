// grading/: checkpoint spec + broker state -> verdict.
export { gradeCheckpoint, recordCount } from "./grade-checkpoint.ts";
export { VERDICT_VERSION, type Verdict, type CheckResult, type CheckStatus } from "./verdict.ts";
export { inNamespace } from "./in-namespace.ts";
