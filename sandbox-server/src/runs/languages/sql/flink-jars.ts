// Apache Flink without a Flink installation: Maven gathers the runtime jars flink/pom.xml names from
// Maven Central once (cached in the state folder, like Kafka's), and Eclipse's compiler (a jar, so a
// JRE suffices) compiles the SQL runner in flink/sql-runner against them, once per source version,
// into one jar (class-data sharing archives classes from jars only).
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, lstat, mkdtemp, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { compileJava, mavenCopy } from "../../../java-build/index.ts";

const execFileAsync = promisify(execFile);

export interface FlinkRunnerFiles {
  /** Flink's jars. */
  libDir: string;
  /** The folder of the compiled SQL runner: its jar, and the class-data archives made for it. */
  runnerDir: string;
  /** The SQL runner's jar, in runnerDir. */
  runnerJar: string;
  version: string;
}

/** The Flink version the pom names; the pom is the one place it is written. */
export function flinkVersionFromPom(pomPath: string): string {
  const match = /<flink\.version>([^<]+)<\/flink\.version>/.exec(readFileSync(pomPath, "utf8"));
  if (!match?.[1]) throw new Error(`${pomPath} does not set <flink.version>.`);
  return match[1];
}

/** Runners of earlier sources (each with a class-data archive of about 130 MB) unused for a day. */
async function removeOldRunners(homeDir: string, current: string): Promise<void> {
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of await readdir(homeDir)) {
    const dir = path.join(homeDir, name);
    if (!name.startsWith("sql-runner-") || dir === current) continue;
    const stat = await lstat(dir).catch(() => undefined);
    if (stat && stat.mtimeMs < dayAgo) await rm(dir, { recursive: true, force: true });
  }
}

/** Fetches Flink's jars (first time) and compiles the SQL runner (when its source changed). */
export async function ensureFlinkRunner(pomPath: string, homeDir: string, onProgress: (m: string) => void): Promise<FlinkRunnerFiles> {
  const version = flinkVersionFromPom(pomPath);
  const libDir = path.join(homeDir, `lib-${version}`);
  if (!existsSync(path.join(libDir, ".complete"))) {
    onProgress(`fetching Apache Flink ${version} jars with Maven (first time only, about 150 MB)`);
    const jars = await mavenCopy(pomPath, "runtime", libDir, onProgress);
    await writeFile(path.join(libDir, ".complete"), `${jars.length} jars\n`);
  }
  const sourceDir = path.join(path.dirname(pomPath), "sql-runner");
  const sources = (await readdir(sourceDir))
    .filter((f) => f.endsWith(".java"))
    .sort()
    .map((f) => path.join(sourceDir, f));
  const digest = createHash("sha256").update(version);
  for (const source of sources) digest.update(await readFile(source));
  const runnerDir = path.join(homeDir, `sql-runner-${digest.digest("hex").slice(0, 12)}`);
  const files = { libDir, runnerDir, runnerJar: path.join(runnerDir, "runner.jar"), version };
  if (existsSync(path.join(runnerDir, ".complete"))) return files;

  // Built aside and moved into place whole: two servers starting at once never share a half-written jar.
  const building = await mkdtemp(`${runnerDir}.building-`);
  try {
    const classesDir = path.join(building, "classes");
    await compileJava({ pomPath, toolsDir: path.join(homeDir, "tools"), libDir, sources, classesDir, what: "the Flink SQL runner", onProgress });
    await execFileAsync("java", ["-cp", classesDir, "dev.tributary.flink.RunnerJar", classesDir, path.join(building, "runner.jar")]);
    await writeFile(path.join(building, ".complete"), "");
    await chmod(building, 0o755);
    await rename(building, runnerDir).catch((error: NodeJS.ErrnoException) => {
      // Another server finished first: its runner is the same.
      if (!existsSync(path.join(runnerDir, ".complete"))) throw error;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  await removeOldRunners(homeDir, runnerDir);
  return files;
}
