// What a language is to the run pipeline: how the learner's files become the files its process reads,
// how that process starts (inside the sandbox or on the host), its limits, when processes are started
// ahead of runs, and how it words the ways a run of it ends. Each language is a folder beside this file;
// the pipeline (process/, learner-run.ts, run-registry.ts) knows nothing else of any of them.
import type { Language } from "../../contract/languages.ts";
import type { ExitReason } from "../../contract/run-events.ts";
import type { RunLimits } from "../../config.ts";
import type { ProgramHost } from "../process/program-host.ts";

export type PreparedProgram = { ok: true; files: Record<string, string> } | { ok: false; message: string };

/** How one process of a language starts in a run folder. */
export interface ProcessPlan {
  /** [host path, sandbox path] pairs the sandbox binds read-only besides the system's folders (the run folder included). */
  readOnly: [string, string][];
  /** [host path, sandbox path] pairs bound writable. */
  writable?: [string, string][];
  /** The command line: inside the sandbox, or on the host when runs are not sandboxed. */
  argv: string[];
  /** Where it starts (a sandbox path, or the host's run folder). */
  chdir: string;
  /** Environment of its own, over the host's. */
  env?: Record<string, string>;
  /** It resolves "localhost" (a JVM): the sandbox gets an /etc/hosts. */
  needsHostsFile?: boolean;
}

export interface LanguageRuntime {
  readonly language: Language;
  /** This language's own limits, over the server's defaults (which suit TypeScript). */
  readonly limits: Partial<RunLimits>;
  /**
   * The cores one run keeps busy, on average over its life, as admission counts it against the server's
   * cores (its memory is its `memoryLimitMb`, counted whole against the server's memory).
   */
  readonly cpus: number;
  /** Processes started ahead of runs: from the start ("always"), or once a learner opens such an exercise ("on-demand"). */
  readonly warm: { when: "always" | "on-demand"; count: number };
  /** A tiny program that must print `expect` and exit 0: run through the host before the server says the language works. */
  readonly canary: { files: Record<string, string>; expect: string };
  /**
   * Gets ready on this host, once, before any process starts: stages what a sandbox binds where its user can
   * read it, compiles what runs inside. Returns why the language cannot run here, or undefined.
   */
  setUp(host: ProgramHost): Promise<string | undefined>;
  /** The learner's files as the files its process reads (in its run folder), or what to fix. */
  prepare(files: Readonly<Record<string, string>>): Promise<PreparedProgram>;
  /** How a process starts in `runDir` (a folder on the host) under `limits`. */
  plan(runDir: string, limits: RunLimits): Promise<ProcessPlan>;
  /** Why the process ended, when its exit code or last output tell more than the pipeline can. */
  exitReason?(code: number | null, stderrTail: string): ExitReason | undefined;
  /** The terminal's last line, where this language words it its own way. */
  exitMessage?(reason: ExitReason, code: number | null, limits: RunLimits): string | undefined;
  /** Ends what the language keeps running of its own (a class-data dump); the pipeline ends its processes. */
  close?(): Promise<void>;
}
