// The command that starts the SQL runner's JVM: inside the same kind of bubblewrap sandbox as Node
// programs (read-only system folders, Flink's jars and the runner, the run's folder, the Kafka bridge;
// a private, size-capped /tmp; no network but loopback; its own process tree; nobody; CPU and file
// limits; the run's cgroups), or, without a sandbox, as a plain JVM for one learner on their own machine.
import { realpathSync } from "node:fs";
import path from "node:path";
import { KAFKA_SOCKET_DIR } from "../runs/containment/index.ts";

const NOBODY = 65534;

export const FLINK_SANDBOX = {
  lib: "/opt/flink/lib",
  classes: "/opt/flink/classes",
  runDir: "/sandbox/run",
  script: "/sandbox/run/main.sql",
  tmp: "/tmp",
} as const;

export interface FlinkCommandSpec {
  libDir: string;
  classesDir: string;
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
function javaInstallation(): { java: string; confDir?: string } {
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
export function jvmFlags(memoryLimitMb: number, tmpDir: string): string[] {
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
  ];
}

/** The whole command line, and the environment to start it with. */
export function flinkCommand(
  spec: FlinkCommandSpec,
  runningAsRoot = process.getuid?.() === 0,
): { command: string; args: string[]; env: Record<string, string> } {
  const { java, confDir } = javaInstallation();
  const main = "dev.tributary.flink.SqlRunner";
  if (!spec.sandbox) {
    const classpath = [spec.classesDir, path.join(spec.libDir, "*")].join(path.delimiter);
    const args = [...jvmFlags(spec.memoryLimitMb, spec.runDir), "-cp", classpath, main, path.join(spec.runDir, "main.sql")];
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
    spec.classesDir,
    FLINK_SANDBOX.classes,
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
    ...jvmFlags(spec.memoryLimitMb, FLINK_SANDBOX.tmp),
    "-cp",
    `${FLINK_SANDBOX.classes}:${FLINK_SANDBOX.lib}/*`,
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
