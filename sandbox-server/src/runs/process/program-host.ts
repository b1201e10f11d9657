// Where learners' programs run on this machine: inside bubblewrap sandboxes (a run root under the system's
// temporary folder, the Kafka bridge, cgroups where they can be made), or, where that is impossible or
// turned off, as plain processes in a scratch folder. Decided once, before the first program starts.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { RunSettings } from "../../config.ts";
import { log } from "../../log.ts";
import { LOADED_FD, LOADED_FD_VARIABLE } from "../inside/sandbox-paths.ts";
import {
  bubblewrapAvailable,
  clearStaleRunCgroups,
  clearStaleSandboxRoots,
  createRunCgroup,
  reachableForSandbox,
  startKafkaBridge,
  SANDBOX_ROOT_PREFIX,
  type KafkaBridge,
  type TopicsListed,
} from "../containment/index.ts";

export interface ProgramHost {
  kind: "sandbox" | "process";
  /** Why the sandbox is not used, or what it lacks (no cgroups). */
  note?: string;
  /** Run folders live here: world-traversable when sandboxed, since sandboxes read them as an unprivileged user. */
  runRoot: string;
  /** Present when sandboxed. */
  sandbox?: {
    /** The folder of broker sockets (the Kafka bridge). */
    kafkaSocketDir: string;
    /** Whether each process gets cgroups (a kernel memory cap, a task cap); else memory is polled. */
    useCgroups: boolean;
    /** A hosts file naming localhost, for processes that resolve it. */
    hostsFile: string;
  };
  /** The environment every program gets, whoever's it is; a run adds its learner's own. */
  env: Record<string, string>;
  /**
   * A host file or folder as the sandbox's user can read it: the original where it can, else a link or copy
   * in the run root (a project cloned into /root, say). Without a sandbox, the original.
   */
  reachable(source: string, name: string, options?: { executable?: boolean }): Promise<string>;
  /** Stops the bridge and removes the run root. */
  close(): Promise<void>;
}

/** The environment every learner's program gets, whoever's it is. */
export function commonProgramEnv(bootstrap: string[]): Record<string, string> {
  // The launcher says on this descriptor when it has loaded, and takes the variable out before the program runs.
  return {
    KAFKA_BROKERS: bootstrap.join(","),
    KAFKAJS_NO_PARTITIONER_WARNING: "1",
    FORCE_COLOR: "1",
    TZ: "UTC",
    [LOADED_FD_VARIABLE]: String(LOADED_FD),
  };
}

/** A host that runs programs as plain processes in `scratchDir`: one learner on their own machine. */
export async function plainProgramHost(settings: RunSettings, bootstrap: string[], note: string): Promise<ProgramHost> {
  await rm(settings.scratchDir, { force: true, recursive: true });
  await mkdir(settings.scratchDir, { recursive: true });
  return {
    kind: "process",
    note,
    runRoot: settings.scratchDir,
    env: commonProgramEnv(bootstrap),
    reachable: async (source) => source,
    close: () => rm(settings.scratchDir, { recursive: true, force: true }),
  };
}

/**
 * Sets up where programs run: the sandbox unless isolation is "process" or (with "auto") bubblewrap cannot
 * run here. Whatever an earlier server left behind (it may have been killed mid-run) is cleared first.
 */
export async function setUpProgramHost(settings: RunSettings, bootstrap: string[], topicsListed?: TopicsListed): Promise<ProgramHost> {
  if (settings.isolation === "process") {
    return plainProgramHost(settings, bootstrap, "TRIBUTARY_ISOLATION=process: programs run without the OS sandbox");
  }
  const available = await bubblewrapAvailable();
  if (available !== true) {
    if (settings.isolation === "sandbox") throw new Error(`TRIBUTARY_ISOLATION=sandbox, but ${available}`);
    console.warn(
      `⚠ Learners' programs run WITHOUT the OS sandbox: ${available}. Fine for one learner on their own machine; not for a shared server.`,
    );
    return plainProgramHost(settings, bootstrap, available);
  }
  const cleared = await clearStaleSandboxRoots();
  if (cleared.length) log.info({ folders: cleared }, "cleared sandbox folders of servers that are gone");
  const groups = await clearStaleRunCgroups();
  if (groups) log.info({ groups }, "removed empty run cgroups left by servers that are gone");
  // Named after this process, so a later server knows when the folder's owner is gone.
  const runRoot = await mkdtemp(path.join(os.tmpdir(), `${SANDBOX_ROOT_PREFIX}${process.pid}-`));
  await chmod(runRoot, 0o711);
  let bridge: KafkaBridge | undefined;
  try {
    bridge = await startKafkaBridge(path.join(runRoot, "kafka"), bootstrap, topicsListed);
    const probe = await createRunCgroup(`probe-${process.pid}`, { memoryBytes: 64 * 1024 * 1024, maxTasks: 8 });
    const useCgroups = typeof probe !== "string";
    if (typeof probe !== "string") await probe.remove();
    const hostsFile = path.join(runRoot, "hosts");
    await writeFile(hostsFile, "127.0.0.1 localhost sandbox\n::1 localhost\n", { mode: 0o644 });
    await mkdir(path.join(runRoot, "staged"), { mode: 0o711 });
    await chmod(path.join(runRoot, "staged"), 0o711);
    const staged = new Map<string, Promise<string>>();
    const openBridge = bridge;
    return {
      kind: "sandbox",
      note: useCgroups ? undefined : `memory is polled, not capped by the kernel: ${probe}`,
      runRoot,
      sandbox: { kafkaSocketDir: bridge.dir, useCgroups, hostsFile },
      env: commonProgramEnv(bootstrap),
      reachable: (source, name, options) => {
        let placed = staged.get(source);
        if (!placed) {
          placed = reachableForSandbox(path.join(runRoot, "staged"), source, name, options);
          staged.set(source, placed);
        }
        return placed;
      },
      close: async () => {
        await openBridge.close();
        await rm(runRoot, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await bridge?.close();
    await rm(runRoot, { recursive: true, force: true });
    throw error;
  }
}
