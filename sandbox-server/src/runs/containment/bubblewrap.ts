// The sandbox every learner's program runs in, built from Linux namespaces with bubblewrap:
// a read-only file system holding only Node, kafkajs and the program; a private, size-capped /tmp;
// no network but its own loopback, where a forwarder leads to the Kafka bridge; its own process tree;
// an unprivileged user; an empty environment but for what the run sets; CPU-time and file limits.
import { execFile } from "node:child_process";
import { chmod } from "node:fs/promises";
import { build } from "esbuild";
import { promisify } from "node:util";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KAFKA_SOCKET_DIR, SANDBOX } from "../inside/sandbox-paths.ts";

const execFileAsync = promisify(execFile);

/** The unprivileged user sandboxes run as when the server runs as root (nobody). */
const NOBODY = 65534;
/** Scripts every sandbox loads; `compileSandboxScripts` turns them into JavaScript once. */
const SCRIPT_SOURCES = {
  forwarder: fileURLToPath(new URL("../inside/kafka-forwarder.ts", import.meta.url)),
  launcher: fileURLToPath(new URL("../inside/sandbox-launcher.ts", import.meta.url)),
};

export interface SandboxScripts {
  forwarderPath: string;
  launcherPath: string;
}

export interface SandboxSpec {
  /** The run's folder on the host, where its compiled program (main.mjs) will be written. */
  runDir: string;
  /** The kafkajs package folder on the host. */
  kafkajsDir: string;
  /** The Node binary on the host (default: the server's own); it must be readable by the sandbox's user. */
  nodePath?: string;
  /** The folder of broker sockets (the Kafka bridge) on the host. */
  kafkaSocketDir: string;
  /** The compiled Kafka forwarder and launcher on the host. */
  scripts: SandboxScripts;
  /** The sandbox's environment; the run adds its own when it begins (see sandbox-launcher.ts). */
  env: Record<string, string>;
  /** Node's own flags (heap size, source maps, permissions). */
  nodeFlags: string[];
  limits: { cpuSeconds: number; tmpBytes: number; openFiles: number };
  /** cgroup.procs files the launcher joins before anything else starts. */
  cgroupProcsFiles: string[];
  /** Another interpreter instead of Node (Python): its read-only binds and command line inside the sandbox. */
  interpreter?: SandboxInterpreter;
}

export interface SandboxInterpreter {
  /** [host path, sandbox path] pairs, bound read-only. */
  binds: [string, string][];
  argv: string[];
}

/** The whole command line: join the cgroups, set rlimits, drop to nobody (if root), enter the sandbox, run Node. */
export function sandboxCommand(
  spec: SandboxSpec,
  runningAsRoot = process.getuid?.() === 0,
): { command: string; args: string[]; env: Record<string, string> } {
  const bwrap = [
    "bwrap",
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--clearenv",
    ...Object.entries({ ...spec.env, HOME: SANDBOX.tmp }).flatMap(([name, value]) => ["--setenv", name, value]),
    ...["/usr", "/lib", "/lib64", "/bin"].flatMap((dir) => ["--ro-bind-try", dir, dir]),
    ...(spec.interpreter
      ? spec.interpreter.binds.flatMap(([host, inside]) => ["--ro-bind", host, inside])
      : [
          "--ro-bind",
          spec.nodePath ?? process.execPath,
          SANDBOX.node,
          "--ro-bind",
          spec.scripts.forwarderPath,
          SANDBOX.forwarder,
          "--ro-bind",
          spec.scripts.launcherPath,
          SANDBOX.launcher,
          "--ro-bind",
          spec.kafkajsDir,
          SANDBOX.kafkajs,
        ]),
    "--ro-bind",
    spec.runDir,
    SANDBOX.runDir,
    "--ro-bind",
    spec.kafkaSocketDir,
    KAFKA_SOCKET_DIR,
    "--size",
    String(spec.limits.tmpBytes),
    "--tmpfs",
    SANDBOX.tmp,
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--remount-ro",
    "/",
    "--chdir",
    SANDBOX.home,
    "--hostname",
    "sandbox",
    ...(spec.interpreter?.argv ?? [SANDBOX.node, ...spec.nodeFlags, "--import", SANDBOX.forwarder, SANDBOX.launcher]),
  ];
  const prlimit = [
    "prlimit",
    // The soft limit sends SIGXCPU, which ends Node; the hard limit a second later is SIGKILL.
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

/**
 * Compiles the in-sandbox scripts to JavaScript once, into `dir`: loading TypeScript in every
 * sandbox would add Node's type stripper to the start-up of every run.
 */
export async function compileSandboxScripts(dir: string): Promise<SandboxScripts> {
  // Bundled, so the scripts carry the paths they share with the server (inside/sandbox-paths.ts).
  const compile = async (source: string, file: string) => {
    await build({ entryPoints: [source], outfile: file, bundle: true, platform: "node", format: "esm", target: "node22", logLevel: "silent" });
    await chmod(file, 0o644);
    return file;
  };
  return {
    forwarderPath: await compile(SCRIPT_SOURCES.forwarder, path.join(dir, "kafka-forwarder.mjs")),
    launcherPath: await compile(SCRIPT_SOURCES.launcher, path.join(dir, "sandbox-launcher.mjs")),
  };
}
