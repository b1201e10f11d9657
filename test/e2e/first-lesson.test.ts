// A learner in a real browser: opens the lesson, runs the consumer, then the producer, watches the
// messages arrive in the consumer's terminal, and passes both checkpoints.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/browser.ts";
import { exerciseFile } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
const LESSON = "/lessons/kafka-basics/first-producer-consumer/";
let sandbox: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const exercise = (id: string) => page.locator(`[data-exercise="${id}"]`);
/** The terminal's text as the learner sees it: xterm draws only while the terminal is in view, so it is brought there. */
const terminalText = async (id: string) => {
  const rows = exercise(id).locator(".xterm-rows");
  await rows.scrollIntoViewIfNeeded();
  return rows.innerText();
};

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

describe("the first lesson in a browser", () => {
  it("shows the lesson text at once and loads the editors only when the exercises come into view", async () => {
    const editorChunks: string[] = [];
    page.on("request", (request) => {
      if (/\/(code-editor|editor\.api)[^/]*\.js$/.test(request.url())) editorChunks.push(request.url());
    });
    await page.goto(sandbox.server.url + LESSON);
    await expect.poll(() => page.locator("h1").innerText()).toBe("Your first producer and consumer");
    expect(await page.locator("figure svg[role=img] title").textContent()).toContain("A producer writes to topic messages");
    // The starter is readable as plain code before any editor loads.
    expect(await exercise("first-producer").locator("pre code").innerText()).toContain("TODO: connect the producer.");
    await page.waitForTimeout(500);
    expect(editorChunks).toEqual([]);
    // Nor do the editor's stylesheets hold up the first paint: the page carries only its own few KB, inline.
    const stylesheetBytes = await page.evaluate(
      () =>
        [...document.querySelectorAll("style, link[rel=stylesheet]")].reduce((sum, sheet) => sum + (sheet.textContent?.length ?? 0), 0) +
        performance
          .getEntriesByType("resource")
          .filter((entry) => entry.name.endsWith(".css"))
          .reduce((sum, entry) => sum + (entry as PerformanceResourceTiming).decodedBodySize, 0),
    );
    expect(stylesheetBytes).toBeGreaterThan(0);
    expect(stylesheetBytes).toBeLessThan(20_000);

    await exercise("first-consumer").scrollIntoViewIfNeeded();
    await page.waitForSelector('[data-exercise="first-consumer"][data-editor="ready"]', { timeout: 30_000 });
    await page.waitForSelector('[data-exercise="first-producer"][data-editor="ready"]', { timeout: 30_000 });
    expect(editorChunks.length).toBeGreaterThan(0);
  });

  it("fails the producer's checkpoint for the untouched starter, saying why", async () => {
    await exercise("first-producer").locator("button[data-action=run]").click();
    await expect.poll(() => terminalText("first-producer"), { timeout: 20_000 }).toContain("Your program finished.");
    await exercise("first-producer").locator("button[data-action=check]").click();
    await expect
      .poll(() => exercise("first-producer").locator("[data-verdict]").innerText(), { timeout: 15_000 })
      .toContain('Not yet: There is no message "message 1" with key "1". The topic is empty.');
  });

  it("lets the learner replace the code in the editor, and keeps it across a reload", async () => {
    for (const id of ["first-consumer", "first-producer"]) {
      await exercise(id).locator(".monaco-editor .view-lines").click();
      await page.keyboard.press("ControlOrMeta+A");
      // Paste, as a learner would bring in code: typing it would trigger auto-indent on every line.
      await page.evaluate((text) => navigator.clipboard.writeText(text), await exerciseFile(id, "solution"));
      await page.keyboard.press("ControlOrMeta+V");
    }
    for (const id of ["first-consumer", "first-producer"]) {
      const saved = () => page.evaluate((key) => localStorage.getItem(key), `tributary:code:${id}`);
      await expect.poll(saved).toBe(await exerciseFile(id, "solution"));
    }
    // From the top of the page the editors stay unloaded, so the plain listing shows the saved code.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.reload();
    expect(await exercise("first-producer").locator("pre code").innerText()).toContain("await producer.connect();");
    await exercise("first-consumer").scrollIntoViewIfNeeded();
    await page.waitForSelector('[data-exercise="first-producer"][data-editor="ready"]', { timeout: 30_000 });
  });

  it("streams the producer's messages into the running consumer's terminal, live", async () => {
    await exercise("first-consumer").locator("button[data-action=run]").click();
    await expect.poll(() => terminalText("first-consumer"), { timeout: 30_000 }).toContain("Joined group message-readers");
    expect(await exercise("first-consumer").locator("button[data-action=stop]").isEnabled()).toBe(true);

    await exercise("first-producer").locator("button[data-action=run]").click();
    await expect.poll(() => terminalText("first-producer"), { timeout: 20_000 }).toContain("Sent 10 messages");
    await expect.poll(() => terminalText("first-consumer"), { timeout: 20_000 }).toContain("10: message 10");
    const lines = (await terminalText("first-consumer")).split("\n").filter((line) => /\] \d+: message \d+/.test(line));
    expect(lines).toHaveLength(10);
  });

  it("passes both checkpoints, and shows the verdicts again after a reload", async () => {
    for (const id of ["first-producer", "first-consumer"]) {
      await exercise(id).locator("button[data-action=check]").click();
      await expect.poll(() => exercise(id).locator("[data-verdict] .verdict-summary").innerText(), { timeout: 15_000 }).toMatch(/^Passed: /);
    }
    await exercise("first-consumer").locator("button[data-action=stop]").click();
    await expect.poll(() => terminalText("first-consumer"), { timeout: 15_000 }).toContain("Stopped.");
    expect(await exercise("first-consumer").locator("button[data-action=run]").isEnabled()).toBe(true);

    await page.reload();
    for (const id of ["first-producer", "first-consumer"]) {
      await expect.poll(() => exercise(id).locator("[data-verdict]").innerText(), { timeout: 10_000 }).toMatch(/^Passed: [\s\S]*Last checked/);
    }
  });

  it("brings the starter back with Reset", async () => {
    await exercise("first-producer").scrollIntoViewIfNeeded();
    await page.waitForSelector('[data-exercise="first-producer"][data-editor="ready"]', { timeout: 30_000 });
    await exercise("first-producer").locator("button[data-action=reset]").click();
    expect(await page.evaluate(() => localStorage.getItem("tributary:code:first-producer"))).toBeNull();
    await exercise("first-producer").locator("button[data-action=run]").click();
    await expect.poll(() => terminalText("first-producer"), { timeout: 20_000 }).toContain("Nothing sent yet: fill in the TODOs.");
  });

  it("marks the lesson's checkpoints as passed in the table of contents", async () => {
    await page.goto(`${sandbox.server.url}/`);
    const lesson = page.locator("li", { has: page.locator(`a[href="${LESSON}"]`) });
    await expect.poll(() => lesson.locator("[data-lesson-progress]").innerText(), { timeout: 10_000 }).toContain("all 2 checkpoints passed");
  });

  it("stops the learner's running consumer when the tab is closed", async () => {
    const tab = await context.newPage();
    await tab.goto(sandbox.server.url + LESSON);
    const consumer = tab.locator('[data-exercise="first-consumer"]');
    await consumer.scrollIntoViewIfNeeded();
    await tab.waitForSelector('[data-exercise="first-consumer"][data-editor="ready"]', { timeout: 30_000 });
    await consumer.locator("button[data-action=run]").click();
    await expect.poll(() => consumer.locator(".xterm-rows").innerText(), { timeout: 30_000 }).toContain("Joined group message-readers");
    const alive = async () => ((await (await fetch(`${sandbox.server.url}/api/health`)).json()) as { runs: { alive: number } }).runs.alive;
    expect(await alive()).toBe(1);
    await tab.close();
    await expect.poll(alive, { timeout: 20_000, interval: 250 }).toBe(0);
  });
});
