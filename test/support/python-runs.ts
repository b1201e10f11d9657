// Python programs run through the server's own run registry, with or without the OS sandbox, for the tests
// that hold the launcher to its promises (its audit hook, its Kafka forwarder, what a failed run says).
// No HTTP server and no broker: a test gives the addresses a program may reach, usually its own stand-ins.
import { expect } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import type { LearnerKafka } from "../../sandbox-server/src/kafka/index.ts";
import { RunRegistry, type ExitEvent, type RunEvent } from "../../sandbox-server/src/runs/index.ts";

export type Isolation = "sandbox" | "process";

/**
 * A registry for Python runs: "sandbox" behind bubblewrap and the audit hook, "process" behind the hook alone.
 * Its caps are small (2 s of CPU, 96 MiB, 16 KiB of output) unless `settings` says otherwise.
 */
export async function pythonRegistry(
  isolation: Isolation,
  stateDir: string,
  bootstrap: string[],
  settings: Record<string, string> = {},
): Promise<RunRegistry> {
  const { runs } = loadConfig({
    TRIBUTARY_STATE_DIR: stateDir,
    TRIBUTARY_ISOLATION: isolation,
    TRIBUTARY_RUN_CPU_SECONDS: "2",
    TRIBUTARY_RUN_MEMORY_MIB: "96",
    TRIBUTARY_RUN_OUTPUT_KIB: "16",
    TRIBUTARY_MAX_RUNS_PER_LEARNER: "50",
    TRIBUTARY_RUNS_PER_MINUTE: "1000",
    ...settings,
  });
  const registry = new RunRegistry(runs, bootstrap);
  await registry.prepare();
  expect(registry.isolation.kind).toBe(isolation);
  return registry;
}

export interface PythonOutcome {
  exit: ExitEvent;
  stdout: string;
  stderr: string;
}

/** Runs `code` as a learner's main.py (in namespace "test-" unless `kafka` says otherwise); `onStdout` sees the output as it comes. */
export async function runPython(
  registry: RunRegistry,
  learnerId: string,
  code: string,
  options: { wallTimeMs?: number; kafka?: LearnerKafka; onStdout?: (stdoutSoFar: string) => void } = {},
): Promise<PythonOutcome> {
  const run = await registry.start({
    learnerId,
    kafka: options.kafka ?? { namespace: "test-" },
    exerciseId: "test",
    files: { "main.py": code },
    wallTimeMs: options.wallTimeMs,
  });
  const events: RunEvent[] = [];
  let stdout = "";
  run.subscribe((event) => {
    events.push(event);
    if (event.type === "stdout") options.onStdout?.((stdout += event.data));
  });
  const exit = await run.finished;
  const text = (type: "stdout" | "stderr") => events.flatMap((e) => (e.type === type ? [e.data] : [])).join("");
  return { exit, stdout: text("stdout"), stderr: text("stderr") };
}

/** Runs the hostile program and, at the same time, a benign one of another learner; the benign one must succeed. */
export async function besideBenign(registry: RunRegistry, code: string, options: { wallTimeMs?: number } = {}): Promise<PythonOutcome> {
  const benign = runPython(registry, "benign-learner", 'import time\ntime.sleep(0.3)\nprint("benign run finished")\n');
  const hostile = await runPython(registry, "hostile-learner", code, options);
  const { exit, stdout, stderr } = await benign;
  expect(exit, stderr).toMatchObject({ reason: "exited", code: 0 });
  expect(stdout).toBe("benign run finished\n");
  return hostile;
}

/** A program that tries `action` (the body of a function) and prints "ok: …" or "refused: <error type>: <message>". */
export const attempt = (action: string, prelude = "") => `${prelude}
def attempt():
${action
  .split("\n")
  .map((line) => `    ${line}`)
  .join("\n")}

try:
    print("ok: " + str(attempt()))
except BaseException as error:
    print("refused: " + type(error).__name__ + ": " + str(error))
`;

/** The audit hook's refusal, as `attempt` prints it. */
export const FENCE = /^refused: PermissionError: The course's sandbox does not allow this/;
