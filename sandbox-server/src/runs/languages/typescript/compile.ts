// Turns the learner's TypeScript files into one ES module for Node, with an inline source map
// so stack traces point at their own lines. Types are checked in the editor, not here.
//
// esbuild runs as one service process shared by every compile. A program can crash it (deep
// nesting overflows its parser's stack) or, in principle, hang it; either would fail every later
// run. So: sources too deeply nested are refused before esbuild sees them, a compile has a deadline,
// and when the service dies it is restarted and the compile is repeated in a process of its own,
// where a crash can fail only the program that caused it.
import { build, formatMessages, stop, type Plugin } from "esbuild";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { log } from "../../../log.ts";

export type CompileResult = { ok: true; code: string } | { ok: false; message: string };

export const ENTRY_FILE = "main.ts";
const NAMESPACE = "learner";
/** `import ... from "tributary"` in a learner's program: the course's kit, bundled in. */
export const LEARNER_KIT = { specifier: "tributary", path: fileURLToPath(new URL("../../inside/learner-kit.ts", import.meta.url)) };
/** Brackets nested deeper than this, or more prefix operators in a row, are refused: no course program comes near. */
export const MAX_NESTING = 200;
const COMPILE_TIMEOUT_MS = 10_000;
const ISOLATED_COMPILER = fileURLToPath(new URL("./compile-isolated.ts", import.meta.url));

/** Serves the submitted files from memory; anything else is left to Node at run time. */
function learnerFiles(files: Readonly<Record<string, string>>): Plugin {
  return {
    name: "learner-files",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const name = `${args.path.replace(/^\.\//, "").replace(/\.(js|ts)$/, "")}.ts`;
        if (!(name in files)) return { errors: [{ text: `Cannot find file "${args.path}" among your files.` }] };
        return { path: name, namespace: NAMESPACE };
      });
      build.onResolve({ filter: /^main\.ts$/ }, (args) => ({ path: args.path, namespace: NAMESPACE }));
      build.onResolve({ filter: /^tributary$/ }, () => ({ path: LEARNER_KIT.path }));
      // Packages (kafkajs) and built-ins (node:fs) are resolved by Node when the program runs.
      build.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: files[args.path] ?? "",
        loader: "ts",
      }));
    },
  };
}

/**
 * Why a source is too deeply nested to compile safely, or undefined. Counts brackets and runs of
 * prefix operators (`!!!!x`), the two shapes that make a parser recurse once per character.
 */
export function nestingProblem(files: Readonly<Record<string, string>>): string | undefined {
  for (const [name, text] of Object.entries(files)) {
    let depth = 0;
    let run = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 40 || ch === 91 || ch === 123)
        depth++; // ( [ {
      else if (ch === 41 || ch === 93 || ch === 125) depth = Math.max(0, depth - 1);
      if (ch === 33 || ch === 126 || ch === 43 || ch === 45)
        run++; // ! ~ + -
      else if (ch !== 32 && ch !== 10 && ch !== 13 && ch !== 9) run = 0;
      if (depth > MAX_NESTING) return `${name}: brackets are nested more than ${MAX_NESTING} deep; the compiler refuses such code.`;
      if (run > MAX_NESTING) return `${name}: more than ${MAX_NESTING} operators in a row; the compiler refuses such code.`;
    }
  }
  return undefined;
}

/** How the shared compiler has fared: a host sees crashes and restarts in /api/health. */
const service = { crashes: 0, lastCrash: undefined as string | undefined };

class CompileTimeout extends Error {}

