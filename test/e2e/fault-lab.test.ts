// The fault lab in a browser: on the lab exercise's page a Run is refused until the learner's own three brokers
// are up, and says so; the learner starts them from the panel with the keyboard, runs the solution there, stops
// the broker that leads a partition and watches the live view of the lab take it out of the ISR. The panel says
// each change once, keeps the keyboard where it was, moves nothing for a learner who asked for less motion, and
// axe finds nothing serious in it. Starts three real brokers: this file takes minutes.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { launchChromium } from "../support/browser.ts";
import { courseExercises, exerciseFile } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
const LESSON = "/lessons/core-concepts/when-a-broker-dies/";
const EXERCISE = "acknowledged-payments";
/** Ports no other test file uses (the integration test's lab is at 19600). */
const LAB_PORT = 19700;
/** Three brokers start from nothing: a JVM each, and a controller. */
const LAB_START_MS = 180_000;

let sandbox: TestServer;
let browser: Browser;
let page: Page;
/** The topics the exercise owns, as the lesson names them. */
let topics: string[];

const exercise = () => page.locator(`[data-exercise="${EXERCISE}"]`);
const panel = () => exercise().locator("[data-lab-panel]");
const phase = () => panel().getAttribute("data-lab-phase");
const brokerRow = (id: number) => panel().locator(`[data-lab-broker="${id}"]`);
const liveView = () => exercise().locator("[data-live-view]");
/** What the panel's status line has said so far, in order (recorded from the start, see beforeAll). */
const said = () => page.evaluate(() => (window as unknown as { labSaid: string[] }).labSaid);

/** What has the keyboard focus: its text (a button's name here), or its tag. */
const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? document.activeElement?.tagName ?? "nothing");

/** Presses Tab until the focus is on the button named `name`, as a learner without a mouse would reach it. */
async function tabTo(name: string, from: Locator): Promise<void> {
  await from.focus();
  for (let presses = 0; presses < 12 && (await focused()) !== name; presses++) await page.keyboard.press("Tab");
  expect(await focused()).toBe(name);
}

/** Every value `button` held for aria-disabled and disabled from now on, kept in the page: a change may be brief. */
async function recordBusy(button: Locator): Promise<() => Promise<boolean>> {
  const key = `busy-${Date.now()}`;
  await button.evaluate((element, key) => {
    const seen: boolean[] = [];
    (window as unknown as Record<string, boolean[]>)[key] = seen;
    new MutationObserver(() => seen.push(element.getAttribute("aria-disabled") === "true" || (element as HTMLButtonElement).disabled)).observe(
      element,
      { attributes: true, attributeFilter: ["aria-disabled", "disabled"] },
    );
  }, key);
  return () => page.evaluate((key) => (window as unknown as Record<string, boolean[]>)[key]!.includes(true), key);
}

/** Each replica of one partition in the live view: broker → its state there (leader, in-sync, offline…). */
const replicasOf = (topic: string, partition: number) =>
  liveView()
    .locator(`.lv-replica[data-change^="${topic}/${partition}/"]`)
    .evaluateAll((replicas) =>
      Object.fromEntries(
        replicas.map((replica) => [Number(replica.getAttribute("data-change")!.split("/").at(-1)), replica.getAttribute("data-state")!]),
      ),
    );

const inSync = (replicas: Record<number, string>) =>
  Object.entries(replicas)
    .filter(([, state]) => state === "leader" || state === "in-sync")
    .map(([broker]) => Number(broker));

beforeAll(async () => {
  sandbox = await startTestServer(kafka, { env: { TRIBUTARY_LABS: "1", TRIBUTARY_LAB_PORT: String(LAB_PORT) } });
  const known = (await courseExercises()).get(EXERCISE);
  if (!known) throw new Error(`The course has no exercise ${EXERCISE}: this file tests its page.`);
  topics = Object.keys(known.owns.topics);
  browser = await launchChromium();
  // A learner who asked for less motion: the panel must still say everything, moving nothing.
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, reducedMotion: "reduce" });
  page = await context.newPage();
  // The learner has written the solution already: the editor opens with it.
  const solution = await exerciseFile(EXERCISE, "solution");
  await page.goto(`${sandbox.server.url}/`);
  await page.evaluate(([key, code]) => localStorage.setItem(key!, code!), [`tributary:code:${EXERCISE}`, solution]);
  await page.goto(sandbox.server.url + LESSON);
  await panel().scrollIntoViewIfNeeded();
  await page.waitForSelector(`[data-exercise="${EXERCISE}"] [data-lab-panel][data-lab-phase="off"]`, { timeout: 30_000 });
  // Every sentence the panel's status line says while it is a live region, in order.
  await panel()
    .locator("[data-lab-status]")
    .evaluate((status) => {
      const said: string[] = [];
      (window as unknown as { labSaid: string[] }).labSaid = said;
      new MutationObserver(() => {
        if (status.getAttribute("aria-live") === "polite" && status.textContent && said.at(-1) !== status.textContent) said.push(status.textContent);
      }).observe(status, { subtree: true, childList: true, characterData: true });
    });
});

