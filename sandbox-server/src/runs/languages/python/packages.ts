// Python for learners' programs: Debian's own interpreter (never a pyenv or conda one first on PATH),
// with kafka-python fetched from PyPI once into .tributary/python/ by the project itself, never
// system-wide. Programs never run pip: what they may import is what requirements.txt pins.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The interpreter every Python program runs on: the distribution's, found at the same path inside the sandbox. */
export const SYSTEM_PYTHON = "/usr/bin/python3";
/** The pinned packages (with hashes) learners' programs may import. */
export const PYTHON_REQUIREMENTS = fileURLToPath(new URL("./requirements.txt", import.meta.url));
const INSTALL_HINT = "On Debian/Ubuntu: apt-get install python3 python3-venv";

export interface PythonRuntime {
  interpreter: string;
  /** The folder holding kafka-python, put on the program's import path. */
  packagesDir: string;
  /** The interpreter's standard library (with its native modules), e.g. /usr/lib/python3.11. */
  stdlibDir: string;
}

/**
 * Where kafka-python is installed: .tributary/python in the project, shared by every server and test
 * (whatever their state folder), so it is fetched once, like Kafka's jars.
 */
export const PYTHON_HOME = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../../../.tributary/python");

async function standardLibrary(): Promise<string> {
  const { stdout } = await execFileAsync(SYSTEM_PYTHON, ["-I", "-S", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], {
    timeout: 10_000,
  });
  return stdout.trim();
}

/**
 * Makes sure kafka-python is installed under `home`, installing it from PyPI the first time
 * (a venv supplies pip; packages go to a folder of their own). Returns the runtime, or why there is none.
 */
export function ensurePythonRuntime(home = PYTHON_HOME, onProgress: (message: string) => void = () => {}): Promise<PythonRuntime | string> {
  // Servers and tests in one process share one installation, and must not install it twice at once.
  let settled = installations.get(home);
  if (!settled) {
    settled = installPythonRuntime(home, onProgress);
    installations.set(home, settled);
    // A failed installation may succeed later (PyPI back, python3-venv installed): ask again next time.
    void settled.then((result) => typeof result === "string" && installations.delete(home));
  }
  return settled;
}

const installations = new Map<string, Promise<PythonRuntime | string>>();

async function installPythonRuntime(home: string, onProgress: (message: string) => void): Promise<PythonRuntime | string> {
  if (!existsSync(SYSTEM_PYTHON)) return `${SYSTEM_PYTHON} was not found. ${INSTALL_HINT}`;
  const packagesDir = path.join(home, "packages");
  const marker = path.join(packagesDir, ".requirements.txt");
  const wanted = await readFile(PYTHON_REQUIREMENTS, "utf8");
  const stdlibDir = await standardLibrary().catch((error: Error) => error.message);
  if (!stdlibDir.startsWith("/")) return `${SYSTEM_PYTHON} does not start (${stdlibDir}). ${INSTALL_HINT}`;
  if ((await readFile(marker, "utf8").catch(() => "")) === wanted) return { interpreter: SYSTEM_PYTHON, packagesDir, stdlibDir };

  const venv = path.join(home, "venv");
  try {
    if (!existsSync(path.join(venv, "bin", "python"))) {
      onProgress("Creating a Python environment for installing kafka-python (once)…");
      await execFileAsync(SYSTEM_PYTHON, ["-m", "venv", venv], { timeout: 120_000 });
    }
    onProgress("Fetching kafka-python from PyPI (once)…");
    const staging = `${packagesDir}.partial`;
    await rm(staging, { recursive: true, force: true });
    await execFileAsync(
      path.join(venv, "bin", "python"),
      [
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "--no-deps",
        "--only-binary=:all:",
        "--require-hashes",
        "--target",
        staging,
        "-r",
        PYTHON_REQUIREMENTS,
      ],
      { timeout: 300_000 },
    );
    // Sandboxes read the packages as another user: files 0644, folders 0755.
    await execFileAsync("chmod", ["-R", "a+rX", staging]);
    await writeFile(path.join(staging, ".requirements.txt"), wanted, { mode: 0o644 });
    await rm(packagesDir, { recursive: true, force: true });
    await mkdir(home, { recursive: true });
    await rename(staging, packagesDir);
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    const detail = (failure.stderr?.trim().split("\n").at(-1) ?? failure.message).trim();
    return `kafka-python could not be installed into ${packagesDir} (${detail}). ${INSTALL_HINT}; PyPI must be reachable once.`;
  }
  onProgress("kafka-python is installed.");
  return { interpreter: SYSTEM_PYTHON, packagesDir, stdlibDir };
}
