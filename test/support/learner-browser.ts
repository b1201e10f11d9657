// A learner at a browser for one e2e test file: a sandbox server of its own, Chromium, and one tab.
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import type { BrokerAccess } from "../../sandbox-server/src/kafka/index.ts";
import { launchChromium } from "./browser.ts";
import { startTestServer, type TestServer } from "./test-server.ts";

export interface LearnerBrowser {
  sandbox: TestServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Closes the browser, then the server. */
  close(): Promise<void>;
}

/** Starts a server against the broker and opens a desktop-sized tab whose pages may use the clipboard. */
export async function openLearnerBrowser(access: BrokerAccess): Promise<LearnerBrowser> {
  const sandbox = await startTestServer(access);
  const browser = await launchChromium().catch(async (error: unknown) => {
    await sandbox.close();
    throw error;
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await context.newPage();
  return {
    sandbox,
    browser,
    context,
    page,
    close: async () => {
      await browser.close();
      await sandbox.close();
    },
  };
}

/** Replaces the code in an exercise's editor by pasting, as a learner brings code in (typing would auto-indent). */
export async function pasteIntoEditor(exercise: Locator, code: string): Promise<void> {
  const page = exercise.page();
  await exercise.locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.evaluate((text) => navigator.clipboard.writeText(text), code);
  await page.keyboard.press("ControlOrMeta+V");
}
