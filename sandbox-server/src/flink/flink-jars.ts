// Apache Flink without a Flink installation: Maven gathers the runtime jars flink/pom.xml names from
// Maven Central once (cached in the state folder, like Kafka's), and Eclipse's compiler (a jar, so a
// JRE suffices) compiles the SQL runner in flink/sql-runner against them, once per source version.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { compileJava, mavenCopy } from "../provisioning/index.ts";

export interface FlinkRunnerFiles {
  /** Flink's jars. */
  libDir: string;
  /** The compiled SQL runner. */
  classesDir: string;
  version: string;
}

/** The Flink version the pom names; the pom is the one place it is written. */
export function flinkVersionFromPom(pomPath: string): string {
  const match = /<flink\.version>([^<]+)<\/flink\.version>/.exec(readFileSync(pomPath, "utf8"));
  if (!match?.[1]) throw new Error(`${pomPath} does not set <flink.version>.`);
  return match[1];
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
  const classesDir = path.join(homeDir, `sql-runner-${digest.digest("hex").slice(0, 12)}`);
  if (existsSync(path.join(classesDir, ".complete"))) return { libDir, classesDir, version };

  await compileJava({ pomPath, toolsDir: path.join(homeDir, "tools"), libDir, sources, classesDir, what: "the Flink SQL runner", onProgress });
  await writeFile(path.join(classesDir, ".complete"), "");
  return { libDir, classesDir, version };
}
