// A learner who just finished the TypeScript ETL lab, in a real browser, on the Flink SQL lessons: real
// Flink runs what they paste into the editor against the real broker. A broken script's error shows in the
// terminal and is marked at its line in the editor; the solution's rows stream in, Stop ends the
// continuous query, the checkpoint passes and stays passed across a reload; then the ETL lab, in SQL.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Page } from "playwright-core";
import { openLearnerBrowser, pasteIntoEditor, type LearnerBrowser } from "../support/learner-browser.ts";
import { exerciseFile } from "../support/sandbox-client.ts";

const kafka = inject("kafkaAccess");
const TABLE_LESSON = "/lessons/stream-processing/table-over-topic/";
const ETL_LESSON = "/lessons/stream-processing/etl-in-sql/";
const TABLE = "flink-page-views-table";
const ETL = "flink-etl";
// A cold Flink run takes 10–20 s on a busy machine before its first row.
const FLINK_PATIENCE = { timeout: 90_000 };
let learner: LearnerBrowser;
let page: Page;

const exercise = (id: string) => page.locator(`[data-exercise="${id}"]`);
/** The terminal's text as the learner sees it: xterm draws only while the terminal is in view, so it is brought there. */
const terminalText = async (id: string) => {
  const rows = exercise(id).locator(".xterm-rows");
  await rows.scrollIntoViewIfNeeded();
  return rows.innerText();
};
/** The terminal's text with long lines whole again: xterm wraps them at its width. */
const terminalMessage = async (id: string) => (await terminalText(id)).replace(/\n/g, "");
const verdictSummary = (id: string) => exercise(id).locator("[data-verdict] .verdict-summary").innerText();

async function openExercise(lesson: string, id: string): Promise<void> {
  await page.goto(learner.sandbox.server.url + lesson);
  await exercise(id).scrollIntoViewIfNeeded();
  await page.waitForSelector(`[data-exercise="${id}"][data-editor="ready"]`, { timeout: 30_000 });
}

/** Pastes `code` into the exercise's editor, and waits until the page has saved it. */
async function paste(id: string, code: string): Promise<void> {
  await pasteIntoEditor(exercise(id), code);
  await expect.poll(() => page.evaluate((key) => localStorage.getItem(key), `tributary:code:${id}:sql`)).toBe(code);
}

/** Runs the editor's code and waits until the run has ended (Run is enabled again). */
async function runToEnd(id: string): Promise<void> {
  await exercise(id).locator("button[data-action=run]").click();
  await expect.poll(() => exercise(id).getAttribute("data-running")).toBe("true");
  await expect.poll(() => exercise(id).getAttribute("data-running"), FLINK_PATIENCE).toBe("false");
}

/** The text of every editor line that carries an error squiggle, as Monaco draws them. */
function squiggledLines(id: string): Promise<string[]> {
  return exercise(id)
    .locator(".monaco-editor")
    .evaluate((editor) => {
      const top = (element: Element) => (element as HTMLElement).style.top;
      const squiggleTops = new Set([...editor.querySelectorAll(".view-overlays .squiggly-error")].map((squiggle) => top(squiggle.parentElement!)));
      return [...editor.querySelectorAll(".view-lines .view-line")]
        .filter((line) => squiggleTops.has(top(line)))
        .map((line) => (line.textContent ?? "").replace(/\u00a0/g, " "));
    });
}

beforeAll(async () => {
  learner = await openLearnerBrowser(kafka);
  page = learner.page;
});

afterAll(async () => {
  await learner?.close();
});

