// TypeScript with kafkajs on Node: the learner's files are bundled by esbuild (the course's `tributary`
// kit inside, kafkajs left as an import), and Node runs them. Sandboxed, Node starts with the Kafka
// forwarder and the launcher loaded, kafkajs already imported, and Node's permission model as a second
// fence; without the sandbox, the same launcher runs as a plain Node process.
import { chmod, mkdir, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { RunLimits } from "../../../config.ts";
import { KAFKA_SOCKET_DIR, SANDBOX } from "../../inside/sandbox-paths.ts";
import type { ProgramHost } from "../../process/program-host.ts";
import type { LanguageRuntime, PreparedProgram, ProcessPlan } from "../language-runtime.ts";
import { compileProgram } from "./compile.ts";

/** The scripts every Node sandbox loads, compiled once per server. */
const INSIDE_SOURCES = {
  forwarder: fileURLToPath(new URL("../../inside/kafka-forwarder.ts", import.meta.url)),
  launcher: fileURLToPath(new URL("../../inside/sandbox-launcher.ts", import.meta.url)),
};

/** The folder of the kafkajs package, which learners' programs import. */
function kafkajsDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve("kafkajs/package.json"));
}

/** Node's flags for a learner's program: its heap cap, and (unless `permissionModel` is false) Node's permission model. */
export function nodeFlags(memoryLimitMb: number, readable: string[], writable: string[], permissionModel = true): string[] {
  const heapMb = Math.max(32, Math.floor(memoryLimitMb * 0.75));
  return [
    `--max-old-space-size=${heapMb}`,
    "--enable-source-maps",
    "--disable-warning=TimeoutNegativeWarning",
    // A second fence inside the first: files outside these folders, child processes, workers and
    // native addons are refused by Node itself.
    ...(permissionModel
      ? ["--permission", ...readable.map((dir) => `--allow-fs-read=${dir}`), ...writable.map((dir) => `--allow-fs-write=${dir}`)]
      : []),
  ];
}

/** Compiles an in-sandbox script to JavaScript once: loading TypeScript in every sandbox would slow every start. */
async function compileInsideScript(source: string, file: string): Promise<string> {
  // Bundled, so the script carries the paths it shares with the server (inside/sandbox-paths.ts).
  await build({ entryPoints: [source], outfile: file, bundle: true, platform: "node", format: "esm", target: "node22", logLevel: "silent" });
  await chmod(file, 0o644);
  return file;
}

export class TypeScriptRuntime implements LanguageRuntime {
  readonly language = "typescript" as const;
  readonly limits: Partial<RunLimits> = {};
  // A kafkajs program mostly waits on the broker: starting Node is its busiest part.
  readonly cpus = 1 / 16;
  readonly warm: LanguageRuntime["warm"];
  readonly canary = {
    files: { "main.ts": 'import "kafkajs";\nconsole.log("tributary canary: typescript");\n' },
    expect: "tributary canary: typescript",
  };
  #host?: ProgramHost;
  #files?: { node: string; kafkajs: string; forwarder: string; launcher: string };

  constructor(warmCount: number) {
    this.warm = { when: "always", count: warmCount };
  }

  async setUp(host: ProgramHost): Promise<string | undefined> {
    this.#host = host;
    const kafkajs = kafkajsDir();
    const scripts = path.join(host.runRoot, "node-kit");
    await mkdir(scripts, { recursive: true, mode: 0o755 });
    await chmod(scripts, 0o755);
    const forwarder = await compileInsideScript(INSIDE_SOURCES.forwarder, path.join(scripts, "kafka-forwarder.mjs"));
    const launcher = await compileInsideScript(INSIDE_SOURCES.launcher, path.join(scripts, "sandbox-launcher.mjs"));
    if (host.sandbox) {
      // Cloned where nobody may enter (/root, say), Node and kafkajs are bound from links or copies.
      this.#files = {
        node: await host.reachable(process.execPath, "node/bin/node", { executable: true }),
        kafkajs: await host.reachable(kafkajs, "kafkajs"),
        forwarder,
        launcher,
      };
    } else {
      // A plain program imports kafkajs from its run folder's parent, as from any Node project.
      const modules = path.join(host.runRoot, "node_modules");
      await mkdir(modules, { recursive: true });
      await symlink(kafkajs, path.join(modules, "kafkajs"), "dir").catch(() => {});
      this.#files = { node: process.execPath, kafkajs, forwarder, launcher };
    }
    return undefined;
  }

  async prepare(files: Readonly<Record<string, string>>): Promise<PreparedProgram> {
    const compiled = await compileProgram(files);
    return compiled.ok ? { ok: true, files: { "main.mjs": compiled.code } } : compiled;
  }

  async plan(runDir: string, limits: RunLimits): Promise<ProcessPlan> {
    const host = this.#host!;
    const files = this.#files!;
    if (host.sandbox) {
      return {
        readOnly: [
          [files.node, SANDBOX.node],
          [files.forwarder, SANDBOX.forwarder],
          [files.launcher, SANDBOX.launcher],
          [files.kafkajs, SANDBOX.kafkajs],
          [runDir, SANDBOX.runDir],
        ],
        argv: [
          SANDBOX.node,
          ...nodeFlags(
            limits.memoryLimitMb,
            [SANDBOX.home, "/opt/tributary", KAFKA_SOCKET_DIR, SANDBOX.tmp],
            [SANDBOX.tmp],
            limits.nodePermissionModel,
          ),
          "--import",
          SANDBOX.forwarder,
          SANDBOX.launcher,
        ],
        chdir: SANDBOX.home,
      };
    }
    const readable = [runDir, path.join(host.runRoot, "node_modules"), files.kafkajs, files.launcher];
    return {
      readOnly: [],
      argv: [files.node, ...nodeFlags(limits.memoryLimitMb, readable, [], limits.nodePermissionModel), files.launcher, path.join(runDir, "main.mjs")],
      chdir: runDir,
    };
  }
}
