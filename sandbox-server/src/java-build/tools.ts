// Java and Maven on the host: the course's own Java (broker policies, the Flink SQL runner) is built with
// them, and Kafka's and Flink's jars are fetched with Maven from Maven Central.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

const JAVA_HINT =
  "Install Java 17 or newer and Maven (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless maven`; macOS: `brew install openjdk@17 maven`).";

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
