// The sandbox every learner's program runs in, whatever its language, built from Linux namespaces with
// bubblewrap: a read-only file system holding only the system's folders and what the language binds (its
// interpreter, its libraries, the run's folder); a private, size-capped /tmp; no network but its own
// loopback, where a forwarder leads to the Kafka bridge; its own process tree; an unprivileged user; an
// empty environment but for what the run sets; CPU-time and file limits; the run's cgroups.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { KAFKA_SOCKET_DIR } from "../inside/sandbox-paths.ts";

const execFileAsync = promisify(execFile);

/** The unprivileged user sandboxes run as when the server runs as root (nobody). */
const NOBODY = 65534;

export interface SandboxSpec {
  /** [host path, sandbox path] pairs bound read-only: the language's interpreter, libraries and the run's folder. */
  readOnly: [string, string][];
  /** [host path, sandbox path] pairs bound writable (a folder a JVM dumps its class data into). */
  writable?: [string, string][];
  /** The folder of broker sockets (the Kafka bridge) on the host. */
  kafkaSocketDir: string;
  /** A hosts file naming localhost, bound at /etc/hosts (a JVM resolves "localhost"; the sandbox has no /etc). */
  hostsFile?: string;
  /** Where the program starts, inside the sandbox. */
  chdir: string;
  /** The sandbox's environment; the run adds its learner's own when it begins. */
  env: Record<string, string>;
  /** The command line inside the sandbox. */
  argv: string[];
  limits: { cpuSeconds: number; tmpBytes: number; openFiles: number };
  /** cgroup.procs files the sandbox's first process joins before anything else starts. */
  cgroupProcsFiles: string[];
}

/** The whole command line: join the cgroups, set rlimits, drop to nobody (if root), enter the sandbox, run `argv`. */
export function sandboxCommand(
  spec: SandboxSpec,
  runningAsRoot = process.getuid?.() === 0,
): { command: string; args: string[]; env: Record<string, string> } {
  const bind = (flag: string, pairs: [string, string][] = []) => pairs.flatMap(([host, inside]) => [flag, host, inside]);
  const bwrap = [
    "bwrap",
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--clearenv",
    ...Object.entries({ ...spec.env, HOME: "/tmp" }).flatMap(([name, value]) => ["--setenv", name, value]),
    ...["/usr", "/lib", "/lib64", "/bin"].flatMap((dir) => ["--ro-bind-try", dir, dir]),
    ...(spec.hostsFile ? ["--ro-bind", spec.hostsFile, "/etc/hosts"] : []),
    ...bind("--ro-bind", spec.readOnly),
    ...bind("--bind", spec.writable),
    "--ro-bind",
    spec.kafkaSocketDir,
    KAFKA_SOCKET_DIR,
    "--size",
    String(spec.limits.tmpBytes),
    "--tmpfs",
    "/tmp",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--remount-ro",
    "/",
    "--chdir",
    spec.chdir,
    "--hostname",
    "sandbox",
    ...spec.argv,
  ];
  const prlimit = [
    "prlimit",
    // The soft limit sends SIGXCPU, which ends the program; the hard limit a second later is SIGKILL.
    `--cpu=${spec.limits.cpuSeconds}:${spec.limits.cpuSeconds + 1}`,
    `--nofile=${spec.limits.openFiles}`,
    "--core=0",
    "--",
  ];
  const dropToNobody = runningAsRoot ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--"] : [];
  // The shell puts itself in the run's cgroups, then becomes the next command: nothing escapes the caps.
  // `env -i` leaves the sandbox's first process nothing of the host's environment to read in /proc/1/environ.
  const join = 'for f in $TRIBUTARY_CGROUP_PROCS; do echo $$ > "$f"; done; exec env -i PATH="$PATH" "$@"';
  return {
    command: "/bin/sh",
    args: ["-c", join, "sandbox", ...prlimit, ...dropToNobody, ...bwrap],
    env: { TRIBUTARY_CGROUP_PROCS: spec.cgroupProcsFiles.join(" "), PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
  };
}

/** Whether bubblewrap can build the sandbox here; the reason when it cannot. */
export async function bubblewrapAvailable(): Promise<true | string> {
  const asRoot = process.getuid?.() === 0;
  const probe = [
    ...(asRoot ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--"] : []),
    "bwrap",
    "--unshare-all",
    "--die-with-parent",
    "--ro-bind",
    "/",
    "/",
    "--proc",
    "/proc",
    "true",
  ];
  try {
    await execFileAsync(probe[0]!, probe.slice(1), { timeout: 5000, env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
    return true;
  } catch (error) {
    const reason = (error as { stderr?: string; message: string }).stderr?.trim() || (error as Error).message;
    return `bubblewrap cannot create a sandbox here (${reason}). On Debian/Ubuntu: apt-get install bubblewrap`;
  }
}
