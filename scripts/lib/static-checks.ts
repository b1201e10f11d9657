// The gates every full test run passes first, in the order a newcomer would fix them: generated
// types (astro sync, so a clean clone type-checks), TypeScript, Astro components, lint and format.
import { spawn } from "node:child_process";
import path from "node:path";

interface StaticCheck {
  name: string;
  /** A script under node_modules, run with the project's Node. */
  script: string;
  args: string[];
}

const CHECKS: StaticCheck[] = [
  { name: "astro sync (generated types)", script: "astro/bin/astro.mjs", args: ["sync"] },
  { name: "tsc (TypeScript, whole project)", script: "typescript/bin/tsc", args: ["--noEmit", "-p", "."] },
  { name: "astro check (components)", script: "astro/bin/astro.mjs", args: ["check"] },
  { name: "biome (lint and format)", script: "@biomejs/biome/bin/biome", args: ["ci", "--reporter=summary", "."] },
];

function runQuietly(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Runs every static check; prints the output of the first that fails and returns false. */
export async function passStaticChecks(projectRoot: string, progress: (message: string) => void): Promise<boolean> {
  for (const check of CHECKS) {
    progress(`${check.name}…`);
    const { code, output } = await runQuietly(process.execPath, [path.join(projectRoot, "node_modules", check.script), ...check.args], projectRoot);
    if (code !== 0) {
      process.stdout.write(output);
      progress(`✗ ${check.name} failed; fix the errors above (\`npm run typecheck\`, \`npm run lint\`).`);
      return false;
    }
  }
  return true;
}