afterAll(async () => {
  // The lab's brokers are processes of their own: stop them as the learner would, whatever a test left.
  await page?.evaluate(() => fetch("/api/lab", { method: "DELETE" })).catch(() => undefined);
  await browser?.close();
  await sandbox?.close();
});

describe("the fault lab's panel", () => {
  it("offers to start the lab, says when an unused one stops, and a Run meanwhile shows the server's refusal", async () => {
    const start = panel().locator("button[data-lab-action]");
    expect(await start.innerText()).toBe("Start lab");
    expect(await start.isEnabled()).toBe(true);
    expect(await panel().locator("[data-lab-idle]").innerText()).toMatch(/stopped after \d+ (minutes|seconds) unused/);
    // No broker to stop yet: their buttons are out of the keyboard's way.
    for (const id of [1, 2, 3]) expect(await brokerRow(id).locator("button").isDisabled()).toBe(true);

    await exercise().locator("button[data-action=run]").click();
    const status = exercise().locator("[data-run-status]");
    await expect.poll(() => status.innerText(), { timeout: 30_000 }).toMatch(/lab/i);
    const refusal = await status.innerText();
    await expect.poll(() => exercise().locator("[data-terminal] [role=log]").innerText(), { timeout: 10_000 }).toContain(refusal);
    expect(await phase()).toBe("off");
  });

  it("starts the lab from the keyboard, shows how the start goes, then three brokers up with their addresses", {
    timeout: LAB_START_MS,
  }, async () => {
    const action = panel().locator("button[data-lab-action]");
    const progress: string[] = [];
    await action.focus();
    await page.keyboard.press("Enter");
    // The progress line is read as it changes, from the page's own polling.
    const progressLine = panel().locator("[data-lab-progress]");
    await expect
      .poll(
        async () => {
          const text = await progressLine.innerText();
          if (text && progress.at(-1) !== text) progress.push(text);
          return phase();
        },
        { timeout: LAB_START_MS, interval: 250 },
      )
      .toBe("ready");
    expect(progress.length, "the panel showed no progress while the lab started").toBeGreaterThan(0);
    for (const id of [1, 2, 3]) {
      expect(await brokerRow(id).getAttribute("data-state")).toBe("up");
      expect(await brokerRow(id).locator("[data-lab-broker-address]").innerText()).toMatch(/^[\w.-]+:\d+$/);
      expect(
        await panel()
          .getByRole("button", { name: `Stop broker ${id}`, exact: true })
          .isEnabled(),
      ).toBe(true);
    }
    // The one button became Stop lab under the learner's focus.
    expect(await focused()).toBe("Stop lab");
    expect(await progressLine.innerText()).toBe("");
    await expect.poll(said).toContain("Your lab is ready: brokers 1, 2 and 3 are up.");
  });

  it("stops, from the keyboard, the broker that leads a partition: the live view shows it leave the ISR", { timeout: 240_000 }, async () => {
    // The live view of the lab, open beside the exercise, watches from before the run.
    await liveView().scrollIntoViewIfNeeded();
    expect(await liveView().getAttribute("data-cluster")).toBe("lab");
    await expect.poll(() => liveView().locator("[data-live-status]").count(), { timeout: 30_000 }).toBe(1);
    // The solution runs on the lab and makes the exercise's topics there, a copy on every broker.
    await exercise().locator("button[data-action=run]").click();
    await liveView().scrollIntoViewIfNeeded();
    const leader = liveView().locator(topics.map((topic) => `.lv-replica[data-state="leader"][data-change^="${topic}/"]`).join(", "));
    const runStatus = exercise().locator("[data-run-status]");
    // A failing run would leave no topic: say what the run said rather than only that nothing came.
    await expect
      .poll(async () => ((await leader.count()) > 0 ? "a partition has a leader" : `no leader yet; the run says "${await runStatus.innerText()}"`), {
        timeout: 90_000,
      })
      .toBe("a partition has a leader");
    const [topic, partitionText, brokerText] = (await leader.first().getAttribute("data-change"))!.split("/") as [string, string, string];
    const partition = Number(partitionText);
    const broker = Number(brokerText);
    await expect.poll(async () => inSync(await replicasOf(topic, partition)).length, { timeout: 30_000 }).toBe(3);

    // Reached with Tab from the panel's first control, named for what it does, its state read with it.
    const stop = panel().getByRole("button", { name: `Stop broker ${broker}`, exact: true });
    await tabTo(`Stop broker ${broker}`, panel().locator("button[data-lab-action]"));
    const description = await stop.evaluate((button) => document.getElementById(button.getAttribute("aria-describedby")!)?.textContent?.trim());
    expect(description).toBe("up");
    const wasBusy = await recordBusy(stop);
    await page.keyboard.press("Enter");
    await expect.poll(() => brokerRow(broker).getAttribute("data-state"), { timeout: 60_000 }).toBe("stopped");
    expect(await wasBusy(), "the button took presses while its broker was changing").toBe(true);
    // The focus stayed on the same button, which now starts the broker again.
    expect(await focused()).toBe(`Start broker ${broker}`);
    expect(await brokerRow(broker).locator("[data-lab-broker-state]").innerText()).toBe("stopped");
    await expect.poll(async () => (await said()).join("\n")).toContain(`broker ${broker} is stopped`);

    // The live view of the lab: the stopped broker is down (a broker up is marked data-up), and out of the
    // partition's in-sync replicas.
    await expect.poll(() => liveView().locator(".lv-broker:not([data-up])").allInnerTexts(), { timeout: 60_000 }).toContainEqual(`${broker} (down)`);
    await expect.poll(async () => inSync(await replicasOf(topic, partition)), { timeout: 60_000 }).not.toContain(broker);
    const after = await replicasOf(topic, partition);
    expect(inSync(after)).toHaveLength(2);
    expect(after[broker]).not.toBe("leader");
  });

  it("has no serious accessibility problem in the panel, and moves nothing for a learner who asked for less motion", {
    timeout: 120_000,
  }, async () => {
    const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
    await page.addScriptTag({ content: axeSource });
    const serious = await panel().evaluate(async (element) => {
      const axe = (window as unknown as { axe: { run(context: Element): Promise<{ violations: { id: string; impact?: string; help: string }[] }> } })
        .axe;
      const results = await axe.run(element);
      return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help}`);
    });
    expect(serious).toEqual([]);

    // The stopped broker starts again: "starting…" while it does, said, but not animated.
    const stopped = Number(await panel().locator('[data-lab-broker][data-state="stopped"]').first().getAttribute("data-lab-broker"));
    const start = panel().getByRole("button", { name: `Start broker ${stopped}`, exact: true });
    const wasBusy = await recordBusy(start);
    await start.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => brokerRow(stopped).getAttribute("data-state"), { timeout: 10_000 }).not.toBe("stopped");
    const state = await brokerRow(stopped).getAttribute("data-state");
    if (state === "starting") {
      const animation = await brokerRow(stopped)
        .locator("[data-lab-broker-state]")
        .evaluate((element) => getComputedStyle(element, "::before").animationName);
      expect(animation).toBe("none");
    }
    await expect.poll(() => brokerRow(stopped).getAttribute("data-state"), { timeout: 90_000 }).toBe("up");
    expect(await wasBusy()).toBe(true);
    await expect.poll(async () => (await said()).at(-1)).toBe("Your lab is ready: brokers 1, 2 and 3 are up.");
    // Never a flood: each change said once, a few sentences from the start of the lab to here.
    const sentences = await said();
    expect(sentences.length, sentences.join("\n")).toBeLessThanOrEqual(10);
    expect(sentences.filter((sentence, i) => sentence === sentences[i - 1])).toEqual([]);

    // The solution may still be sending: the learner stops it first, as they would before putting the lab away.
    if ((await exercise().getAttribute("data-running")) === "true") {
      await exercise().locator("button[data-action=stop]").click();
      await expect.poll(() => exercise().getAttribute("data-running"), { timeout: 30_000 }).toBe("false");
    }
    // Stop lab, from the button that started it: said at once, then every broker goes, and Start lab is back
    // under the focus.
    await panel().locator("button[data-lab-action]").focus();
    await page.keyboard.press("Enter");
    await expect.poll(async () => (await said()).at(-1)).toMatch(/^(Stopping your lab…|Your lab is not running)/);
    await expect.poll(phase, { timeout: 60_000 }).toBe("off");
    expect(await focused()).toBe("Start lab");
    for (const id of [1, 2, 3]) expect(await brokerRow(id).getAttribute("data-state")).toBe("off");
  });
});
