// Kafka's jars for the JVM path, and the course's broker policies for both paths: Maven gathers the
// broker's jars from Maven Central (cached in ~/.m2 and in the lib folder), and the policies are
// compiled against them once (java-build/).
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile, writeFile, readdir } from "node:fs/promises";
import path from "node:path";
import { compileJava, mavenCopy } from "../java-build/index.ts";

/** The Kafka version the pom names; the pom is the one place it is written. */
export function kafkaVersionFromPom(pomPath: string): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pomPath, "utf8"));
  if (!match?.[1]) throw new Error(`${pomPath} does not set <kafka.version>.`);
  return match[1];
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
 * Compiles the learner topic and config policies (kafka/learner-topic-policy) against the broker's
 * jars, once per version of their source and of Kafka. Returns the folder of classes to put on the
 * broker's classpath (the JVM's, or the container's, which mounts it).
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
