// Every lesson of content/ as the browser gets it: it renders in course order, every link inside the
// site leads to a page that exists, every diagram has a text alternative, and the integration
// diagram answers its sliders.
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { launchChromium } from "../support/browser.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const { contentDir, siteDir } = loadConfig();
const kafka = inject("kafkaAccess");

/** Lesson ids (their folders) with their front matter's title and order, read from content/ itself. */
async function lessonsInContent(dir = contentDir): Promise<{ id: string; title: string; order: number }[]> {
  const found: { id: string; title: string; order: number }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await lessonsInContent(child)));
    else if (entry.name === "lesson.mdx") {
      const text = await readFile(child, "utf8");
      const field = (name: string) => new RegExp(`^${name}: *"?(.*?)"?$`, "m").exec(text)?.[1] ?? "";
      found.push({ id: path.relative(contentDir, dir).split(path.sep).join("/"), title: field("title"), order: Number(field("order")) });
    }
  }
  return found.sort((a, b) => a.order - b.order);
}

const pageFile = (href: string) => {
  const clean = href.split(/[?#]/)[0]!;
  return path.join(siteDir, clean.endsWith("/") ? `${clean}index.html` : clean);
};

let sandbox: TestServer;
let browser: Browser;

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

describe("the course's pages", () => {
  it("lists every lesson of content/ in the table of contents, in course order", async () => {
    const lessons = await lessonsInContent();
    expect(lessons.length).toBeGreaterThanOrEqual(11);
    const index = await readFile(path.join(siteDir, "index.html"), "utf8");
    const linked = [...index.matchAll(/href="\/lessons\/([^"]+)\/"/g)].map((m) => m[1]);
    expect(linked).toEqual(lessons.map((l) => l.id));
  });

  it("renders every lesson with its title, and every internal link resolves", async () => {
    for (const lesson of await lessonsInContent()) {
      const html = await readFile(pageFile(`/lessons/${lesson.id}/`), "utf8");
      expect(html, lesson.id).toMatch(new RegExp(`<h1[^>]*>${lesson.title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:/g, ":")}`));
      for (const [, href] of html.matchAll(/href="(\/[^"]*)"/g)) {
        expect(existsSync(pageFile(href!)), `${lesson.id} links to ${href}, which the site does not have`).toBe(true);
      }
    }
  });

  it("gives every diagram a short name and a separate description a screen reader reads", async () => {
    const page = await browser.newPage();
    let diagrams = 0;
    for (const lesson of await lessonsInContent()) {
      await page.goto(`${sandbox.server.url}/lessons/${lesson.id}/`);
      const pictures = await page.locator("svg").evaluateAll((svgs) =>
        svgs
          .filter((svg) => svg.getAttribute("aria-hidden") !== "true" && !svg.closest("[aria-hidden=true]"))
          .map((svg) => {
            const text = (attribute: string) =>
              (svg.getAttribute(attribute) ?? "")
                .split(/\s+/)
                .filter(Boolean)
                .map((id) => document.getElementById(id)?.textContent?.trim() ?? "");
            return { role: svg.getAttribute("role"), name: text("aria-labelledby"), description: text("aria-describedby") };
          }),
      );
      for (const picture of pictures) {
        expect(picture.role, lesson.id).toBe("img");
        // The name is the title alone; the longer description is read separately, not repeated in the name.
        expect(picture.name, lesson.id).toHaveLength(1);
        expect(picture.description, lesson.id).toHaveLength(1);
        expect(picture.name[0]!.length, `${lesson.id}: ${picture.name[0]}`).toBeGreaterThan(20);
        expect(picture.description[0]!.length, `${lesson.id}: ${picture.description[0]}`).toBeGreaterThan(picture.name[0]!.length);
      }
      diagrams += pictures.length;
    }
    expect(diagrams).toBeGreaterThanOrEqual(8);
    await page.close();
  });

  it("draws every diagram label inside its box, on a phone as on a desktop", async () => {
    for (const width of [390, 1366]) {
      const page = await (await browser.newContext({ viewport: { width, height: 844 } })).newPage();
      let labels = 0;
      for (const lesson of await lessonsInContent()) {
        await page.goto(`${sandbox.server.url}/lessons/${lesson.id}/`);
        const boxes = await page.evaluate(() =>
          [...document.querySelectorAll("figure.diagram svg g.node, figure.diagram svg g.keyed")].map((group) => {
            const box = group.querySelector("rect")!.getBBox();
            const texts = [...group.querySelectorAll("text")];
            const outside = texts.filter((text) => {
              const bounds = text.getBBox();
              return (
                bounds.x < box.x || bounds.x + bounds.width > box.x + box.width || bounds.y < box.y || bounds.y + bounds.height > box.y + box.height
              );
            });
            return { texts: texts.length, outside: outside.map((text) => text.textContent) };
          }),
        );
        labels += boxes.reduce((sum, box) => sum + box.texts, 0);
        expect(
          boxes.flatMap((box) => box.outside),
          `${lesson.id} at ${width} px`,
        ).toEqual([]);
      }
      expect(labels).toBeGreaterThan(40);
      // On a phone a diagram keeps legible text: it scrolls sideways inside its frame instead of shrinking.
      if (width === 390) {
        await page.goto(`${sandbox.server.url}/lessons/core-concepts/partitions-and-keys/`);
        const svgWidth = await page
          .locator("figure.diagram svg")
          .first()
          .evaluate((svg) => svg.getBoundingClientRect().width);
        expect(svgWidth).toBeGreaterThanOrEqual(600);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      }
      await page.context().close();
    }
  });

  it("turns 4 × 6 direct integrations into 4 + 6 connections when Kafka is put in the middle", async () => {
    const page = await browser.newPage();
    await page.goto(`${sandbox.server.url}/lessons/why-kafka/integration-problem/`);
    const count = page.locator("[data-mesh-count]");
    await expect.poll(() => count.innerText()).toBe("4 sources × 6 targets = 24 integrations to build and run.");
    await page.locator('[data-mesh="targets"]').fill("8");
    await expect.poll(() => count.innerText()).toBe("4 sources × 8 targets = 32 integrations to build and run.");
    expect(await page.locator("[data-mesh-picture] svg line").count()).toBe(32);
    await page.locator('[data-mesh="kafka"]').check();
    await expect.poll(() => count.innerText()).toBe("4 sources + 8 targets = 12 connections, each to Kafka only (instead of 32).");
    expect(await page.locator("[data-mesh-picture] svg line").count()).toBe(12);
    expect(await page.locator("[data-mesh-picture] svg title").textContent()).toContain("12 connections");
    await page.close();
  });

  it("opens the next hint after a failed check, and shows the solution beside the learner's code without losing it", {
    timeout: 60_000,
  }, async () => {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(`${sandbox.server.url}/lessons/why-kafka/decoupling/`);
    const exercise = page.locator('[data-exercise="two-targets"]');
    await exercise.scrollIntoViewIfNeeded();
    await expect.poll(() => exercise.getAttribute("data-editor"), { timeout: 20_000 }).toBe("ready");

    await exercise.locator("button[data-action=check]").click();
    // A busy machine may take seconds to grade, and to load the diff editor's code: events, awaited patiently.
    await expect.poll(() => exercise.locator("[data-verdict]").innerText(), { timeout: 20_000 }).toContain("Hint 1 is open below.");
    expect(await exercise.locator(".hints details").first().getAttribute("open")).not.toBeNull();

    await exercise.locator("button[data-action=solve]").click();
    const diff = exercise.locator("[data-solution]");
    await expect.poll(() => diff.isVisible(), { timeout: 20_000 }).toBe(true);
    await expect
      .poll(
        () =>
          diff
            .locator(".editor.modified")
            .innerText()
            .then((t) => t.replace(/\u00a0/g, " ")),
        { timeout: 10_000 },
      )
      .toContain('target("shipping"');
    expect((await diff.locator(".editor.original").innerText()).replace(/\u00a0/g, " ")).toContain("Only billing has read the orders so far.");

    await diff.locator("button[data-action=use-solution]").click();
    expect(await diff.isVisible()).toBe(false);
    // The chosen code is what the learner's browser keeps, so it is there after a reload.
    await page.reload();
    expect(await page.evaluate(() => localStorage.getItem("tributary:code:two-targets"))).toContain('await target("shipping");');
    await page.context().close();
  });
});
