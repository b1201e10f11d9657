// How a Python program runs: no compile step (a syntax error is reported when it runs, as Python does),
// the launcher (launcher.py) started ahead of the run, and the course's `tributary` module on its path.
// The same sandbox as Node's holds it; inside, the launcher's audit hook is the second fence.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SandboxInterpreter } from "../containment/index.ts";
import { SANDBOX, KAFKA_SOCKET_DIR } from "../containment/index.ts";
import type { PythonRuntime } from "./python-packages.ts";

/** The entry point of a Python program, as main.ts is of a TypeScript one. */
export const PYTHON_ENTRY = "main.py";
const HERE = path.dirname(fileURLToPath(import.meta.url));
const LAUNCHER = path.join(HERE, "..", "inside", "python-launcher.py");
const KIT = path.join(HERE, "..", "inside", "tributary.py");

/** Where the Python pieces appear inside the sandbox. */
const INSIDE = { kitDir: "/opt/tributary/python", packages: "/opt/python/packages" } as const;

/** Whether the submitted files are a Python program. */
export function isPythonProgram(files: Readonly<Record<string, string>>): boolean {
  return PYTHON_ENTRY in files;
}

/** The files to put in the run's folder, or why the program cannot run. */
export function pythonProgramFiles(
  files: Readonly<Record<string, string>>,
): { ok: true; files: Record<string, string> } | { ok: false; message: string } {
  const other = Object.keys(files).find((name) => !name.endsWith(".py"));
  if (other) return { ok: false, message: `${other}: a Python program's files end in .py.` };
  return { ok: true, files: { ...files } };
}

interface LauncherPaths {
  program: string;
  kitDir: string;
  packages: string;
  stdlib: string;
  tmp: string;
  kafkaSocketDir?: string;
}

/** The interpreter's flags and the launcher's settings (what it reads, writes and imports). */
function launcherArgs(_runtime: PythonRuntime, launcher: string, paths: LauncherPaths): string[] {
  const config = {
    program: paths.program,
    launcherDir: path.dirname(launcher),
    importPaths: [paths.packages, paths.kitDir],
    kafkaSocketDir: paths.kafkaSocketDir,
    libraries: [paths.stdlib, paths.packages],
    readable: [paths.kitDir, path.dirname(paths.program), paths.tmp, "/dev/null", "/dev/urandom", "/usr/share/zoneinfo"],
    writable: [paths.tmp, "/dev/null"],
  };
  // -I: no PYTHON* variables, no user site-packages; -S: no site (no system dist-packages); -u: output as it is written.
  return ["-I", "-S", "-u", launcher, JSON.stringify(config)];
}

/** The host files a Python sandbox binds: the launcher, the course's module and the packages. */
export interface PythonSandboxFiles {
  launcher: string;
  kit: string;
  packagesDir: string;
}

/** Where those files are in the project; the sandbox may bind copies nobody can reach (see sandbox-files.ts). */
export function pythonHostFiles(runtime: PythonRuntime): PythonSandboxFiles {
  return { launcher: LAUNCHER, kit: KIT, packagesDir: runtime.packagesDir };
}

/** What a sandbox runs instead of Node for a Python program. */
export function pythonSandboxInterpreter(runtime: PythonRuntime, files = pythonHostFiles(runtime)): (runDir: string) => SandboxInterpreter {
  const launcherInside = `${INSIDE.kitDir}/launcher.py`;
  return () => ({
    binds: [
      [files.launcher, launcherInside],
      [files.kit, `${INSIDE.kitDir}/tributary.py`],
      [files.packagesDir, INSIDE.packages],
    ],
    argv: [
      runtime.interpreter,
      ...launcherArgs(runtime, launcherInside, {
        program: `${SANDBOX.runDir}/${PYTHON_ENTRY}`,
        kitDir: INSIDE.kitDir,
        packages: INSIDE.packages,
        stdlib: runtime.stdlibDir,
        tmp: SANDBOX.tmp,
        kafkaSocketDir: KAFKA_SOCKET_DIR,
      }),
    ],
  });
}

/**
 * Starts the program as a plain Python process, where the OS sandbox is unavailable: the audit hook is
 * then its only fence. stdin carries the learner's environment, as in the sandbox.
 */
export function spawnPythonProcess(runtime: PythonRuntime, scratchDir: string, env: Record<string, string>): ChildProcess {
  const args = launcherArgs(runtime, LAUNCHER, {
    program: path.join(scratchDir, PYTHON_ENTRY),
    kitDir: path.dirname(KIT),
    packages: runtime.packagesDir,
    stdlib: runtime.stdlibDir,
    tmp: scratchDir,
  });
  const child = spawn(runtime.interpreter, args, { cwd: scratchDir, env: { HOME: scratchDir }, stdio: ["pipe", "pipe", "pipe"], detached: true });
  child.stdin?.on("error", () => {});
  child.stdin?.end(`${JSON.stringify({ env })}\n`);
  return child;
}
