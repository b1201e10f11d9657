// Every lesson as learners who do not use a mouse, use a screen reader, or read on a phone: the keyboard
// reaches every control and leaves the editor, the accessibility tree holds the program's output and the
// verdict, axe finds nothing serious, the editor shows no false error, and code stays readable at 390 px.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { launchChromium } from "../support/browser.ts";
import { courseExercises, exerciseFile } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
const FIRST_LESSON = "/lessons/kafka-basics/first-producer-consumer/";
let sandbox: TestServer;
let browser: Browser;
let axeSource: string;

/** Lesson paths in course order, with the exercises each places, read from the built site. */
async function builtLessons(): Promise<{ href: string; exercises: string[] }[]> {
  const site = sandbox.config.siteDir;
  const index = await readFile(path.join(site, "index.html"), "utf8");
  const hrefs = [...index.matchAll(/href="(\/lessons\/[^"]+\/)"/g)].map((m) => m[1]!);
  return Promise.all(
    hrefs.map(async (href) => {
      const html = await readFile(path.join(site, href, "index.html"), "utf8");
      return { href, exercises: [...html.matchAll(/data-exercise="([^"]+)"/g)].map((m) => m[1]!) };
    }),
  );
}

async function newPage(width: number, height = 900): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height } });
  return { context, page: await context.newPage() };
}

/** Brings an exercise into view and waits for its editor and the type checker's first list of problems. */
async function editorChecked(exercise: Locator): Promise<Locator> {
  await exercise.scrollIntoViewIfNeeded();
  await expect.poll(() => exercise.getAttribute("data-editor"), { timeout: 60_000 }).toBe("ready");
  const problems = exercise.locator("[data-problems]");
  await expect.poll(() => problems.getAttribute("data-count"), { timeout: 60_000 }).not.toBeNull();
  return problems;
}

