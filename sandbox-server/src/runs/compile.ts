// Turns the learner's TypeScript files into one ES module for Node, with an inline source map
// so stack traces point at their own lines. Types are checked in the editor, not here.
import { build, formatMessages, type Plugin } from "esbuild";
import { fileURLToPath } from "node:url";

export type CompileResult = { ok: true; code: string } | { ok: false; message: string };

export const ENTRY_FILE = "main.ts";
const NAMESPACE = "learner";
/** `import ... from "tributary"` in a learner's program: the course's kit, bundled in. */
export const LEARNER_KIT = { specifier: "tributary", path: fileURLToPath(new URL("./learner-kit.ts", import.meta.url)) };

/** Serves the submitted files from memory; anything else is left to Node at run time. */
function learnerFiles(files: Readonly<Record<string, string>>): Plugin {
  return {
    name: "learner-files",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const name = args.path.replace(/^\.\//, "").replace(/\.(js|ts)$/, "") + ".ts";
        if (!(name in files)) return { errors: [{ text: `Cannot find file "${args.path}" among your files.` }] };
        return { path: name, namespace: NAMESPACE };
      });
      build.onResolve({ filter: /^main\.ts$/ }, (args) => ({ path: args.path, namespace: NAMESPACE }));
      build.onResolve({ filter: /^tributary$/ }, () => ({ path: LEARNER_KIT.path }));
      // Packages (kafkajs) and built-ins (node:fs) are resolved by Node when the program runs.
      build.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: files[args.path] ?? "",
        loader: "ts",
      }));
    },
  };
}

/** Bundles `main.ts` and the files it imports; packages (kafkajs, node:*) stay imports. */
export async function compileProgram(files: Readonly<Record<string, string>>): Promise<CompileResult> {
  try {
    const result = await build({
      entryPoints: [ENTRY_FILE],
      bundle: true,
      write: false,
      platform: "node",
      format: "esm",
      target: "node22",
      sourcemap: "inline",
      sourcesContent: false,
      logLevel: "silent",
      plugins: [learnerFiles(files)],
    });
    return { ok: true, code: result.outputFiles[0]?.text ?? "" };
  } catch (error) {
    const failure = error as { errors?: Parameters<typeof formatMessages>[0] };
    if (!failure.errors) throw error;
    const lines = await formatMessages(failure.errors, { kind: "error", color: false });
    return { ok: false, message: lines.join("").trimEnd() };
  }
}
