// containment/: the operating-system sandbox around each learner's program, and its one way to Kafka.
export { sandboxCommand, bubblewrapAvailable, compileSandboxScripts, SANDBOX, type SandboxSpec, type SandboxScripts, type SandboxInterpreter } from "./bubblewrap.ts";
export { startKafkaBridge, KAFKA_SOCKET_DIR, type KafkaBridge } from "./kafka-bridge.ts";
export { createRunCgroup, type RunCgroup, type RunCgroupLimits } from "./run-cgroup.ts";
export { sandboxFiles, reachableForSandbox, clearStaleSandboxRoots, reachableByNobody, SANDBOX_ROOT_PREFIX, type SandboxFiles } from "./sandbox-files.ts";
