// The solution beside the learner's code, opened by Solve. Keyboard users land in the panel it opens;
// Esc or Close shuts it and hands the focus back to Solve.
import { fetchSolution } from "./sandbox-api.ts";
import { isBusy, setBusy } from "./focus-handoff.ts";
import type { EditorLanguage } from "./code-editor.ts";

/** What the panel needs from its exercise. */
export interface SolutionPanelExercise {
  id: string;
  /** The learner's code and language, as they are now. */
  code(): string;
  language(): EditorLanguage;
  /** Loads the learner's editor, so the solution can be put in it. */
  loadEditor(): Promise<void>;
  /** Puts the solution in the learner's editor and gives it the focus. */
  useSolution(solution: string): void;
  /** Says what went wrong, where the exercise shows its status. */
  report(message: string): void;
}

export class SolutionPanel {
  readonly #panel: HTMLElement;
  readonly #solve: HTMLButtonElement;
  readonly #exercise: SolutionPanelExercise;
  /** The solution in the language it was fetched for; a language switch forgets it. */
  #solution?: string;
  #closeDiff?: () => void;

  constructor(panel: HTMLElement, solve: HTMLButtonElement, exercise: SolutionPanelExercise) {
    this.#panel = panel;
    this.#solve = solve;
    this.#exercise = exercise;
    solve.addEventListener("click", () => void this.open());
    panel.querySelector("button[data-action=close-solution]")?.addEventListener("click", () => this.close({ focusSolve: true }));
    panel.querySelector("button[data-action=use-solution]")?.addEventListener("click", () => this.#use());
    panel.addEventListener("keydown", (event) => {
      // The diff editor keeps an Escape it uses itself (closing its find widget, say): only one it left alone closes the panel.
      if (event.key !== "Escape" || event.defaultPrevented) return;
      event.preventDefault();
      this.close({ focusSolve: true });
    });
  }

  /** Shows the solution beside the learner's code; their code stays as it is. */
  async open(): Promise<void> {
    if (isBusy(this.#solve)) return;
    setBusy(this.#solve, true);
    try {
      this.#solution ??= (await fetchSolution(this.#exercise.id, this.#exercise.language())).solution;
      await this.#exercise.loadEditor();
      const { mountSolutionDiff } = await import("./code-editor.ts");
      this.#closeDiff?.();
      this.#panel.hidden = false;
      const host = this.#panel.querySelector<HTMLElement>("[data-solution-editor]")!;
      this.#closeDiff = mountSolutionDiff(host, this.#exercise.id, this.#exercise.code(), this.#solution, this.#exercise.language());
      // Solve's result is the panel: a keyboard user goes on there (Tab reaches the diff and the panel's buttons).
      if (document.activeElement === this.#solve) this.#panel.focus({ preventScroll: true });
      this.#panel.scrollIntoView({ block: "nearest" });
    } catch (error) {
      this.#exercise.report(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(this.#solve, false);
    }
  }

  /** Hides the panel; `focusSolve` hands the focus back to Solve, when the panel held it. */
  close({ focusSolve = false } = {}): void {
    const heldFocus = this.#panel.contains(document.activeElement);
    this.#closeDiff?.();
    this.#closeDiff = undefined;
    this.#panel.hidden = true;
    if (focusSolve && heldFocus) this.#solve.focus();
  }

  /** Forgets the fetched solution and closes the panel: the learner now writes in another language. */
  forget(): void {
    this.#solution = undefined;
    this.close();
  }

  #use(): void {
    if (this.#solution === undefined) return;
    const solution = this.#solution;
    this.close();
    this.#exercise.useSolution(solution);
  }
}
