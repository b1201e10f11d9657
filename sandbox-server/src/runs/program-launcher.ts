// How a run starts a kind of program other than TypeScript on Node (Flink SQL on the JVM): it turns the
// learner's files into the one file its process reads, starts that process (inside the sandbox when there
// is one), and words what is particular to it. The process follows the sandbox launcher's protocol:
// it waits on stdin for one JSON line {"env": {...}} with the learner's part of the environment.
import type { RunLimits } from "../config.ts";
import type { StartedSandbox } from "./sandbox-pool.ts";
import type { ExitReason } from "../contract/run-events.ts";

export type PreparedProgram = { ok: true; fileName: string; code: string } | { ok: false; message: string };

export interface ProgramLauncher {
  /** The learner's files as the one file the process reads, or what to fix. */
  prepare(files: Record<string, string>): Promise<PreparedProgram>;
  /** A started process for the run with this id, waiting for its program; it reads that from its `dir`. */
  start(id: string): Promise<StartedSandbox>;
  /** Gets processes ready ahead of runs: a learner is about to need one. */
  warmUp?(): void;
  /** This kind's own limits, in place of the defaults for TypeScript programs. */
  limits: Partial<RunLimits>;
  /** Why the process ended, when its exit code or last output tell more than the defaults do. */
  exitReason?(code: number | null, stderrTail: string): ExitReason | undefined;
  /** The terminal's last line, where this kind words it differently. */
  exitMessage?(reason: ExitReason, code: number | null): string | undefined;
}
