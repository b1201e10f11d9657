// npm test: the static checks (types, lint, format), then every test project in order: pure, processes,
// kafka (a real broker of their own), browser (Chromium on the built site). Checks what the tests need
// first, so a missing piece is named before anything runs. With arguments, only what they select runs.
import { spawn } from "node:child_process";
import path from "node:path";
import { loadConfig } from "../sandbox-server/src/config.ts";
import { checkJavaAndMaven } from "../sandbox-server/src/provisioning/index.ts";
import { chromiumPath } from "../test/support/browser.ts";
import { ensureSiteBuilt } from "./lib/site.ts";
import { progressPrinter } from "./lib/progress.ts";
import { passStaticChecks } from "./lib/static-checks.ts";

const config = loadConfig();
const progress = progressPrinter("test");

async function main(): Promise<number> {
  const vitestArgs = process.argv.slice(2);
  if (vitestArgs.length === 0 && !(await passStaticChecks(config.projectRoot, progress))) return 1;
  // The pure and processes projects need neither Kafka nor Chromium nor the built site.
  const projects = vitestArgs.flatMap((arg, i) => (arg === "--project" ? [vitestArgs[i + 1]] : arg.startsWith("--project=") ? [arg.slice(10)] : []));
  const withoutKafka = projects.length > 0 && projects.every((project) => project === "pure" || project === "processes");
  if (!withoutKafka) {
    progress(`Chromium: ${chromiumPath()}`);
    if (!process.env.KAFKA_BOOTSTRAP) await checkJavaAndMaven();
    // The browser tests open the built site.
    await ensureSiteBuilt(config.projectRoot, config.siteDir, progress);
  }
  const vitest = path.join(config.projectRoot, "node_modules", "vitest", "vitest.mjs");
  const child = spawn(process.execPath, [vitest, "run", ...vitestArgs], { cwd: config.projectRoot, stdio: "inherit" });
  return new Promise((resolve) => child.once("close", (code) => resolve(code ?? 1)));
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`\n✗ ${error.message}`);
    process.exit(1);
  },
);
