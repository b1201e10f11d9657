// languages/: one folder per language a learner may write in, each a LanguageRuntime over the one run pipeline.
export type { LanguageRuntime, PreparedProgram, ProcessPlan } from "./language-runtime.ts";
export { TypeScriptRuntime, nodeFlags } from "./typescript/runtime.ts";
export { compileProgram, compilerHealth, ENTRY_FILE, type CompileResult } from "./typescript/compile.ts";
export { PythonLanguageRuntime, PYTHON_ENTRY } from "./python/runtime.ts";
export { ensurePythonRuntime, PYTHON_HOME } from "./python/packages.ts";
export { SqlLanguageRuntime } from "./sql/runtime.ts";
export { ensureFlinkRunner, flinkVersionFromPom, type FlinkRunnerFiles } from "./sql/flink-jars.ts";
