// A learner who knows Python, in a real browser: chooses Python on the first lesson's exercises (the choice
// is remembered), runs the kafka-python consumer and producer, watches the messages arrive, passes both
// checkpoints, and sees a failing program's line marked in the editor.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Page } from "playwright-core";
import { openLearnerBrowser, pasteIntoEditor, type LearnerBrowser } from "../support/learner-browser.ts";
import { courseExercises } from "../support/sandbox-client.ts";

const kafka = inject("kafkaAccess");
const LESSON = "/lessons/kafka-basics/first-producer-consumer/";
const catalog = await courseExercises();
const python = (id: string, which: "starter" | "solution") => catalog.get(id)!.code.python![which];
let learner: LearnerBrowser;
let page: Page;

const exercise = (id: string) => page.locator(`[data-exercise="${id}"]`);
/** The terminal's text as the learner sees it: xterm draws only while the terminal is in view, so it is brought there. */
const terminalText = async (id: string) => {
  const rows = exercise(id).locator(".xterm-rows");
  await rows.scrollIntoViewIfNeeded();
  return rows.innerText();
};
const editorsReady = async () => {
  await exercise("first-consumer").scrollIntoViewIfNeeded();
  for (const id of ["first-consumer", "first-producer"])
    await page.waitForSelector(`[data-exercise="${id}"][data-editor="ready"]`, { timeout: 30_000 });
};

/** Pastes `code` into the exercise's editor, and waits until the page has saved it. */
async function paste(id: string, code: string): Promise<void> {
  await pasteIntoEditor(exercise(id), code);
  await expect.poll(() => page.evaluate((key) => localStorage.getItem(key), `tributary:code:${id}:python`)).toBe(code);
}

beforeAll(async () => {
  learner = await openLearnerBrowser(kafka);
  page = learner.page;
});

afterAll(async () => {
  await learner?.close();
});

describe("the first lesson in Python, in a browser", () => {
  it("switches an exercise to Python, and remembers the choice for every exercise after a reload", async () => {
    await page.goto(learner.sandbox.server.url + LESSON);
    await editorsReady();
    await exercise("first-consumer").locator("select[data-language]").selectOption("python");
    // Monaco renders spaces as no-break spaces.
    const shown = async () => (await exercise("first-consumer").locator(".monaco-editor .view-lines").innerText()).replace(/\u00a0/g, " ");
    await expect.poll(shown).toContain("from kafka import");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.reload();
    for (const id of ["first-consumer", "first-producer"]) {
      expect(await exercise(id).locator("select[data-language]").inputValue()).toBe("python");
      expect(await exercise(id).locator("pre code").innerText()).toContain("from tributary import");
    }
  });

  it("streams the Python producer's messages into the running Python consumer, and passes both checkpoints", async () => {
    await editorsReady();
    await paste("first-consumer", python("first-consumer", "solution"));
    await paste("first-producer", python("first-producer", "solution"));
    await exercise("first-consumer").locator("button[data-action=run]").click();
    await expect.poll(() => terminalText("first-consumer"), { timeout: 30_000 }).toContain("waiting for messages");
    await exercise("first-producer").locator("button[data-action=run]").click();
    await expect.poll(() => terminalText("first-producer"), { timeout: 30_000 }).toContain("Your program finished.");
    await expect.poll(() => terminalText("first-consumer"), { timeout: 30_000 }).toContain("10: message 10");
    for (const id of ["first-producer", "first-consumer"]) {
      await expect
        .poll(
          async () => {
            await exercise(id).locator("button[data-action=check]").click();
            return exercise(id).locator("[data-verdict] .verdict-summary").innerText();
          },
          { timeout: 20_000, interval: 2000 },
        )
        .toMatch(/^Passed: /);
    }
    await exercise("first-consumer").locator("button[data-action=stop]").click();
    await expect.poll(() => terminalText("first-consumer"), { timeout: 15_000 }).toContain("Stopped.");
  });

  it("marks the line a Python program failed at", async () => {
    const broken = python("first-producer", "starter").replace('print("Nothing sent yet: fill in the TODOs.")', "producer.sendd(MESSAGES)");
    await paste("first-producer", broken);
    await exercise("first-producer").locator("button[data-action=run]").click();
    await expect.poll(() => terminalText("first-producer"), { timeout: 30_000 }).toContain("AttributeError");
    expect(await terminalText("first-producer")).toContain('File "main.py", line');
    await expect.poll(() => exercise("first-producer").locator(".monaco-editor .squiggly-error").count(), { timeout: 10_000 }).toBe(1);
  });
});
