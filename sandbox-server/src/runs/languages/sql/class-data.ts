// Class-data sharing for the SQL runner's JVM. A cold runner spends most of its start loading and
// verifying Flink's classes; an archive of them, made once by a runner that starts, warms up and exits,
// lets every later JVM map them instead: about half the cold start on this course's machines.
// The archive is made in the background the first time a server needs a runner, with the same paths
// the runners see (inside the sandbox, or not); until it exists, runners start without one. Its name
// carries a stamp of everything the JVM checks it against (the JVM, the runner's jar, Flink's jars), so
// a change to any of them makes a new one instead of one the JVM would skip in silence. A checksum
// written beside it once it is whole is checked before any runner maps it: a truncated archive would
// crash every runner (SIGBUS), a garbled one would be skipped in silence; either is made again.
import type { ProgramChild } from "../../process/process-spawner.ts";
import { endProcessTree } from "../../process/process-tree.ts";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, lstatSync, readdirSync, statSync } from "node:fs";
import { chmod, chown, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import path from "node:path";
import { log } from "../../../log.ts";
import { CLASS_DATA_DUMP, javaInstallation } from "./jvm.ts";

/** Starts a runner that dumps its classes into `dumpInto` as it exits; its process is undefined once closed. */
export type ClassDataDump = () => Promise<{ dumpInto: string; process: Promise<ProgramChild | undefined> }>;

const DUMP_TIMEOUT_MS = 5 * 60_000;
const DUMP_DIR_PREFIX = "class-data-";
const NOBODY = 65534;

/** What a server knows of its archive: none yet, being made, checked and in use, or none to be had. */
export type ClassDataState = "absent" | "checking" | "making" | "ready" | "failed";

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

/** A file's size and SHA-256, as the line written beside a whole archive. */
async function fingerprint(file: string): Promise<string> {
  const digest = createHash("sha256");
  await pipeline(createReadStream(file), digest);
  return `${statSync(file).size} ${digest.digest("hex")}\n`;
}

export class RunnerClassData {
  readonly archive: string;
  readonly #runnerDir: string;
  readonly #dumpRoot: string;
  #state: ClassDataState = "absent";
  #checked?: Promise<boolean>;
  #making?: Promise<void>;

  /**
   * `kind` tells apart archives made inside the sandbox and outside it (their paths differ); dumps are
   * written in `dumpRoot`, a folder the runner's user can reach wherever the project is cloned.
   */
  constructor(runner: { runnerDir: string; runnerJar: string; libDir: string }, kind: "sandbox" | "plain", dumpRoot: string) {
    this.#runnerDir = runner.runnerDir;
    this.#dumpRoot = dumpRoot;
    this.archive = path.join(runner.runnerDir, `class-data-${kind}-${classDataStamp(runner.runnerJar, runner.libDir)}.jsa`);
    this.#removeLeftovers(kind);
    if (existsSync(this.archive)) this.#check();
  }

  get state(): ClassDataState {
    return this.#state;
  }

  /**
   * The archive for a runner to start with, once it exists and is whole (an archive being checked is waited
   * for: a second at most); else starts making it (once) and returns undefined.
   */
  async forStart(dump: ClassDataDump): Promise<string | undefined> {
    await this.#checked;
    if (this.#state === "ready") return this.archive;
    if (this.#state === "making" || this.#state === "failed") return undefined;
    // Tried once per server: a failed attempt is logged, and runners keep starting without an archive.
    this.#state = "making";
    this.#making ??= this.#make(dump)
      .then(() => {
        this.#state = existsSync(this.archive) ? "ready" : "failed";
      })
      .catch((error: Error) => {
        this.#state = "failed";
        log.warn({ err: error.message }, "flink: could not make a class-data archive");
      });
    return undefined;
  }

  /** A fresh folder for a dump, that only the runner's user may write. */
  async dumpFolder(): Promise<string> {
    const dir = await mkdtemp(path.join(this.#dumpRoot, DUMP_DIR_PREFIX));
    if (process.getuid?.() === 0) await chown(dir, NOBODY, NOBODY);
    await chmod(dir, 0o700);
    return dir;
  }

  /** Resolves once an archive being checked or made is done with (made, failed, or its runner killed). */
  async settled(): Promise<void> {
    await this.#checked;
    await this.#making;
  }

  /** Checks the archive against the checksum written when it was made; a damaged one goes, to be made again. */
  #check(): void {
    this.#state = "checking";
    this.#checked = (async () => {
      const recorded = await readFile(`${this.archive}.sha256`, "utf8").catch(() => "");
      const actual = await fingerprint(this.archive).catch(() => "");
      if (recorded && recorded === actual) {
        this.#state = "ready";
        return true;
      }
      log.warn({ archive: path.basename(this.archive) }, "flink: the class-data archive is damaged or incomplete; it is made again");
      await rm(this.archive, { force: true });
      await rm(`${this.archive}.sha256`, { force: true });
      this.#state = "absent";
      return false;
    })();
  }

  async #make(dump: ClassDataDump): Promise<void> {
    const started = performance.now();
    const { dumpInto, process: starting } = await dump();
    try {
      const child = await starting;
      if (!child) return;
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => endProcessTree(child), DUMP_TIMEOUT_MS);
        child.once("close", (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
        child.once("error", () => resolve(null));
      });
      const made = path.join(dumpInto, CLASS_DATA_DUMP);
      const stat = lstatSync(made, { throwIfNoEntry: false });
      if (code !== 0 || !stat?.isFile()) {
        log.warn({ code }, "flink: no class-data archive was made; SQL runners start without one");
        return;
      }
      // A copy the server owns and nobody may change goes into place; the runner's own file goes with its folder.
      const placed = `${this.archive}.${process.pid}.tmp`;
      // Streamed, not copied: a copy would keep the runner's ownership.
      await pipeline(createReadStream(made), createWriteStream(placed, { mode: 0o444 }));
      // The checksum is written once the archive is whole, and the archive is named only after that.
      await writeFile(`${this.archive}.sha256`, await fingerprint(placed), { mode: 0o444 });
      await rename(placed, this.archive);
      log.info({ seconds: Math.round((performance.now() - started) / 1000) }, "flink: class-data archive made; SQL runners now start faster");
    } finally {
      await rm(dumpInto, { recursive: true, force: true });
    }
  }

  /** Archives for other JVMs or jars, their checksums, and the folders of dumps a killed server left behind. */
  #removeLeftovers(kind: string): void {
    const now = Date.now();
    for (const name of readdirSync(this.#runnerDir)) {
      const file = path.join(this.#runnerDir, name);
      const archiveFile = name.replace(/\.sha256$/, "");
      const stale = name.startsWith(`class-data-${kind}-`) && archiveFile.endsWith(".jsa") && archiveFile !== path.basename(this.archive);
      const abandoned = name.startsWith(DUMP_DIR_PREFIX) && !archiveFile.endsWith(".jsa") && now - statSync(file).mtimeMs > DUMP_TIMEOUT_MS;
      // A running JVM keeps a removed archive it has mapped.
      if (stale || abandoned) void rm(file, { recursive: true, force: true });
    }
  }
}
