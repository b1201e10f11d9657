// npm run size: the compressed bytes a lesson costs before its editor loads, and with the editor and its
// workers, beside the budget (50 KB and 3 MB). Reads the built site (built first if it changed).
import { loadConfig } from "../sandbox-server/src/config.ts";
import { ensureSiteBuilt } from "./lib/site.ts";
import { progressPrinter } from "./lib/progress.ts";
import { BUDGET, formatBytes, loadFromDisk, measurePageWeight } from "./lib/page-weight.ts";

const PAGES = ["/", "/lessons/kafka-basics/first-producer-consumer/"];

const config = loadConfig();
const progress = progressPrinter("size");
await ensureSiteBuilt(config.projectRoot, config.siteDir, progress);
let over = false;
for (const page of PAGES) {
  const weight = await measurePageWeight(loadFromDisk(config.siteDir), page);
  const line = (name: string, bytes: number, budget: number) => {
    over ||= bytes > budget;
    return `  ${name.padEnd(22)} ${formatBytes(bytes).padStart(10)}   budget ${formatBytes(budget)}${bytes > budget ? "  ✗ OVER" : ""}`;
  };
  console.log(`\n${page}`);
  console.log(line("before the editor", weight.beforeEditor.bytes, BUDGET.beforeEditor));
  console.log(line("with editor, workers", weight.withEditor.bytes, BUDGET.withEditor));
  for (const file of weight.withEditor.files.slice(0, 8))
    console.log(`    ${formatBytes(file.bytes).padStart(10)} ${file.encoding || "raw"}  ${file.path}`);
}
process.exit(over ? 1 : 0);
