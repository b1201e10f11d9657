// Debian's Chromium, driven headless by playwright-core.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Where Chromium is: TRIBUTARY_CHROMIUM, or Debian's package. */
export function chromiumPath(): string {
  const candidates = [process.env.TRIBUTARY_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean) as string[];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error("Chromium is not installed. On Debian/Ubuntu: `apt-get install chromium`; or set TRIBUTARY_CHROMIUM to its path.");
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // --no-sandbox: CI runs as root, where Chromium's own sandbox cannot start.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"],
  });
}