describe("the Flink SQL lessons in a browser", () => {
  it("shows a misspelled table's error in the terminal, marks its line, and fails the checkpoint saying why", async () => {
    await openExercise(TABLE_LESSON, TABLE);
    const solution = await exerciseFile(TABLE, "solution");
    const misspelled = solution.replace("INSERT INTO page_views VALUES", "INSERT INTO page_view VALUES");
    expect(misspelled).not.toBe(solution);
    await paste(TABLE, misspelled);
    await runToEnd(TABLE);
    const insertLine = misspelled.split("\n").findIndex((line) => line.startsWith("INSERT INTO page_view ")) + 1;
    await expect.poll(() => terminalMessage(TABLE)).toContain("Flink did not run your SQL: fix the statement the error above points to");
    expect(await terminalMessage(TABLE)).toContain(
      `error: line ${insertLine}, column 1: Cannot find table '\`default_catalog\`.\`default_database\`.\`page_view\`'`,
    );
    expect(await exercise(TABLE).locator("[data-run-status]").innerText()).toBe("Did not run: the error in the output below says what to fix.");
    await expect.poll(() => squiggledLines(TABLE), { timeout: 10_000 }).toEqual(["INSERT INTO page_view VALUES"]);
    // In words too, under the editor, for a learner who cannot see the squiggle.
    await expect
      .poll(() => exercise(TABLE).locator("[data-problems]").innerText())
      .toMatch(new RegExp(`^1 problem in your code \\(F8 in the editor goes to the next\\):\\s+line ${insertLine}: Cannot find table`));

    await exercise(TABLE).locator("button[data-action=check]").click();
    await expect.poll(() => verdictSummary(TABLE), { timeout: 20_000 }).toMatch(/^Not yet: .*stopped at an error in your code/);
  });

  it("suggests the columns of the table the script declares", async () => {
    await paste(TABLE, await exerciseFile(TABLE, "solution"));
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.type("\nSELECT coun");
    await page.keyboard.press("Control+Space");
    const suggestions = page.locator(".suggest-widget.visible .monaco-list-row");
    const labels = async () => (await suggestions.allInnerTexts()).map((row) => row.split("\n")[0]);
    await expect.poll(labels, { timeout: 10_000 }).toContain("country");
    await page.keyboard.press("Escape");
  });

  it("refuses a filesystem table with a message that says what is allowed, marked in the editor", async () => {
    const solution = await exerciseFile(TABLE, "solution");
    const filesystem = solution.replace("'connector' = 'kafka'", "'connector' = 'filesystem'");
    await paste(TABLE, filesystem);
    await runToEnd(TABLE);
    await expect.poll(() => terminalMessage(TABLE)).toContain("Flink did not run your SQL");
    const terminal = await terminalMessage(TABLE);
    // Marked where the refused word stands, not where the statement starts.
    expect(terminal).toContain("error: line 7, column 17: Table page_views: the 'filesystem' connector is not allowed");
    expect(terminal).toContain("Allowed here: CREATE TABLE (connector kafka");
    await expect.poll(() => squiggledLines(TABLE), { timeout: 10_000 }).toEqual(["  'connector' = 'filesystem',"]);
  });

  it("streams the SELECT's rows into the terminal until Stop, then passes the checkpoint", async () => {
    await paste(TABLE, await exerciseFile(TABLE, "solution"));
    // The page asked for a Flink runner when the exercise came near: one is waiting before Run is pressed.
    await expect
      .poll(async () => (await (await fetch(`${learner.sandbox.server.url}/api/health`)).json()).runs.warmByLanguage.sql ?? 0, FLINK_PATIENCE)
      .toBeGreaterThanOrEqual(1);
    const pressed = performance.now();
    // The earlier run's marks belong to the earlier code.
    await exercise(TABLE).locator("button[data-action=run]").click();
    await expect.poll(() => squiggledLines(TABLE)).toEqual([]);
    await expect.poll(() => exercise(TABLE).locator("[data-problems]").getAttribute("data-count")).toBe("0");
    await expect.poll(() => terminalText(TABLE), { ...FLINK_PATIENCE, interval: 50 }).toMatch(/^\+I\[/m);
    console.log(`[flink page] Run → first row in the terminal, with the runner the page warmed: ${Math.round(performance.now() - pressed)} ms`);
    await expect.poll(() => terminalText(TABLE), FLINK_PATIENCE).toContain("+I[user-3, /, BR]");
    const rows = (await terminalText(TABLE)).split("\n").filter((line) => line.startsWith("+I["));
    expect(rows).toContain("+I[user-1, /, DE]");
    expect(await exercise(TABLE).locator("button[data-action=stop]").isEnabled()).toBe(true);
    expect(await exercise(TABLE).getAttribute("data-running")).toBe("true");

    await exercise(TABLE).locator("button[data-action=stop]").click();
    await expect.poll(() => terminalText(TABLE), { timeout: 20_000 }).toContain("Stopped.");
    expect(await exercise(TABLE).locator("button[data-action=run]").isEnabled()).toBe(true);
    // A screen reader hears the rows (a burst summed up, the latest read out) and then that the query stopped.
    // Stop cancels the query's job through Flink, which says so last.
    expect(await exercise(TABLE).locator("[data-terminal] [role=log]").innerText()).toMatch(/\[job [0-9a-f]{8} cancelled\]\s+— Stopped\./);

    await exercise(TABLE).locator("button[data-action=check]").click();
    await expect.poll(() => verdictSummary(TABLE), { timeout: 20_000 }).toMatch(/^Passed: /);
    expect(await exercise(TABLE).locator("[data-announce]").innerText()).toMatch(/^Passed: /);

    await page.reload();
    await expect.poll(() => exercise(TABLE).locator("[data-verdict]").innerText(), { timeout: 10_000 }).toMatch(/^Passed: [\s\S]*Last checked/);
    expect(await page.evaluate((key) => localStorage.getItem(key), `tributary:code:${TABLE}:sql`)).toContain("country STRING");
  });

  it("passes the ETL lab in SQL from its page", async () => {
    await openExercise(ETL_LESSON, ETL);
    await paste(ETL, await exerciseFile(ETL, "solution"));
    await exercise(ETL).locator("button[data-action=run]").click();
    await expect.poll(() => terminalText(ETL), FLINK_PATIENCE).toMatch(/\[job [0-9a-f]{8} running\] INSERT INTO page_views_clean/);
    await expect
      .poll(
        async () => {
          await exercise(ETL).locator("button[data-action=check]").click();
          return verdictSummary(ETL);
        },
        { timeout: 60_000, interval: 3000 },
      )
      .toMatch(/^Passed: /);
    await exercise(ETL).locator("button[data-action=stop]").click();
    await expect.poll(() => terminalText(ETL), { timeout: 20_000 }).toContain("Stopped.");
  });
});
