// runs/: compile and execute a learner's program, stream its output, enforce limits.
export { RunRegistry, RunRefused, type StartRunInput, type IsolationState, type LauncherFactory } from "./run-registry.ts";
export { StartedSandbox, type SandboxTemplate } from "./sandbox-pool.ts";
export type { ProgramLauncher, PreparedProgram } from "./program-launcher.ts";
export { LearnerRun, type RunListener, type SlateAtLaunch } from "./learner-run.ts";
export type { RunRecord, ExerciseRuns } from "./run-record.ts";
export { compileProgram, compilerHealth, ENTRY_FILE, type CompileResult } from "./compile.ts";
export type { RunEvent, ExitEvent, ExitReason } from "../contract/run-events.ts";
