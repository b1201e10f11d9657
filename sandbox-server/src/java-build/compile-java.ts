// Java sources compiled with Eclipse's compiler (ecj), which Maven fetches like any jar: a JRE is
// enough for the course's own Java, no JDK needed.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { mavenCopy } from "./maven.ts";

const execFileAsync = promisify(execFile);

export interface JavaCompilation {
  /** The pom that names Eclipse's compiler (ecj) in scope `provided`. */
  pomPath: string;
  /** Where the compiler's jar is kept once fetched. */
  toolsDir: string;
  /** The jars the sources compile against. */
  libDir: string;
  sources: string[];
  classesDir: string;
  /** What is compiled, for progress and errors ("the Flink SQL runner"). */
  what: string;
  onProgress: (message: string) => void;
}

/** Eclipse's compiler jar in `toolsDir`, fetched with Maven the first time. */
async function eclipseCompiler(pomPath: string, toolsDir: string, onProgress: (message: string) => void): Promise<string> {
  const present = existsSync(toolsDir) ? (await readdir(toolsDir)).find((f) => /^ecj-.*\.jar$/.test(f)) : undefined;
  if (present) return path.join(toolsDir, present);
  onProgress("fetching Eclipse's Java compiler with Maven (first time only)");
  const fetched = (await mavenCopy(pomPath, "provided", toolsDir, onProgress)).find((f) => f.startsWith("ecj-"));
  if (!fetched) throw new Error(`Maven fetched no ecj jar into ${toolsDir}; does ${pomPath} still name it?`);
  return path.join(toolsDir, fetched);
}

/** Compiles Java sources against `libDir`'s jars into `classesDir` (emptied first). */
export async function compileJava(job: JavaCompilation): Promise<void> {
  const { pomPath, toolsDir, libDir, sources, classesDir, what, onProgress } = job;
  const compiler = await eclipseCompiler(pomPath, toolsDir, onProgress);
  onProgress(`compiling ${what}`);
  await rm(classesDir, { recursive: true, force: true });
  // ecj takes no "*" in a classpath: name every jar.
  const jars = (await readdir(libDir)).filter((f) => f.endsWith(".jar")).map((f) => path.join(libDir, f));
  try {
    await execFileAsync("java", ["-jar", compiler, "-17", "-proc:none", "-nowarn", "-cp", jars.join(path.delimiter), "-d", classesDir, ...sources]);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${what[0]!.toUpperCase()}${what.slice(1)} did not compile:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}
