// Builds the static site with Astro when its sources changed since the last build.
import { spawn } from "node:child_process";
import { existsSync, statSync, readdirSync } from "node:fs";
import path from "node:path";

/** Newest modification time of any file under the given paths. */
function newestChange(paths: string[]): number {
  let newest = 0;
  const visit = (entry: string) => {
    if (!existsSync(entry)) return;
    const stat = statSync(entry);
    if (stat.isDirectory()) for (const child of readdirSync(entry)) visit(path.join(entry, child));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  paths.forEach(visit);
  return newest;
}

/** True when dist/ is missing or older than the site's sources and content. */
export function siteIsStale(projectRoot: string, siteDir: string): boolean {
  const built = path.join(siteDir, "index.html");
  if (!existsSync(built)) return true;
  const sources = ["src", "content", "public", "astro.config.mjs", "package-lock.json"].map((p) => path.join(projectRoot, p));
  return newestChange(sources) > statSync(built).mtimeMs;
}

/** Runs `astro build`, showing its output only when it fails. */
export async function buildSite(projectRoot: string, onProgress: (message: string) => void): Promise<void> {
  onProgress("building the site (astro build)…");
  const astro = path.join(projectRoot, "node_modules", "astro", "bin", "astro.mjs");
  const child = spawn(process.execPath, [astro, "build"], {
    cwd: projectRoot,
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  if (code !== 0) throw new Error(`The site did not build (astro build exited with ${code}):\n${output.slice(-4000)}`);
  onProgress("site built");
}

/** Builds the site unless dist/ is up to date. */
export async function ensureSiteBuilt(projectRoot: string, siteDir: string, onProgress: (message: string) => void): Promise<void> {
  if (siteIsStale(projectRoot, siteDir)) await buildSite(projectRoot, onProgress);
  else onProgress("site is up to date");
}
