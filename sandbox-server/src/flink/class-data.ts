// Class-data sharing for the SQL runner's JVM. A cold runner spends most of its start loading and
// verifying Flink's classes; an archive of them, made once by a runner that starts, warms up and exits,
// lets every later JVM map them instead: about half the cold start on this course's machines.
// The archive is made in the background the first time a server needs a runner, with the same paths
// the runners see (inside the sandbox, or not), for this runner's jar and this Java; until it exists,
// runners start without one. A JVM that finds it unfit (another Java, say) ignores it, silently.
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { chmod, mkdtemp, rename, rm } from "node:fs/promises";
import path from "node:path";
import { log } from "../log.ts";
import { CLASS_DATA_DUMP, javaInstallation } from "./flink-sandbox.ts";

/** Starts a runner that warms up, then dumps its classes into the folder `dumpInto` as it exits. */
export type ClassDataDump = (dumpInto: string) => Promise<ChildProcess>;

const DUMP_TIMEOUT_MS = 5 * 60_000;

export class RunnerClassData {
  readonly archive: string;
  readonly #runnerDir: string;
  #making?: Promise<void>;

  /** `kind` tells apart archives made inside the sandbox and outside it: their paths differ. */
  constructor(runnerDir: string, kind: "sandbox" | "plain") {
    this.#runnerDir = runnerDir;
    const { java } = javaInstallation();
    const javaStamp = createHash("sha256")
      .update(`${java}:${statSync(java).mtimeMs}`)
      .digest("hex")
      .slice(0, 10);
    this.archive = path.join(runnerDir, `class-data-${kind}-${javaStamp}.jsa`);
  }

  /** The archive for a runner to start with, once it exists; else starts making it (once) and returns undefined. */
  forStart(dump: ClassDataDump): { use: string } | undefined {
    if (existsSync(this.archive)) return { use: this.archive };
    // Tried once per server: a failed attempt is logged, and runners keep starting without an archive.
    this.#making ??= this.#make(dump);
    return undefined;
  }

  async #make(dump: ClassDataDump): Promise<void> {
    const started = performance.now();
    // Beside the archive's place, so that the finished file moves in with one rename.
    const dir = await mkdtemp(path.join(this.#runnerDir, "class-data-"));
    try {
      // The runner may run as nobody; only it writes here, and the folder goes once the archive is in place.
      await chmod(dir, 0o777);
      const child = await dump(dir);
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), DUMP_TIMEOUT_MS);
        child.once("close", (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
        child.once("error", () => resolve(null));
      });
      const made = path.join(dir, CLASS_DATA_DUMP);
      if (code !== 0 || !existsSync(made)) {
        log.warn({ code }, "flink: no class-data archive was made; SQL runners start without one");
        return;
      }
      await rename(made, this.archive);
      log.info({ seconds: Math.round((performance.now() - started) / 1000) }, "flink: class-data archive made; SQL runners now start faster");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
