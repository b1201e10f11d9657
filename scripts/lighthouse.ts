// npm run lighthouse: Lighthouse's performance and accessibility scores for the home page and a lesson,
// in the Chromium the tests use, against the built site served as the course server serves it
// (precompressed, cached). The target is 95 or more for each; a lower score exits with 1.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import lighthouse from "lighthouse";
import { createServer } from "node:net";
import { chromium } from "playwright-core";
import { loadConfig } from "../sandbox-server/src/config.ts";
import { serveSiteFiles } from "../sandbox-server/src/http/site-files.ts";
import { chromiumPath } from "../test/support/browser.ts";
import { ensureSiteBuilt } from "./lib/site.ts";
import { progressPrinter } from "./lib/progress.ts";

const PAGES = ["/", "/lessons/core-concepts/partitions-and-keys/"];
const CATEGORIES = ["performance", "accessibility"] as const;
const TARGET = 95;

/** A free TCP port on 127.0.0.1, for Chromium's remote debugging. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });

const config = loadConfig();
const progress = progressPrinter("lighthouse");
await ensureSiteBuilt(config.projectRoot, config.siteDir, progress);

const app = new Hono();
serveSiteFiles(app, config.siteDir);
const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
await new Promise((resolve) => server.once("listening", resolve));
const { port } = server.address() as { port: number };
const debuggingPort = await freePort();
const browser = await chromium.launch({
  executablePath: chromiumPath(),
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", `--remote-debugging-port=${debuggingPort}`],
});

let below = false;
try {
  for (const page of PAGES) {
    progress(`auditing ${page}…`);
    const result = await lighthouse(`http://127.0.0.1:${port}${page}`, {
      port: debuggingPort,
      output: "json",
      logLevel: "error",
      onlyCategories: [...CATEGORIES],
    });
    if (!result) throw new Error(`Lighthouse returned nothing for ${page}.`);
    const scores = CATEGORIES.map((category) => {
      const score = Math.round((result.lhr.categories[category]?.score ?? 0) * 100);
      below ||= score < TARGET;
      return `${category} ${score}${score < TARGET ? ` (✗ below ${TARGET})` : ""}`;
    });
    console.log(`${page.padEnd(45)} ${scores.join("   ")}`);
    for (const category of CATEGORIES) {
      const failing = result.lhr.categories[category]!.auditRefs.map((ref) => result.lhr.audits[ref.id]!).filter(
        (audit) =>
          audit.score !== null && audit.score < 0.9 && audit.scoreDisplayMode !== "informative" && audit.scoreDisplayMode !== "notApplicable",
      );
      for (const audit of failing.slice(0, 5)) console.log(`    ${category}: ${audit.title}${audit.displayValue ? ` (${audit.displayValue})` : ""}`);
    }
  }
} finally {
  await browser.close();
  server.close();
}
process.exit(below ? 1 : 0);
