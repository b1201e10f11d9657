// The one way a learner's program's process starts, whatever its language: a run folder and (when
// sandboxed) cgroups named after the process, the language's plan for it, and then either the sandbox
// command around the plan's command line or the plan's command line itself, in a process group of its own.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { RunLimits } from "../../config.ts";
import { createRunCgroup, sandboxCommand, type RunCgroup } from "../containment/index.ts";
import type { LanguageRuntime, ProcessPlan } from "../languages/language-runtime.ts";
import type { ProgramHost } from "./program-host.ts";
import { ProgramProcess } from "./program-process.ts";
import { processSpawner } from "./process-spawner.ts";

/** Open files a program's process may hold (a JVM needs more than Node or Python). */
const OPEN_FILES = { default: 256, many: 1024 } as const;

/** Starts a process of `runtime`'s language for the run (or warm slot) `id`, waiting for its run. */
export async function startProgramProcess(host: ProgramHost, runtime: LanguageRuntime, id: string, limits: RunLimits): Promise<ProgramProcess> {
  const dir = path.join(host.runRoot, id);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  let cgroup: RunCgroup | undefined;
  if (host.sandbox?.useCgroups) {
    const created = await createRunCgroup(id, { memoryBytes: limits.memoryLimitMb * 1024 * 1024, maxTasks: limits.maxTasks });
    if (typeof created !== "string") cgroup = created;
  }
  const plan = await runtime.plan(dir, limits);
  return spawnPlanned(host, { id, language: runtime.language, dir, plan, limits, cgroup });
}

/** Spawns a planned process: the sandbox around it when the host has one. */
export async function spawnPlanned(
  host: ProgramHost,
  run: { id: string; language: LanguageRuntime["language"]; dir: string; plan: ProcessPlan; limits: RunLimits; cgroup?: RunCgroup },
): Promise<ProgramProcess> {
  const { plan, limits } = run;
  const env = { ...host.env, ...plan.env };
  const openFiles = limits.maxTasks > 64 ? OPEN_FILES.many : OPEN_FILES.default;
  const { command, args, spawnEnv } = host.sandbox
    ? (() => {
        const built = sandboxCommand({
          readOnly: plan.readOnly,
          writable: plan.writable,
          kafkaSocketDir: host.sandbox.kafkaSocketDir,
          hostsFile: plan.needsHostsFile ? host.sandbox.hostsFile : undefined,
          chdir: plan.chdir,
          env,
          argv: plan.argv,
          limits: { cpuSeconds: limits.cpuSeconds, tmpBytes: limits.tmpBytes, openFiles },
          cgroupProcsFiles: run.cgroup?.procsFiles ?? [],
        });
        return { command: built.command, args: built.args, spawnEnv: built.env };
      })()
    : { command: plan.argv[0]!, args: plan.argv.slice(1), spawnEnv: { ...env, HOME: run.dir, PATH: "/usr/bin:/bin" } };
  // In a process group of its own (the spawner starts every process detached), so a stop reaches all it started.
  const child = await processSpawner.spawn({
    command,
    args,
    cwd: host.sandbox ? run.dir : plan.chdir,
    env: spawnEnv,
    outputCapBytes: limits.outputLimitBytes * 2 + 64 * 1024,
  });
  return new ProgramProcess({ id: run.id, language: run.language, dir: run.dir, child, cgroup: run.cgroup, sandboxed: host.kind === "sandbox" });
}
