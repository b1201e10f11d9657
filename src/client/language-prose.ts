// Shows the lesson prose written for the language the learner writes in (<ForLanguage>), and follows
// them when they switch language in any exercise of the page.
import { loadLanguage } from "./saved-code.ts";

/** Fired on window with the language's id when the learner picks another language. */
export const LANGUAGE_CHANGED = "tributary:language";

function show(language: string): void {
  const blocks = [...document.querySelectorAll<HTMLElement>("[data-for-language]")];
  const offered = new Set(blocks.map((block) => block.dataset.forLanguage));
  // Prose for a language the page does not cover falls back to TypeScript's.
  const shown = offered.has(language) ? language : "typescript";
  for (const block of blocks) {
    block.hidden = block.dataset.forLanguage !== shown;
    block.classList.add("for-language-chosen");
  }
}

let listening = false;

export function showProseForLanguage(): void {
  show(loadLanguage() ?? "typescript");
  if (listening) return;
  listening = true;
  window.addEventListener(LANGUAGE_CHANGED, (event) => show((event as CustomEvent<string>).detail));
}
