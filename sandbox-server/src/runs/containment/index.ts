// containment/: the operating-system sandbox around each learner's program, and its one way to Kafka.
export { sandboxCommand, bubblewrapAvailable, type SandboxSpec } from "./bubblewrap.ts";
export { startKafkaBridge, type KafkaBridge, type TopicsListed } from "./kafka-bridge.ts";
export { SANDBOX, KAFKA_SOCKET_DIR } from "../inside/sandbox-paths.ts";
export { clearStaleRunCgroups, createRunCgroup, type RunCgroup, type RunCgroupLimits } from "./run-cgroup.ts";
export { reachableForSandbox, clearStaleSandboxRoots, reachableByNobody, SANDBOX_ROOT_PREFIX } from "./sandbox-files.ts";
