// Before a server says it runs a language, it runs a canary: a tiny program of that language through the
// very path runs take (the sandbox, the unprivileged user, the binds, the launcher), which must print its
// line and exit 0. A sandbox that bubblewrap can build but that cannot run a program is no sandbox.
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { RunLimits } from "../config.ts";
import type { LanguageRuntime } from "./languages/language-runtime.ts";
import type { ProgramHost } from "./process/program-host.ts";
import type { ProgramProcess } from "./process/program-process.ts";
import { startProgramProcess } from "./process/start-program.ts";

export interface CanaryResult {
  ok: boolean;
  durationMs: number;
  /** Why the canary failed: the sandbox's own words, on one line. */
  error?: string;
}

/** Runs `runtime`'s canary on `host`; never throws. */
export async function runCanary(host: ProgramHost, runtime: LanguageRuntime, limits: RunLimits, timeoutMs = 60_000): Promise<CanaryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let proc: ProgramProcess;
  try {
    proc = await startProgramProcess(host, runtime, `canary-${runtime.language}-${randomUUID()}`, limits);
  } catch (error) {
    return { ok: false, durationMs: elapsed(), error: (error as Error).message };
  }
  let output = "";
  proc.onOutput(({ data }) => (output += data));
  try {
    const prepared = await runtime.prepare(runtime.canary.files);
    if (!prepared.ok) return { ok: false, durationMs: elapsed(), error: prepared.message };
    for (const [name, text] of Object.entries(prepared.files)) await writeFile(path.join(proc.dir, name), text, { mode: 0o644 });
    proc.launch({});
    const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs).unref());
    const closed = await Promise.race([proc.closed, timer]);
    const lastLines = output.trim().split("\n").filter(Boolean).slice(-3).join(" | ").slice(0, 400);
    if (closed === "timeout")
      return {
        ok: false,
        durationMs: elapsed(),
        error: `the program did not finish within ${timeoutMs / 1000} s${lastLines ? `: ${lastLines}` : ""}`,
      };
    if (closed.code !== 0 || !output.includes(runtime.canary.expect)) {
      return {
        ok: false,
        durationMs: elapsed(),
        error: `the program exited with ${closed.signal ?? `code ${closed.code}`}${lastLines ? `: ${lastLines}` : ""}`,
      };
    }
    return { ok: true, durationMs: elapsed() };
  } finally {
    await proc.discard();
  }
}
