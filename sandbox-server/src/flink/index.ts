// flink/: Flink SQL exercises: Flink's jars and the SQL runner, and the sandboxed JVM that runs a learner's SQL.
export { ensureFlinkRunner, flinkVersionFromPom, type FlinkRunnerFiles } from "./flink-jars.ts";
export { sqlLauncherFactory } from "./sql-launcher.ts";
export { flinkCommand, jvmFlags, FLINK_SANDBOX } from "./flink-sandbox.ts";
