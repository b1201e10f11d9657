// grading/: checkpoint spec + one broker snapshot (+ records) -> verdict.
export { gradeCheckpoint, gradeSnapshot, snapshotRequest, RECORD_CAP, type GradeOptions, type GradeContext } from "./grade-checkpoint.ts";
export { gradeCheck, recordCount, type CheckView } from "./declarative-checks.ts";
export { runGrader, GraderFault, GRADER_TIME_LIMIT_MS } from "./run-grader.ts";
export { VERDICT_VERSION, type Verdict, type CheckResult, type CheckStatus } from "../contract/verdict.ts";
export type { GraderInput, GraderCheck, GradedRecord, GradedTopic, GradedGroup, GradedRun } from "../contract/grader.ts";
export { CheckGrading, type GradingSettings } from "./check-grading.ts";
export { CheckQueue } from "./check-queue.ts";
export { GradingPool } from "./grading-pool.ts";
