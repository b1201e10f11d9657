// The command that starts the SQL runner's JVM: inside the same kind of bubblewrap sandbox as Node
// programs (read-only system folders, Flink's jars and the runner, the run's folder, the Kafka bridge;
// a private, size-capped /tmp; no network but loopback; its own process tree; nobody; CPU and file
// limits; the run's cgroups), or, without a sandbox, as a plain JVM for one learner on their own machine.
import { realpathSync } from "node:fs";
import path from "node:path";
import { KAFKA_SOCKET_DIR } from "../runs/containment/index.ts";

const NOBODY = 65534;
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

export interface FlinkCommandSpec {
  libDir: string;
  /** The folder of the runner's jar (runner.jar) and its class-data archives. */
  runnerDir: string;
  /**
   * Class-data sharing: `use` an archive in runnerDir (the JVM starts in about half the time), or
   * `dumpInto` a writable folder the archive of this start's classes, written as the JVM exits.
   */
  classData?: { use: string } | { dumpInto: string };
  /** The run's folder on the host; the script arrives in it as main.sql. */
  runDir: string;
  memoryLimitMb: number;
  env: Record<string, string>;
  /** Present when sandboxed. */
  sandbox?: {
    kafkaSocketDir: string;
    /** A hosts file naming localhost, bound at /etc/hosts. */
    hostsFile: string;
    cpuSeconds: number;
    tmpBytes: number;
    cgroupProcsFiles: string[];
  };
}

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

/** The archive's file as the JVM sees it: on the host, or where the sandbox binds it. */
function classDataFile(spec: FlinkCommandSpec): { use: string } | { dumpInto: string } | undefined {
  const data = spec.classData;
  if (!data) return undefined;
  if ("use" in data) return { use: spec.sandbox ? path.posix.join(FLINK_SANDBOX.runner, path.basename(data.use)) : data.use };
  return { dumpInto: path.join(spec.sandbox ? FLINK_SANDBOX.classDataDump : data.dumpInto, CLASS_DATA_DUMP) };
}

/** The whole command line, and the environment to start it with. */
export function flinkCommand(
  spec: FlinkCommandSpec,
  runningAsRoot = process.getuid?.() === 0,
): { command: string; args: string[]; env: Record<string, string> } {
  const { java, confDir } = javaInstallation();
  const main = "dev.tributary.flink.SqlRunner";
  if (!spec.sandbox) {
    const classpath = [path.join(spec.runnerDir, "runner.jar"), path.join(spec.libDir, "*")].join(path.delimiter);
    const args = [...jvmFlags(spec.memoryLimitMb, spec.runDir, classDataFile(spec)), "-cp", classpath, main, path.join(spec.runDir, "main.sql")];
    return { command: java, args, env: { ...spec.env, HOME: spec.runDir, PATH: "/usr/bin:/bin" } };
  }
  const box = spec.sandbox;
  const bwrap = [
    "bwrap",
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--clearenv",
    ...Object.entries({ ...spec.env, HOME: FLINK_SANDBOX.tmp }).flatMap(([name, value]) => ["--setenv", name, value]),
    ...["/usr", "/lib", "/lib64", "/bin"].flatMap((dir) => ["--ro-bind-try", dir, dir]),
    ...(confDir ? ["--ro-bind", confDir, confDir] : []),
    "--ro-bind",
    box.hostsFile,
    "/etc/hosts",
    "--ro-bind",
    spec.libDir,
    FLINK_SANDBOX.lib,
    "--ro-bind",
    spec.runnerDir,
    FLINK_SANDBOX.runner,
    ...(spec.classData && "dumpInto" in spec.classData ? ["--bind", spec.classData.dumpInto, FLINK_SANDBOX.classDataDump] : []),
    "--ro-bind",
    spec.runDir,
    FLINK_SANDBOX.runDir,
    "--ro-bind",
    box.kafkaSocketDir,
    KAFKA_SOCKET_DIR,
    "--size",
    String(box.tmpBytes),
    "--tmpfs",
    FLINK_SANDBOX.tmp,
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--remount-ro",
    "/",
    "--chdir",
    FLINK_SANDBOX.tmp,
    "--hostname",
    "sandbox",
    java,
    ...jvmFlags(spec.memoryLimitMb, FLINK_SANDBOX.tmp, classDataFile(spec)),
    "-cp",
    `${FLINK_SANDBOX.runner}/runner.jar:${FLINK_SANDBOX.lib}/*`,
    main,
    FLINK_SANDBOX.script,
  ];
  const prlimit = ["prlimit", `--cpu=${box.cpuSeconds}:${box.cpuSeconds + 1}`, "--nofile=1024", "--core=0", "--"];
  const dropToNobody = runningAsRoot ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--"] : [];
  // As for Node programs: the shell joins the run's cgroups, then becomes the sandbox.
  const join = 'for f in $TRIBUTARY_CGROUP_PROCS; do echo $$ > "$f"; done; exec "$@"';
  return {
    command: "/bin/sh",
    args: ["-c", join, "flink-sandbox", ...prlimit, ...dropToNobody, ...bwrap],
    env: { TRIBUTARY_CGROUP_PROCS: box.cgroupProcsFiles.join(" "), PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
  };
}
