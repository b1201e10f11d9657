// The details a learner at the keyboard trips over: an empty terminal says what will appear in it, the
// language switch is disabled (and says why) while a run is active, focus stays with the control pressed
// or moves to what replaced it, and Esc closes the solution beside the learner's code.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Page } from "playwright-core";
import { openLearnerBrowser, type LearnerBrowser } from "../support/learner-browser.ts";
import { exerciseFile } from "../support/sandbox-client.ts";

const kafka = inject("kafkaAccess");
const LESSON = "/lessons/kafka-basics/first-producer-consumer/";
let learner: LearnerBrowser;
let page: Page;

const exercise = (id: string) => page.locator(`[data-exercise="${id}"]`);
const button = (id: string, action: string) => exercise(id).locator(`button[data-action=${action}]`);
/** What the program printed, as a screen reader reads it. */
const output = (id: string) => exercise(id).locator("[data-terminal] [role=log]").innerText();

/** What has the keyboard focus, described so a failing test says where it went. */
const focused = () =>
  page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return "the page's body";
    const action = element.getAttribute("data-action");
    if (action) return `button:${action}`;
    if (element.matches("[data-solution]")) return "the solution panel";
    if (element.closest("[data-solution]")) return "inside the solution panel";
    if (element.closest(".monaco-editor")) return "editor";
    return element.tagName.toLowerCase();
  });

/** Presses `key` on an exercise's button, focused as the keyboard reaches it. */
async function press(id: string, action: string, key: "Enter" | "Space"): Promise<void> {
  await button(id, action).focus();
  await page.keyboard.press(key);
}

beforeAll(async () => {
  learner = await openLearnerBrowser(kafka);
  page = learner.page;
  // The consumer's solution, saved as if the learner had written it: it reads until it is stopped.
  await page.goto(`${learner.sandbox.server.url}/`);
  await page.evaluate((code) => localStorage.setItem("tributary:code:first-consumer", code), await exerciseFile("first-consumer", "solution"));
  await page.goto(learner.sandbox.server.url + LESSON);
  await exercise("first-consumer").scrollIntoViewIfNeeded();
  for (const id of ["first-consumer", "first-producer"])
    await page.waitForSelector(`[data-exercise="${id}"][data-editor="ready"]`, { timeout: 30_000 });
});

afterAll(async () => {
  await learner?.close();
});

describe("the page details a learner at the keyboard trips over", () => {
  it("shows a line in a terminal that has shown nothing yet, for eyes and screen readers, gone once output arrives", async () => {
    const terminal = exercise("first-producer").locator("[data-terminal]");
    const placeholder = terminal.locator("[data-terminal-placeholder]");
    // The terminal itself is there, and still the line says what it is for.
    await expect.poll(() => terminal.locator(".xterm").count(), { timeout: 20_000 }).toBe(1);
    expect(await placeholder.isVisible()).toBe(true);
    expect(await placeholder.innerText()).toMatch(/^Output appears here when you press Run\./);
    expect(await terminal.ariaSnapshot()).toContain("Output appears here when you press Run.");

    await button("first-producer", "run").click();
    await expect.poll(() => output("first-producer"), { timeout: 30_000 }).toContain("Your program finished.");
    expect(await placeholder.isVisible()).toBe(false);
    expect(await terminal.ariaSnapshot()).not.toContain("appears here");
  });

  it("disables the language switch while the consumer runs, says why, and gives it back once Stop ends the run", async () => {
    const language = exercise("first-consumer").locator("select[data-language]");
    const note = exercise("first-consumer").locator("[data-language-note]");
    expect(await language.isEnabled()).toBe(true);

    await press("first-consumer", "run", "Enter");
    // Run gives way to Stop, and so does the focus.
    expect(await focused()).toBe("button:stop");
    await expect.poll(() => output("first-consumer"), { timeout: 30_000 }).toContain("Joined group message-readers");
    expect(await language.isDisabled()).toBe(true);
    expect(await note.innerText()).toBe("Stop the run to change the language.");
    // The reason is the switch's description, so a screen reader says it with the disabled control.
    expect(await language.evaluate((select) => document.getElementById(select.getAttribute("aria-describedby")!)?.textContent)).toBe(
      "Stop the run to change the language.",
    );

    await page.keyboard.press("Space");
    // While the run stops, Stop keeps the focus; once it has stopped, Run is back and has it.
    expect(["button:stop", "button:run"]).toContain(await focused());
    await expect.poll(() => output("first-consumer"), { timeout: 20_000 }).toContain("Stopped.");
    await expect.poll(focused).toBe("button:run");
    expect(await language.isEnabled()).toBe(true);
    expect(await note.innerText()).toBe("");

    await language.selectOption("python");
    const shown = async () => (await exercise("first-consumer").locator(".monaco-editor .view-lines").innerText()).replace(/\u00a0/g, " ");
    await expect.poll(shown).toContain("from kafka import");
    await language.selectOption("typescript");
    await expect.poll(shown).toContain('from "kafkajs"');
  });

  it("gives the focus back to Run when a run started from the keyboard ends on its own", async () => {
    await press("first-producer", "run", "Enter");
    expect(await focused()).toBe("button:stop");
    await expect.poll(() => output("first-producer"), { timeout: 30_000 }).toContain("Your program finished.");
    await expect.poll(focused).toBe("button:run");
  });

  it("keeps the focus on Check while it grades and after the verdict arrives", async () => {
    await press("first-producer", "check", "Space");
    expect(await focused()).toBe("button:check");
    await expect
      .poll(() => exercise("first-producer").locator("[data-verdict] .verdict-summary").innerText(), { timeout: 20_000 })
      .toMatch(/^Not yet: /);
    expect(await focused()).toBe("button:check");
    expect(await button("first-producer", "check").getAttribute("aria-disabled")).toBeNull();
  });

  it("moves the focus into the solution Solve opens; Esc and Close shut it and give the focus back to Solve", async () => {
    const panel = exercise("first-producer").locator("[data-solution]");
    await press("first-producer", "solve", "Enter");
    await expect.poll(() => panel.isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(focused).toBe("the solution panel");
    await page.keyboard.press("Escape");
    expect(await panel.isVisible()).toBe(false);
    expect(await focused()).toBe("button:solve");

    // From inside the diff too: Tab reaches the code, and Esc still closes the panel.
    await page.keyboard.press("Space");
    await expect.poll(() => panel.isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => panel.locator(".monaco-diff-editor").count()).toBeGreaterThan(0);
    await expect.poll(focused).toBe("the solution panel");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("inside the solution panel");
    await page.keyboard.press("Escape");
    expect(await panel.isVisible()).toBe(false);
    expect(await focused()).toBe("button:solve");

    await page.keyboard.press("Enter");
    await expect.poll(focused, { timeout: 20_000 }).toBe("the solution panel");
    await panel.locator("button[data-action=close-solution]").focus();
    await page.keyboard.press("Enter");
    expect(await panel.isVisible()).toBe(false);
    expect(await focused()).toBe("button:solve");
  });
});
