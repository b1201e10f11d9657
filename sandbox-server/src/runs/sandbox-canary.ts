// Before a server says learners' programs run in the sandbox, it runs one: a tiny program through the
// very sandbox runs get (bubblewrap, the unprivileged user, the binds, the launcher), which must print
// its line and exit 0. A sandbox that bubblewrap can build but that cannot run a program is no sandbox.
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { type StartedSandbox, startSandbox, type SandboxTemplate } from "./sandbox-pool.ts";

const CANARY_LINE = "tributary sandbox canary";

export interface CanaryResult {
  ok: boolean;
  durationMs: number;
  /** Why the canary failed: the sandbox's own words, on one line. */
  error?: string;
}

/** Runs the canary program in a sandbox built from `template`; never throws. */
export async function runSandboxCanary(template: SandboxTemplate, timeoutMs = 20000): Promise<CanaryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let box: StartedSandbox;
  try {
    box = await startSandbox(`canary-${randomUUID()}`, template);
  } catch (error) {
    return { ok: false, durationMs: elapsed(), error: (error as Error).message };
  }
  let output = "";
  box.onOutput(({ data }) => (output += data));
  try {
    await writeFile(path.join(box.dir, "main.mjs"), `import "kafkajs";\nconsole.log(${JSON.stringify(CANARY_LINE)});\n`);
    box.launch({});
    const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs).unref());
    const closed = await Promise.race([box.closed, timer]);
    const oneLine = output.trim().split("\n").filter(Boolean).slice(-3).join(" | ").slice(0, 400);
    if (closed === "timeout")
      return { ok: false, durationMs: elapsed(), error: `the program did not finish within ${timeoutMs / 1000} s${oneLine ? `: ${oneLine}` : ""}` };
    if (closed.code !== 0 || !output.includes(CANARY_LINE)) {
      return {
        ok: false,
        durationMs: elapsed(),
        error: `the program exited with ${closed.signal ?? `code ${closed.code}`}${oneLine ? `: ${oneLine}` : ""}`,
      };
    }
    return { ok: true, durationMs: elapsed() };
  } finally {
    await box.discard();
  }
}
