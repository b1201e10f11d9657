// runs/: one pipeline for every language: admission and fair queueing (run-registry), one run's lifecycle
// (learner-run), one way to start, pool and end a program's process (process/), the sandbox (containment/),
// and each language's part (languages/).
export {
  RunRegistry,
  RunRefused,
  type StartRunInput,
  type RunCluster,
  type IsolationState,
  type LanguageHealth,
} from "./run-registry.ts";
export { LearnerRun, type RunListener, type SlateAtLaunch } from "./learner-run.ts";
export type { RunRecord, ExerciseRuns } from "./run-record.ts";
export {
  compileProgram,
  compilerHealth,
  ENTRY_FILE,
  ensureFlinkRunner,
  ensurePythonRuntime,
  SqlLanguageRuntime,
  TypeScriptRuntime,
  PythonLanguageRuntime,
  type CompileResult,
  type FlinkRunnerFiles,
  type LanguageRuntime,
} from "./languages/index.ts";
export type { RunEvent, ExitEvent, ExitReason } from "../contract/run-events.ts";
