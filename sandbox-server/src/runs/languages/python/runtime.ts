// Python with kafka-python: no compile step (a syntax error shows when the program runs, as Python does);
// Debian's own python3 runs the launcher (inside/python-launcher.py), which imports kafka-python, installs
// its audit hook as the second fence, waits for the run's environment on stdin and runs main.py with the
// course's `tributary` module on its path. The same launcher runs sandboxed or as a plain process.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { RunLimits } from "../../../config.ts";
import { KAFKA_SOCKET_DIR, SANDBOX } from "../../inside/sandbox-paths.ts";
import type { ProgramHost } from "../../process/program-host.ts";
import type { LanguageRuntime, PreparedProgram, ProcessPlan } from "../language-runtime.ts";
import { ensurePythonRuntime, type PythonRuntime } from "./packages.ts";

/** The entry point of a Python program, as main.ts is of a TypeScript one. */
export const PYTHON_ENTRY = "main.py";
const LAUNCHER = fileURLToPath(new URL("../../inside/python-launcher.py", import.meta.url));
const KIT = fileURLToPath(new URL("../../inside/tributary.py", import.meta.url));

/** Where the Python pieces appear inside the sandbox. */
const INSIDE = { kitDir: "/opt/tributary/python", packages: "/opt/python/packages" } as const;

interface LauncherPaths {
  program: string;
  launcher: string;
  kitDir: string;
  packages: string;
  stdlib: string;
  tmp: string;
  kafkaSocketDir?: string;
}

/** The interpreter's flags and the launcher's settings (what it reads, writes and imports). */
function launcherArgv(runtime: PythonRuntime, paths: LauncherPaths): string[] {
  const config = {
    program: paths.program,
    launcherDir: path.dirname(paths.launcher),
    importPaths: [paths.packages, paths.kitDir],
    kafkaSocketDir: paths.kafkaSocketDir,
    libraries: [paths.stdlib, paths.packages],
    readable: [paths.kitDir, path.dirname(paths.program), paths.tmp, "/dev/null", "/dev/urandom", "/usr/share/zoneinfo"],
    writable: [paths.tmp, "/dev/null"],
  };
  // -I: no PYTHON* variables, no user site-packages; -S: no site (no system dist-packages); -u: output as it is written.
  return [runtime.interpreter, "-I", "-S", "-u", paths.launcher, JSON.stringify(config)];
}

/** The files to put in the run's folder, or why the program cannot run. */
export function pythonProgramFiles(files: Readonly<Record<string, string>>): PreparedProgram {
  const other = Object.keys(files).find((name) => !name.endsWith(".py"));
  if (other) return { ok: false, message: `${other}: a Python program's files end in .py.` };
  return { ok: true, files: { ...files } };
}

export class PythonLanguageRuntime implements LanguageRuntime {
  readonly language = "python" as const;
  readonly limits: Partial<RunLimits> = {};
  // A kafka-python program mostly waits on the broker: starting Python is its busiest part.
  readonly cpus = 1 / 16;
  readonly warm: LanguageRuntime["warm"];
  readonly canary = { files: { [PYTHON_ENTRY]: 'import kafka, tributary\nprint("tributary canary: python")\n' }, expect: "tributary canary: python" };
  #host?: ProgramHost;
  #python?: PythonRuntime;
  #staged?: { launcher: string; kit: string; packagesDir: string };

  constructor(warmCount: number) {
    this.warm = { when: "always", count: warmCount };
  }

  async setUp(host: ProgramHost): Promise<string | undefined> {
    const python = await ensurePythonRuntime();
    if (typeof python === "string") return python;
    this.#host = host;
    this.#python = python;
    // Cloned where nobody may enter (/root, say), the launcher and packages are bound from links or copies.
    this.#staged = {
      launcher: await host.reachable(LAUNCHER, "python-kit/launcher.py"),
      kit: await host.reachable(KIT, "python-kit/tributary.py"),
      packagesDir: await host.reachable(python.packagesDir, "python-packages"),
    };
    return undefined;
  }

  async prepare(files: Readonly<Record<string, string>>): Promise<PreparedProgram> {
    return pythonProgramFiles(files);
  }

  async plan(runDir: string, _limits: RunLimits): Promise<ProcessPlan> {
    const python = this.#python!;
    const staged = this.#staged!;
    if (this.#host!.sandbox) {
      const launcher = `${INSIDE.kitDir}/launcher.py`;
      return {
        readOnly: [
          [staged.launcher, launcher],
          [staged.kit, `${INSIDE.kitDir}/tributary.py`],
          [staged.packagesDir, INSIDE.packages],
          [runDir, SANDBOX.runDir],
        ],
        argv: launcherArgv(python, {
          program: `${SANDBOX.runDir}/${PYTHON_ENTRY}`,
          launcher,
          kitDir: INSIDE.kitDir,
          packages: INSIDE.packages,
          stdlib: python.stdlibDir,
          tmp: SANDBOX.tmp,
          kafkaSocketDir: KAFKA_SOCKET_DIR,
        }),
        chdir: SANDBOX.home,
      };
    }
    return {
      readOnly: [],
      argv: launcherArgv(python, {
        program: path.join(runDir, PYTHON_ENTRY),
        launcher: LAUNCHER,
        kitDir: path.dirname(KIT),
        packages: python.packagesDir,
        stdlib: python.stdlibDir,
        tmp: runDir,
      }),
      chdir: runDir,
    };
  }
}
