// Kafka's jars on the JVM, without Docker: Maven gathers the broker's jars from Maven Central (cached in
// ~/.m2 and in the lib folder) and compiles the course's topic policies against them, once.
import { spawn, execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, writeFile, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

const JAVA_HINT =
  "Install Java 17 or newer and Maven (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless maven`; macOS: `brew install openjdk@17 maven`), or install Docker.";

/** The Kafka version the pom names; the pom is the one place it is written. */
export function kafkaVersionFromPom(pomPath: string): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pomPath, "utf8"));
  if (!match?.[1]) throw new Error(`${pomPath} does not set <kafka.version>.`);
  return match[1];
}

/** Fails with an install hint unless Java >= 17 and Maven are on PATH. */
export async function checkJavaAndMaven(): Promise<void> {
  let javaMajor = 0;
  try {
    const { stderr } = await execFileAsync("java", ["-version"]);
    javaMajor = Number(/version "(\d+)/.exec(stderr)?.[1] ?? 0);
  } catch {
    throw new Error(`Java was not found. ${JAVA_HINT}`);
  }
  if (javaMajor < 17) throw new Error(`Kafka 4 needs Java 17 or newer; this machine has Java ${javaMajor}. ${JAVA_HINT}`);
  try {
    await execFileAsync("mvn", ["-v"]);
  } catch {
    throw new Error(`Maven was not found; it fetches Kafka's jars. ${JAVA_HINT}`);
  }
}

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

/** Gathers Kafka's runtime jars into `libDir` once; later calls find them there. */
export async function ensureBrokerJars(pomPath: string, libDir: string, onProgress: (m: string) => void): Promise<void> {
  const stamp = path.join(libDir, ".complete");
  if (existsSync(stamp)) return;
  onProgress(`fetching Apache Kafka ${kafkaVersionFromPom(pomPath)} jars with Maven (first time only)`);
  const jars = await mavenCopy(pomPath, "runtime", libDir, onProgress);
  await writeFile(stamp, `${jars.length} jars\n`);
  onProgress(`${jars.length} jars ready`);
}

/**
 * Compiles the learner topic policy (kafka/learner-topic-policy) against the broker's jars, once
 * per version of its source and of Kafka, with Eclipse's compiler (a jar Maven fetches; no JDK needed).
 * Returns the folder of classes to put on the broker's classpath.
 */
export async function ensureLearnerTopicPolicy(pomPath: string, homeDir: string, libDir: string, onProgress: (m: string) => void): Promise<string> {
  const sourceDir = path.join(path.dirname(pomPath), "learner-topic-policy");
  const sources = (await readdir(sourceDir))
    .filter((f) => f.endsWith(".java"))
    .sort()
    .map((f) => path.join(sourceDir, f));
  const hash = createHash("sha256");
  for (const source of sources) hash.update(await readFile(source));
  const digest = hash.update(libDir).digest("hex").slice(0, 12);
  const classesDir = path.join(homeDir, `learner-topic-policy-${digest}`);
  if (existsSync(path.join(classesDir, ".complete"))) return classesDir;

  await compileJava({ pomPath, toolsDir: path.join(homeDir, "tools"), libDir, sources, classesDir, what: "the learner topic policy", onProgress });
  await writeFile(path.join(classesDir, ".complete"), "");
  return classesDir;
}

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

/**
 * Compiles Java sources with Eclipse's compiler, which Maven fetches like any jar, so a JRE is enough for the
 * course's own Java (the topic policies, the Flink SQL runner): no JDK needed.
 */
export async function compileJava(job: JavaCompilation): Promise<void> {
  const { pomPath, toolsDir, libDir, sources, classesDir, what, onProgress } = job;
  let compilerJar = existsSync(toolsDir) ? (await readdir(toolsDir)).find((f) => /^ecj-.*\.jar$/.test(f)) : undefined;
  if (!compilerJar) {
    onProgress("fetching Eclipse's Java compiler with Maven (first time only)");
    compilerJar = (await mavenCopy(pomPath, "provided", toolsDir, onProgress)).find((f) => f.startsWith("ecj-"));
    if (!compilerJar) throw new Error(`Maven fetched no ecj jar into ${toolsDir}; does ${pomPath} still name it?`);
  }
  onProgress(`compiling ${what}`);
  await rm(classesDir, { recursive: true, force: true });
  // ecj takes no "*" in a classpath: name every jar.
  const jars = (await readdir(libDir)).filter((f) => f.endsWith(".jar")).map((f) => path.join(libDir, f));
  try {
    await execFileAsync("java", [
      "-jar",
      path.join(toolsDir, compilerJar),
      "-17",
      "-proc:none",
      "-nowarn",
      "-cp",
      jars.join(path.delimiter),
      "-d",
      classesDir,
      ...sources,
    ]);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${what[0]!.toUpperCase()}${what.slice(1)} did not compile:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}