/** What has the keyboard focus, described so a failing test says where focus went. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element) return "nothing";
    const action = element.getAttribute("data-action");
    if (action) return `button:${action}`;
    if (element.closest(".monaco-editor")) return "editor";
    if (element.matches("[data-terminal]")) return "terminal";
    if (element.tagName === "SUMMARY") return `summary:${element.textContent?.trim()}`;
    if (element.getAttribute("role") === "region") return `region:${element.getAttribute("aria-label")}`;
    return `${element.tagName.toLowerCase()}:${element.textContent?.trim().slice(0, 30)}`;
  });

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
  browser = await launchChromium();
  axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

describe("a lesson for every learner", () => {
  it("shows no error in the editor for any exercise's starter or solution, and a real mistake when there is one", { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(1366);
    // The page's type checker is TypeScript's: Flink SQL exercises are checked by their runs instead.
    const typescript = new Set(
      [...(await courseExercises()).values()].filter((exercise) => exercise.language === "typescript").map((exercise) => exercise.id),
    );
    const lessons = (await builtLessons())
      .map((lesson) => ({ ...lesson, exercises: lesson.exercises.filter((id) => typescript.has(id)) }))
      .filter((lesson) => lesson.exercises.length > 0);
    let checked = 0;
    for (const lesson of lessons) {
      const solutions = await Promise.all(lesson.exercises.map(async (id) => [id, await exerciseFile(id, "solution")] as const));
      // The editor opens the learner's saved code: save the solutions, as if the learner had written them.
      await page.goto(`${sandbox.server.url}/`);
      await page.evaluate((entries) => {
        localStorage.clear();
        for (const [id, code] of entries) localStorage.setItem(`tributary:code:${id}`, code);
      }, solutions);
      await page.goto(sandbox.server.url + lesson.href);
      for (const id of lesson.exercises) {
        const exercise = page.locator(`[data-exercise="${id}"]`);
        for (const which of ["solution", "starter"] as const) {
          if (which === "starter") {
            await exercise.locator("button[data-action=reset]").click();
            expect(await page.evaluate((key) => localStorage.getItem(key), `tributary:code:${id}`)).toBeNull();
          }
          const problems = await editorChecked(exercise);
          expect(`${id} (${which}): ${await problems.innerText()}`).toBe(`${id} (${which}): `);
          expect(await problems.getAttribute("data-count")).toBe("0");
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(22);

    // The same check finds an error that is there: a name Node does not have.
    const exercise = page.locator('[data-exercise="measure-producer"]');
    await page.goto(`${sandbox.server.url}/lessons/why-kafka/why-kafka/`);
    await editorChecked(exercise);
    await exercise.locator(".monaco-editor .view-lines").click();
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.type("\nwindow.alert(performance.now());");
    await expect
      .poll(() => exercise.locator("[data-problems]").innerText(), { timeout: 20_000 })
      .toMatch(/1 problem[\s\S]*Cannot find name 'window'/);
    await context.close();
  });

  it("lets the keyboard reach every control, pass through the editor without changing it, and leave it after editing", {
    timeout: 90_000,
  }, async () => {
    const { context, page } = await newPage(1366);
    await page.goto(sandbox.server.url + FIRST_LESSON);
    const exercise = page.locator('[data-exercise="first-producer"]');
    await editorChecked(exercise);
    const starter = await exerciseFile("first-producer", "starter");
    // The live view beside the exercise wakes once near view: bring it there so its controls are on the page.
    await exercise.locator("[data-live-view]").scrollIntoViewIfNeeded();
    await expect.poll(() => exercise.locator("[data-live-tables]").count()).toBe(1);

    await exercise.locator("button[data-action=run]").focus();
    const stops: string[] = [await focused(page)];
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press("Tab");
      stops.push(await focused(page));
    }
    // Stop is disabled until a run starts; the language switch follows the buttons; Start over sits under the output
    // it clears, and the hints come after it. The live view of the exercise's topics and groups comes last: its
    // summary, the switch to tables, the link to all of the learner's Kafka, and the region it draws in.
    // Widen is not offered here: at 1366 px the pair of exercises is stacked, each already page-wide.
    expect(stops).toEqual([
      "button:run",
      "button:reset",
      "button:check",
      "button:solve",
      "select:TypeScriptPython",
      "editor",
      "terminal",
      "button:start-over",
      "summary:Hint 1",
      "summary:Hint 2",
      "summary:Hint 3",
      "summary:Watch it on the broker",
      "button:Show as tables",
      "a:All of your Kafka",
      "region:Watch it on the broker: pictures",
    ]);
    // Passing through changed nothing: the starter is still unsaved.
    expect(await page.evaluate(() => localStorage.getItem("tributary:code:first-producer"))).toBeNull();

    // Enter the editor, edit, and Tab indents; Escape, and Tab leaves.
    await exercise.locator("select[data-language]").focus();
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("editor");
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.type("\n// mine");
    await page.keyboard.press("Home");
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("editor");
    await expect.poll(() => page.evaluate(() => localStorage.getItem("tributary:code:first-producer"))).toBe(`${starter}\n  // mine`);
    await expect.poll(() => exercise.locator("[data-announce]").innerText()).toBe("Tab now indents.");
    await page.keyboard.press("Escape");
    await expect.poll(() => exercise.locator("[data-announce]").innerText()).toBe("Tab now moves out of the editor.");
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("terminal");
    await page.keyboard.press("Shift+Tab");
    expect(await focused(page)).toBe("editor");
    // The hint is on the page, and the editor's name says it too.
    expect(await exercise.locator(".editor-keys").innerText()).toMatch(/Tab.*Esc/s);
    const editorInput = exercise.locator(".monaco-editor [aria-label^='Code editor: ']");
    await editorInput.focus();
    expect(await focused(page)).toBe("editor");
    expect(await editorInput.getAttribute("aria-label")).toMatch(/Escape gives Tab back/);

    // Every control works from the keyboard: Enter on Run starts the program, Enter on Solve opens the solution.
    await exercise.locator("button[data-action=run]").focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => exercise.locator("[data-terminal] [role=log]").innerText(), { timeout: 30_000 }).toContain("Your program finished.");
    await exercise.locator("button[data-action=solve]").focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => exercise.locator("[data-solution]").isVisible()).toBe(true);
    await context.close();
  });

  it("puts the program's output lines, the verdict (once) and each diagram's name and description in the accessibility tree", {
    timeout: 90_000,
  }, async () => {
    const { context, page } = await newPage(1366);
    await page.goto(sandbox.server.url + FIRST_LESSON);
    const figure = page.locator("figure.diagram svg[role=img]").first();
    const name = await figure.evaluate((svg) => document.getElementById(svg.getAttribute("aria-labelledby")!)?.textContent?.trim());
    const description = await figure.evaluate((svg) => document.getElementById(svg.getAttribute("aria-describedby")!)?.textContent?.trim());
    expect(name).toBe("A producer writes to topic messages; consumer group message-readers reads from it");
    expect(description).toMatch(/^On the left, a producer program/);
    expect(await page.locator("figure.diagram").first().ariaSnapshot()).toContain(`img "${name}"`);

    const exercise = page.locator('[data-exercise="first-producer"]');
    await editorChecked(exercise);
    await exercise.locator("button[data-action=run]").click();
    const output = exercise.locator("[data-terminal]");
    await expect.poll(() => output.ariaSnapshot(), { timeout: 30_000 }).toContain("Nothing sent yet: fill in the TODOs.");
    expect(await output.ariaSnapshot()).toMatch(/log "Output of [^"]+"[\s\S]*Your program finished\./);

    await exercise.locator("button[data-action=check]").click();
    const announce = exercise.locator("[data-announce]");
    await expect.poll(() => announce.innerText(), { timeout: 15_000 }).toMatch(/^Not yet: There is no message "message 1"/);
    expect(await announce.getAttribute("aria-live")).toBe("polite");
    // The verdict itself is not a live region: a screen reader hears it once, from the announcement.
    expect(await exercise.locator("[data-verdict]").getAttribute("aria-live")).toBeNull();
    expect(await page.locator("[data-verdict] [aria-live]").count()).toBe(0);
    await context.close();
  });

  it("keeps a flood of output from drowning the screen reader", { timeout: 60_000 }, async () => {
    const { context, page } = await newPage(1366);
    const flood = "for (let i = 1; i <= 300; i++) console.log(`line ${i}`);\n";
    await page.goto(`${sandbox.server.url}/`);
    await page.evaluate((code) => localStorage.setItem("tributary:code:first-producer", code), flood);
    await page.goto(sandbox.server.url + FIRST_LESSON);
    const exercise = page.locator('[data-exercise="first-producer"]');
    await editorChecked(exercise);
    await exercise.locator("button[data-action=run]").click();
    const log = exercise.locator("[data-terminal] [role=log]");
    await expect.poll(() => log.innerText(), { timeout: 30_000 }).toContain("Your program finished.");
    const entries = await log.locator("p").allInnerTexts();
    expect(entries.length).toBeLessThan(20);
    expect(entries.join("\n")).toMatch(/more lines of output\. The latest: line 300/);
    // Tributary's own line is read on its own, not summed up with the program's.
    expect(entries.at(-1)).toMatch(/^— Your program finished\./);
    await context.close();
  });

  it("has no serious or critical axe violation on any lesson or the home page", { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(1366);
    const pages = ["/", ...(await builtLessons()).map((lesson) => lesson.href)];
    const found: string[] = [];
    for (const href of pages) {
      await page.goto(sandbox.server.url + href);
      // The first lesson is audited with its editors and terminals loaded, as the learner sees it once they
      // scroll; the others as they first show (every exercise's markup is the same component).
      if (href === FIRST_LESSON) for (const exercise of await page.locator("[data-exercise]").all()) await editorChecked(exercise);
      await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: { run(context: Document): Promise<{ violations: { id: string; impact?: string; help: string; nodes: { target: unknown[] }[] }[] }> };
          }
        ).axe;
        const results = await axe.run(document);
        return results.violations
          .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
          .map(
            (violation) =>
              `${violation.id} (${violation.impact}): ${violation.help}: ${violation.nodes
                .slice(0, 3)
                .map((n) => JSON.stringify(n.target))
                .join(", ")}`,
          );
      });
      found.push(...violations.map((violation) => `${href} ${violation}`));
    }
    expect(found).toEqual([]);
    await context.close();
  });

  it("keeps code readable at 390 px: no sideways page scroll, a usable editor, the solution inside its panel", { timeout: 90_000 }, async () => {
    for (const width of [390, 1366]) {
      const { context, page } = await newPage(width, 844);
      await page.goto(`${sandbox.server.url}/lessons/why-kafka/decoupling/`);
      const exercise = page.locator('[data-exercise="two-targets"]');
      await editorChecked(exercise);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `page width at ${width} px`).toBeLessThanOrEqual(width);
      const editor = (await exercise.locator(".monaco-editor").boundingBox())!;
      expect(editor.x).toBeGreaterThanOrEqual(0);
      expect(editor.x + editor.width).toBeLessThanOrEqual(width);
      // A phone gives the editor nearly all its width; a desktop at least the reading column's.
      expect(editor.width).toBeGreaterThan(Math.min(width * 0.85, 700));
      // Long lines wrap instead of running off the side.
      expect(await exercise.locator(".monaco-editor .view-lines").evaluate((lines) => lines.scrollWidth <= lines.clientWidth + 1)).toBe(true);

      await exercise.locator("button[data-action=solve]").click();
      const panel = exercise.locator("[data-solution]");
      await expect.poll(() => panel.locator(".monaco-diff-editor").count(), { timeout: 15_000 }).toBeGreaterThan(0);
      await page.waitForTimeout(500);
      const box = (await panel.boundingBox())!;
      const diff = (await panel.locator(".monaco-diff-editor").first().boundingBox())!;
      expect(diff.x).toBeGreaterThanOrEqual(box.x);
      expect(diff.x + diff.width, `diff inside its panel at ${width} px`).toBeLessThanOrEqual(box.x + box.width + 1);
      await context.close();
    }
  });
});