/** Bundles in the shared esbuild service. Throws when the service dies or the deadline passes. */
async function compileShared(files: Readonly<Record<string, string>>, timeoutMs: number): Promise<CompileResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CompileTimeout()), timeoutMs);
  });
  try {
    return await Promise.race([compileHere(files), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Bundles `main.ts` and the files it imports in this process's esbuild service. */
export async function compileHere(files: Readonly<Record<string, string>>): Promise<CompileResult> {
  try {
    const result = await build({
      entryPoints: [ENTRY_FILE],
      bundle: true,
      write: false,
      platform: "node",
      format: "esm",
      target: "node22",
      sourcemap: "inline",
      sourcesContent: false,
      logLevel: "silent",
      plugins: [learnerFiles(files)],
    });
    return { ok: true, code: result.outputFiles[0]?.text ?? "" };
  } catch (error) {
    const failure = error as { errors?: Parameters<typeof formatMessages>[0] };
    if (!failure.errors) throw error;
    const lines = await formatMessages(failure.errors, { kind: "error", color: false });
    return { ok: false, message: lines.join("").trimEnd() };
  }
}

let restarting: Promise<void> | undefined;
/** Ends the shared service; esbuild starts a new one at the next compile. */
function restartService(why: string): Promise<void> {
  service.crashes++;
  service.lastCrash = `${new Date().toISOString()}: ${why}`;
  log.warn({ why }, "compiler restarted");
  restarting ??= stop().finally(() => (restarting = undefined));
  return restarting;
}

/** Compiles in a process of its own, which a crash or a hang ends without touching anyone else. */
export function compileIsolated(files: Readonly<Record<string, string>>, timeoutMs = COMPILE_TIMEOUT_MS): Promise<CompileResult> {
  return new Promise((resolve) => {
    const typeFlags = process.execArgv.filter((flag) => flag.includes("strip-types"));
    const child = spawn(process.execPath, [...typeFlags, ISOLATED_COMPILER], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderrTail = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    // A crashing esbuild prints its whole Go stack; keep the first lines, where the cause is.
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderrTail.length < 2000) stderrTail += chunk;
    });
    child.stdin.on("error", () => {});
    child.stdin.end(JSON.stringify(files));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `The compiler could not start: ${error.message}. Run again; if it keeps failing, tell the course host.` });
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        try {
          return resolve(JSON.parse(stdout) as CompileResult);
        } catch {
          // fall through: an answer that is not JSON is a crash too
        }
      }
      const cause = /fatal error: ([^\n]+)/.exec(stderrTail)?.[1];
      const message =
        signal === "SIGKILL"
          ? `Compiling your program took longer than ${timeoutMs / 1000} s, so the compiler gave up. Simplify the code and run again.`
          : `The compiler crashed on your program${cause ? ` (${cause})` : ""}. Deeply nested or very repetitive code does that; simplify it and run again.`;
      resolve({ ok: false, message });
    });
  });
}

/**
 * Bundles `main.ts` and the files it imports; packages (kafkajs, node:*) stay imports. A program
 * that breaks the compiler gets a failed result with a message; other programs are not affected.
 */
export async function compileProgram(files: Readonly<Record<string, string>>, options: { timeoutMs?: number } = {}): Promise<CompileResult> {
  const timeoutMs = options.timeoutMs ?? COMPILE_TIMEOUT_MS;
  const tooDeep = nestingProblem(files);
  if (tooDeep) return { ok: false, message: tooDeep };
  await restarting;
  try {
    return await compileShared(files, timeoutMs);
  } catch (error) {
    if (error instanceof CompileTimeout) {
      // Whatever holds the shared service up would hold up everyone's runs: restart it.
      void restartService(`a compile took longer than ${timeoutMs / 1000} s`);
      return {
        ok: false,
        message: `Compiling your program took longer than ${timeoutMs / 1000} s, so the compiler gave up. Simplify the code and run again.`,
      };
    }
    // The service died: this program crashed it, or one compiled at the same moment did. Compiled
    // again alone, it succeeds or fails on its own account.
    await restartService((error as Error).message);
    return compileIsolated(files, timeoutMs);
  }
}

/** Whether the compiler works now: a tiny program compiles in time. */
export async function compilerHealth(): Promise<{ ok: boolean; crashes: number; lastCrash?: string; error?: string }> {
  const report = { crashes: service.crashes, ...(service.lastCrash ? { lastCrash: service.lastCrash } : {}) };
  try {
    await restarting;
    const probe = await compileShared({ [ENTRY_FILE]: "export {};" }, 5000);
    return probe.ok ? { ok: true, ...report } : { ok: false, ...report, error: probe.message };
  } catch (error) {
    const why = error instanceof CompileTimeout ? "a tiny program did not compile within 5 s" : (error as Error).message;
    // Broken or hung, the shared service is replaced: the next compile starts a fresh one.
    void restartService(why);
    return { ok: false, ...report, error: why };
  }
}
