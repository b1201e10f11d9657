// The live view in a browser against the real broker: a record produced shows in the learner's panel within
// a second at p95, the keyboard reaches the same numbers as tables, and axe finds nothing serious. One
// server and one page for every check, as a browser is costly on a shared machine.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { Kafka, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/browser.ts";
import { kafkajsConfig } from "../support/kafkajs-config.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
/** Records produced one after another, each timed from send to drawn. */
const SAMPLES = 12;
const BUDGET_MS = 1000;
let sandbox: TestServer;
let browser: Browser;
let page: Page;
let producer: Producer;
let topic: string;

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  await page.goto(`${sandbox.server.url}/my-kafka/`);
  const namespace = await page.evaluate(async () => ((await (await fetch("/api/learner")).json()) as { namespace: string }).namespace);
  topic = `${namespace}live-arrivals`;
  const client = new Kafka(kafkajsConfig(kafka, "live-view-e2e"));
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  producer = client.producer();
  await producer.connect();
  // A first visit's requests race for a new learner's cookie; from here on the page is this learner's.
  await page.reload();
}, 120_000);

afterAll(async () => {
  await producer?.disconnect();
  await browser?.close();
  await sandbox?.close();
});

/** The 95th percentile of `values`. */
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1]!;

describe("the live view of the learner's Kafka", () => {
  it(`draws a record just produced within ${BUDGET_MS} ms at p95`, async () => {
    const content = page.locator("[data-live-content]");
    await expect.poll(() => content.textContent(), { timeout: 30_000 }).toContain("live-arrivals");
    const delays: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const key = `arrival-${i}`;
      const sent = Date.now();
      await producer.send({ topic, messages: [{ key, value: `record ${i}` }] });
      await page.waitForFunction((text) => document.querySelector("[data-live-content]")?.textContent?.includes(text), key, {
        polling: "raf",
        timeout: 10_000,
      });
      delays.push(Date.now() - sent);
    }
    console.log(`live view: record produced → drawn, p95 ${p95(delays)} ms (${delays.join(", ")} ms)`);
    expect(p95(delays)).toBeLessThanOrEqual(BUDGET_MS);
  });

  it("lets the keyboard switch to tables holding the same numbers, and reach them", async () => {
    await page.locator("body").focus();
    let onToggle = false;
    for (let presses = 0; presses < 30 && !onToggle; presses++) {
      await page.keyboard.press("Tab");
      onToggle = await page.evaluate(() => document.activeElement?.hasAttribute("data-live-tables") ?? false);
    }
    expect(onToggle).toBe(true);
    await page.keyboard.press("Enter");
    const toggle = page.locator("[data-live-tables]");
    await expect.poll(() => toggle.getAttribute("aria-pressed")).toBe("true");
    const tables = page.locator("[data-live-content] table");
    await expect.poll(() => tables.count()).toBeGreaterThan(0);
    expect(await page.locator("[data-live-content]").textContent()).toContain(`arrival-${SAMPLES - 1}`);
    // On from the switch, the next stops reach the region holding the tables.
    let inTables = false;
    for (let presses = 0; presses < 5 && !inTables; presses++) {
      await page.keyboard.press("Tab");
      inTables = await page.evaluate(() => document.activeElement?.closest("[data-live-content]") !== null);
    }
    expect(inTables).toBe(true);
    expect(await page.locator("[data-live-content]").getAttribute("aria-label")).toContain("tables");
  });

  it("has no serious accessibility problem, as pictures or as tables", async () => {
    const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
    await page.addScriptTag({ content: axeSource });
    const serious = () =>
      page.evaluate(async () => {
        const axe = (
          window as unknown as { axe: { run(context: Document): Promise<{ violations: { id: string; impact?: string; help: string }[] }> } }
        ).axe;
        const results = await axe.run(document);
        return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help}`);
      });
    expect(await serious()).toEqual([]);
    await page.locator("[data-live-tables]").click();
    await expect.poll(() => page.locator("[data-live-tables]").getAttribute("aria-pressed")).toBe("false");
    expect(await serious()).toEqual([]);
  });
});
