// Maven as a fetcher: copies the jars a pom names, of one scope, into a folder (cached in ~/.m2 too).
import { spawn } from "node:child_process";
import { mkdir, readdir } from "node:fs/promises";

/** Copies the pom's dependencies of one Maven scope into `dir`, reporting each jar fetched. */
export async function mavenCopy(pomPath: string, scope: "runtime" | "provided", dir: string, onProgress: (m: string) => void): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const maven = spawn("mvn", ["-B", "-f", pomPath, "dependency:copy-dependencies", `-DincludeScope=${scope}`, `-DoutputDirectory=${dir}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let fetched = 0;
  const tail: string[] = [];
  maven.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    for (const line of chunk.split("\n")) {
      if (line.trim()) tail.push(line), tail.length > 30 && tail.shift();
      const jar = /Downloaded from \S+: \S+\/([^/\s]+\.jar)/.exec(line)?.[1];
      if (jar) onProgress(`fetched ${jar} (${++fetched} jars so far)`);
    }
  });
  maven.stderr.setEncoding("utf8").on("data", (chunk: string) => tail.push(chunk));
  const code = await new Promise<number | null>((resolve) => maven.on("close", resolve));
  if (code !== 0) {
    throw new Error(`Maven could not fetch the jars named in ${pomPath} (exit ${code}). Its last lines:\n${tail.join("\n")}`);
  }
  return (await readdir(dir)).filter((f) => f.endsWith(".jar"));
}
