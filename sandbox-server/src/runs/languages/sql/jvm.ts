// The SQL runner's JVM: where Flink's pieces appear inside the sandbox, and the JVM's flags (a heap below
// the run's memory cap, a quiet and lean start, class-data sharing when an archive exists).
import { realpathSync } from "node:fs";
import path from "node:path";

/** The archive's name in the folder a dump writes it into. */
export const CLASS_DATA_DUMP = "runner.jsa";

export const FLINK_SANDBOX = {
  lib: "/opt/flink/lib",
  runner: "/opt/flink/runner",
  classDataDump: "/opt/flink/class-data",
  runDir: "/sandbox/run",
  script: "/sandbox/run/main.sql",
  tmp: "/tmp",
} as const;

/** The runner's main class. */
export const SQL_RUNNER_MAIN = "dev.tributary.flink.SqlRunner";

/** The JVM's own java binary and the configuration folder its conf/ links point into (Debian keeps it in /etc). */
export function javaInstallation(): { java: string; confDir?: string } {
  const java = realpathSync(process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : "/usr/bin/java");
  const home = path.dirname(path.dirname(java));
  try {
    const security = realpathSync(path.join(home, "conf", "security", "java.security"));
    const confDir = path.dirname(path.dirname(security));
    return { java, confDir: confDir.startsWith(home) ? undefined : confDir };
  } catch {
    return { java };
  }
}

/** The JVM's flags: a heap below the run's cap (the rest is metaspace, threads and /tmp), and a quiet, lean start. */
export function jvmFlags(memoryLimitMb: number, tmpDir: string, classDataFile?: { use: string } | { dumpInto: string }): string[] {
  const heapMb = Math.max(192, Math.floor(memoryLimitMb * 0.45));
  return [
    `-Xmx${heapMb}m`,
    "-XX:MaxMetaspaceSize=192m",
    "-XX:ReservedCodeCacheSize=64m",
    "-Xss512k",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:ActiveProcessorCount=2",
    // A query whose state outgrows the heap ends the run, and the server names the memory limit.
    "-XX:+ExitOnOutOfMemoryError",
    "-Dlog4j2.level=OFF",
    `-Djava.io.tmpdir=${tmpDir}`,
    `-Duser.home=${tmpDir}`,
    // An archive that no longer fits (another JVM, other jars) is skipped, and must not say so in the terminal.
    ...(classDataFile && "use" in classDataFile ? [`-XX:SharedArchiveFile=${classDataFile.use}`, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"] : []),
    ...(classDataFile && "dumpInto" in classDataFile ? [`-XX:ArchiveClassesAtExit=${classDataFile.dumpInto}`] : []),
  ];
}
