import { describe, expect, it } from "vitest";
import { sandboxCommand, SANDBOX, KAFKA_SOCKET_DIR, type SandboxSpec } from "../../sandbox-server/src/runs/containment/index.ts";

// A Node program's sandbox, as the TypeScript runtime plans it.
const spec: SandboxSpec = {
  readOnly: [
    ["/srv/node", SANDBOX.node],
    ["/srv/runs/kafka-forwarder.mjs", SANDBOX.forwarder],
    ["/srv/runs/sandbox-launcher.mjs", SANDBOX.launcher],
    ["/srv/node_modules/kafkajs", SANDBOX.kafkajs],
    ["/srv/runs/abc", SANDBOX.runDir],
  ],
  kafkaSocketDir: "/srv/runs/kafka",
  chdir: SANDBOX.home,
  env: { KAFKA_BROKERS: "127.0.0.1:9092", SECRET_LOOKING: "from the run, on purpose" },
  argv: [SANDBOX.node, "--permission", "--import", SANDBOX.forwarder, SANDBOX.launcher],
  limits: { cpuSeconds: 30, tmpBytes: 16 * 1024 * 1024, openFiles: 256 },
  cgroupProcsFiles: ["/sys/fs/cgroup/pids/tributary/abc/cgroup.procs"],
};

/** The value that follows `flag` each time it appears, as [source, destination] pairs for binds. */
function binds(args: string[], flag: string): [string, string][] {
  return args.flatMap((arg, i) => (arg === flag ? [[args[i + 1]!, args[i + 2]!] as [string, string]] : []));
}

describe("sandboxCommand", () => {
  const { command, args, env } = sandboxCommand(spec, true);

  it("joins the run's cgroups first, then limits CPU time, drops to nobody and enters bubblewrap", () => {
    expect(command).toBe("/bin/sh");
    expect(env.TRIBUTARY_CGROUP_PROCS).toBe(spec.cgroupProcsFiles[0]);
    const order = ["prlimit", "setpriv", "bwrap", SANDBOX.node].map((word) => args.indexOf(word));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(args).toContain("--cpu=30:31");
    expect(args).toContain("--reuid=65534");
  });

  it("unshares every namespace, clears the environment and dies with the server", () => {
    for (const flag of ["--unshare-all", "--clearenv", "--die-with-parent", "--new-session"]) expect(args).toContain(flag);
    expect(args).not.toContain("--share-net");
    const setenv = args.flatMap((arg, i) => (arg === "--setenv" ? [args[i + 1]] : []));
    expect(setenv.sort()).toEqual(["HOME", "KAFKA_BROKERS", "SECRET_LOOKING"]);
  });

  it("binds only the run's folder, kafkajs, Node, the forwarder, the launcher and the broker sockets, all read-only", () => {
    expect(binds(args, "--bind")).toEqual([]);
    const readOnly = Object.fromEntries(binds(args, "--ro-bind").map(([from, to]) => [to, from]));
    expect(readOnly).toEqual({ ...Object.fromEntries(spec.readOnly.map(([from, to]) => [to, from])), [KAFKA_SOCKET_DIR]: spec.kafkaSocketDir });
    expect(args).toContain("--remount-ro");
    expect(args.slice(args.indexOf("--size"), args.indexOf("--size") + 4)).toEqual(["--size", String(16 * 1024 * 1024), "--tmpfs", "/tmp"]);
  });

  it("loads the Kafka forwarder, then the launcher that waits for the run's program", () => {
    expect(args.slice(-3)).toEqual(["--import", SANDBOX.forwarder, SANDBOX.launcher]);
    expect(SANDBOX.program.startsWith(`${SANDBOX.runDir}/`)).toBe(true);
  });

  it("does not try to change user when the server is not root", () => {
    expect(sandboxCommand(spec, false).args).not.toContain("setpriv");
  });
});
