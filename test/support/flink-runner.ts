// The SQL runner's JVM started by hand, for tests of the runner itself: its check mode, which says what a
// run would admit of scripts without running them, and its Kafka forwarder.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { ensureFlinkRunner } from "../../sandbox-server/src/runs/index.ts";

const execFileAsync = promisify(execFile);

/** The runner's class path, compiled as the server compiles it (on first use). */
export async function runnerClasspath(): Promise<string> {
  const config = loadConfig();
  const { runnerJar, libDir } = await ensureFlinkRunner(config.flink.pomPath, config.flink.homeDir, () => {});
  return [runnerJar, path.join(libDir, "*")].join(path.delimiter);
}

/** What a run would admit of each script: per script, one verdict a statement ("admitted …" or "refused …"). One JVM for all. */
export async function checkScripts(scripts: string[]): Promise<string[][]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tributary-sql-check-"));
  try {
    const files = await Promise.all(
      scripts.map(async (script, i) => {
        const file = path.join(dir, `${i}.sql`);
        await writeFile(file, script);
        return file;
      }),
    );
    const args = [
      "-XX:TieredStopAtLevel=1",
      "-Xss512k",
      "-Dlog4j2.level=OFF",
      "-cp",
      await runnerClasspath(),
      "dev.tributary.flink.SqlRunner",
      "--check",
      ...files,
    ];
    // Exit code 4 says some statement was refused: the verdicts say which.
    const { stdout } = await execFileAsync("java", args, { maxBuffer: 64 * 1024 * 1024 }).catch(
      (error: { code?: number; stdout?: string; stderr?: string }) => {
        if (error.code !== 4 || error.stdout === undefined) throw new Error(`the check failed: ${error.stderr ?? String(error)}`);
        return { stdout: error.stdout };
      },
    );
    const verdicts = files.map((): string[] => []);
    for (const line of stdout.split("\n")) {
      const match = /^(.*)\/(\d+)\.sql:\d+:\d+: (.*)$/.exec(line);
      if (match) verdicts[Number(match[2])]!.push(match[3]!);
    }
    return verdicts;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
