// Shows a checkpoint verdict: the overall result, then each check with what it found.
import type { Verdict } from "./sandbox-api.ts";
import { LANGUAGES } from "#contract/languages";

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
/** Which run the verdict judged, and anything to know about that choice. */
function judgedRunLine(verdict: Pick<Verdict, "run" | "note">): HTMLElement | undefined {
  if (!verdict.run && !verdict.note) return undefined;
  const line = document.createElement("p");
  line.className = "verdict-run";
  const parts: string[] = [];
  if (verdict.run) {
    const started = new Date(verdict.run.startedAt).toLocaleTimeString();
    parts.push(`Judged your ${LANGUAGES[verdict.run.language].label} run started at ${started}${verdict.run.endedAt ? "" : " (still running)"}.`);
  }
  if (verdict.note) parts.push(verdict.note.replace(/started at (\S+)\./, (_, iso: string) => `started at ${new Date(iso).toLocaleTimeString()}.`));
  line.textContent = parts.join(" ");
  return line;
}

export function showVerdict(
  host: HTMLElement,
  verdict: Pick<Verdict, "status" | "message" | "checks"> & Partial<Pick<Verdict, "run" | "note">>,
  when?: string,
): void {
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
  const judged = judgedRunLine(verdict);
  if (judged) parts.push(judged);
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
