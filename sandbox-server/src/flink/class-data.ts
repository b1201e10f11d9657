// Class-data sharing for the SQL runner's JVM. A cold runner spends most of its start loading and
// verifying Flink's classes; an archive of them, made once by a runner that starts, warms up and exits,
// lets every later JVM map them instead: about half the cold start on this course's machines.
// The archive is made in the background the first time a server needs a runner, with the same paths
// the runners see (inside the sandbox, or not); until it exists, runners start without one. Its name
// carries a stamp of everything the JVM checks it against (the JVM, the runner's jar, Flink's jars), so
// a change to any of them makes a new one instead of one the JVM would skip in silence.
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, lstatSync, readdirSync, statSync } from "node:fs";
import { chmod, chown, mkdtemp, rename, rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import path from "node:path";
import { log } from "../log.ts";
import { CLASS_DATA_DUMP, javaInstallation } from "./flink-sandbox.ts";

/** Starts a runner that warms up, then dumps its classes into the folder `dumpInto` as it exits; undefined once closed. */
export type ClassDataDump = (dumpInto: string) => Promise<ChildProcess | undefined>;

const DUMP_TIMEOUT_MS = 5 * 60_000;
const DUMP_DIR_PREFIX = "class-data-";
const NOBODY = 65534;

/** A stamp of the files a class-data archive is only good with: they change, the stamp changes. */
function classDataStamp(runnerJar: string, libDir: string): string {
  const { java } = javaInstallation();
  const home = path.dirname(path.dirname(java));
  const files = [java, path.join(home, "lib", "server", "libjvm.so"), runnerJar, ...readdirSync(libDir).map((name) => path.join(libDir, name))];
  const digest = createHash("sha256");
  for (const file of files.sort()) {
    const stat = statSync(file, { throwIfNoEntry: false });
    digest.update(`${file}:${stat?.size ?? "-"}:${stat?.mtimeMs ?? "-"}\n`);
  }
  return digest.digest("hex").slice(0, 12);
}

export class RunnerClassData {
  readonly archive: string;
  readonly #runnerDir: string;
  #making?: Promise<void>;

  /** `kind` tells apart archives made inside the sandbox and outside it: their paths differ. */
  constructor(runner: { runnerDir: string; runnerJar: string; libDir: string }, kind: "sandbox" | "plain") {
    this.#runnerDir = runner.runnerDir;
    this.archive = path.join(runner.runnerDir, `class-data-${kind}-${classDataStamp(runner.runnerJar, runner.libDir)}.jsa`);
    this.#removeLeftovers(kind);
  }

  /** The archive for a runner to start with, once it exists; else starts making it (once) and returns undefined. */
  forStart(dump: ClassDataDump): { use: string } | undefined {
    if (existsSync(this.archive)) return { use: this.archive };
    // Tried once per server: a failed attempt is logged, and runners keep starting without an archive.
    this.#making ??= this.#make(dump).catch((error: Error) => log.warn({ err: error.message }, "flink: could not make a class-data archive"));
    return undefined;
  }

  /** Resolves once an archive being made is done with (made, failed, or its runner killed). */
  async settled(): Promise<void> {
    await this.#making;
  }

  async #make(dump: ClassDataDump): Promise<void> {
    const started = performance.now();
    const dir = await mkdtemp(path.join(this.#runnerDir, DUMP_DIR_PREFIX));
    try {
      // Only the dumping runner writes here: as nobody when the server is root, and nobody else may.
      if (process.getuid?.() === 0) await chown(dir, NOBODY, NOBODY);
      await chmod(dir, 0o700);
      const child = await dump(dir);
      if (!child) return;
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), DUMP_TIMEOUT_MS);
        child.once("close", (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
        child.once("error", () => resolve(null));
      });
      const made = path.join(dir, CLASS_DATA_DUMP);
      const stat = lstatSync(made, { throwIfNoEntry: false });
      if (code !== 0 || !stat?.isFile()) {
        log.warn({ code }, "flink: no class-data archive was made; SQL runners start without one");
        return;
      }
      // A copy the server owns and nobody may change goes into place; the runner's own file goes with its folder.
      const placed = `${this.archive}.${process.pid}.tmp`;
      // Streamed, not copied: a copy would keep the runner's ownership.
      await pipeline(createReadStream(made), createWriteStream(placed, { mode: 0o444 }));
      await rename(placed, this.archive);
      log.info({ seconds: Math.round((performance.now() - started) / 1000) }, "flink: class-data archive made; SQL runners now start faster");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Archives for other JVMs or jars, and the folders of dumps a killed server left behind. */
  #removeLeftovers(kind: string): void {
    const now = Date.now();
    for (const name of readdirSync(this.#runnerDir)) {
      const file = path.join(this.#runnerDir, name);
      const stale = name.startsWith(`class-data-${kind}-`) && name.endsWith(".jsa") && file !== this.archive;
      const abandoned = name.startsWith(DUMP_DIR_PREFIX) && !name.endsWith(".jsa") && now - statSync(file).mtimeMs > DUMP_TIMEOUT_MS;
      // A running JVM keeps a removed archive it has mapped.
      if (stale || abandoned) void rm(file, { recursive: true, force: true });
    }
  }
}
