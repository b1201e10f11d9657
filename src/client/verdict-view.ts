// Shows a checkpoint verdict: the overall result, then each check with what it found.
import type { Verdict } from "./sandbox-api.ts";

const LABEL = { pass: "Passed", fail: "Not yet", error: "Could not check" } as const;

/** Text whose `backticked` parts become <code>; everything stays text, so nothing can inject markup. */
function withCode(text: string): Node[] {
  return text.split("`").map((part, i) => {
    if (i % 2 === 0) return document.createTextNode(part);
    const code = document.createElement("code");
    code.textContent = part;
    return code;
  });
}

/** Renders the verdict into `host` (an aria-live region, so screen readers hear it). */
export function showVerdict(host: HTMLElement, verdict: Pick<Verdict, "status" | "message" | "checks">, when?: string): void {
  const heading = document.createElement("p");
  heading.className = "verdict-summary";
  heading.dataset.status = verdict.status;
  // A passing verdict's message already begins with "Passed:".
  const label = verdict.status === "pass" && verdict.message.startsWith("Passed") ? "" : `${LABEL[verdict.status]}: `;
  heading.append(label, ...withCode(verdict.message));
  const list = document.createElement("ul");
  list.className = "verdict-checks";
  for (const check of verdict.checks) {
    const item = document.createElement("li");
    item.dataset.status = check.status;
    item.append(`${check.status === "pass" ? "✓" : "✗"} `, ...withCode(check.title), ": ", ...withCode(check.message));
    list.append(item);
  }
  const parts: Node[] = [heading, list];
  if (when) {
    const stamp = document.createElement("p");
    stamp.className = "verdict-when";
    stamp.textContent = when;
    parts.push(stamp);
  }
  host.replaceChildren(...parts);
}

/** Shows a message in place of a verdict (the server did not answer, for example). */
export function showVerdictProblem(host: HTMLElement, message: string): void {
  const line = document.createElement("p");
  line.className = "verdict-summary";
  line.dataset.status = "error";
  line.append(...withCode(message));
  host.replaceChildren(line);
}
