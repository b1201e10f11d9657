// Brings each exercise on the page to life: editor, terminal, Run/Stop/Reset/Check.
// The page is readable without this script; the editor and terminal load when the exercise is near view.
import {
  fetchProgress,
  gradeExercise,
  openExercise,
  startExerciseOver,
  startRun,
  stopRun,
  watchRun,
  SandboxError,
  type Progress,
} from "./sandbox-api.ts";
import { entryFile } from "#contract/languages";
import { LANGUAGE_CHANGED } from "./language-prose.ts";
import { loadLanguage, loadSavedCode, saveCode, saveLanguage } from "./saved-code.ts";
import { failedLine } from "./python-traceback.ts";
import { showVerdict, showVerdictProblem } from "./verdict-view.ts";
import { disableHandingFocusTo, isBusy, setBusy } from "./focus-handoff.ts";
import { SolutionPanel } from "./solution-panel.ts";
import { RUN_REFUSED } from "./fault-lab/lab-signals.ts";
import type { CodeEditor, EditorLanguage } from "./code-editor.ts";

import type { RunTerminal } from "./run-terminal.ts";

interface ExerciseElements {
  root: HTMLElement;
  editorHost: HTMLElement;
  terminalHost: HTMLElement;
  status: HTMLElement;
  verdict: HTMLElement;
  run: HTMLButtonElement;
  stop: HTMLButtonElement;
  reset: HTMLButtonElement;
  check: HTMLButtonElement;
  solve: HTMLButtonElement;
  solution: HTMLElement;
  /** The language switch; absent when the exercise is offered in TypeScript only. */
  language: HTMLSelectElement | null;
  /** Says, beside the language switch, why it is disabled while a run is active. */
  languageNote: HTMLElement | null;
  /** A polite live region: what a screen reader should hear once (a verdict, what Tab does now). */
  announce: HTMLElement;
  problems: HTMLElement;
}

function find<T extends Element>(root: Element, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`The exercise markup has no ${selector}.`);
  return element;
}

let progress: Promise<Progress | undefined> | undefined;
const learnerProgress = () => (progress ??= fetchProgress().catch(() => undefined));

class ExerciseIsland {
  readonly id: string;
  /** The starter in every language the exercise is offered in. */
  readonly starters: Partial<Record<EditorLanguage, string>>;
  #language: EditorLanguage = "typescript";
  readonly ui: ExerciseElements;
  #code: string;
  #editor?: CodeEditor;
  #terminal?: Promise<RunTerminal>;
  #runId?: string;
  #unwatch?: () => void;
  readonly #solution: SolutionPanel;

  constructor(root: HTMLElement) {
    this.id = root.dataset.exercise!;
    const starter = JSON.parse(find<HTMLScriptElement>(root, "script[data-starter]").textContent ?? '""') as string;
    const starters = root.querySelector<HTMLScriptElement>("script[data-starters]")?.textContent;
    this.starters = starters ? (JSON.parse(starters) as Partial<Record<EditorLanguage, string>>) : { typescript: starter };
    // A Flink SQL exercise is written in SQL only; elsewhere the learner's chosen language, where offered.
    if (root.dataset.language === "sql") this.#language = "sql";
    const preferred = loadLanguage() as EditorLanguage | undefined;
    if (preferred && this.starters[preferred] !== undefined) this.#language = preferred;
    this.ui = {
      root,
      editorHost: find(root, "[data-editor]"),
      terminalHost: find(root, "[data-terminal]"),
      status: find(root, "[data-run-status]"),
      verdict: find(root, "[data-verdict]"),
      run: find(root, "button[data-action=run]"),
      stop: find(root, "button[data-action=stop]"),
      reset: find(root, "button[data-action=reset]"),
      check: find(root, "button[data-action=check]"),
      solve: find(root, "button[data-action=solve]"),
      solution: find(root, "[data-solution]"),
      language: root.querySelector<HTMLSelectElement>("select[data-language]"),
      languageNote: root.querySelector<HTMLElement>("[data-language-note]"),
      announce: find(root, "[data-announce]"),
      problems: find(root, "[data-problems]"),
    };
    this.#code = loadSavedCode(this.#codeKey) ?? this.starter;
    if (this.ui.language) {
      this.ui.language.value = this.#language;
      this.ui.language.disabled = false;
      this.ui.language.addEventListener("change", () => this.switchLanguage(this.ui.language!.value as EditorLanguage));
    }
    find(root, "[data-editor] code").textContent = this.#code;
    this.ui.run.addEventListener("click", () => void this.run());
    this.ui.stop.addEventListener("click", () => void this.stop());
    this.ui.reset.addEventListener("click", () => this.reset());
    this.ui.check.addEventListener("click", () => void this.check());
    this.#solution = new SolutionPanel(this.ui.solution, this.ui.solve, {
      id: this.id,
      code: () => this.#code,
      language: () => this.#language,
      loadEditor: () => this.loadEditor(),
      useSolution: (solution) => this.#useSolution(solution),
      report: (message) => {
        this.ui.status.textContent = message;
      },
    });
    const widen = find<HTMLButtonElement>(root, "button[data-action=widen]");
    widen.addEventListener("click", () => {
      const wide = root.dataset.wide !== "true";
      root.dataset.wide = String(wide);
      widen.setAttribute("aria-pressed", String(wide));
    });
    for (const button of [this.ui.run, this.ui.reset, this.ui.check, this.ui.solve]) button.disabled = false;
    const startOver = root.querySelector<HTMLButtonElement>("button[data-action=start-over]");
    if (startOver) {
      startOver.disabled = false;
      startOver.addEventListener("click", () => void this.startOver(startOver));
    }
    this.#showHintsOf(this.#language);
    root.dataset.ready = "true";
    void this.#showStoredVerdict();
  }

  get starter(): string {
    return this.starters[this.#language] ?? "";
  }

  /** Where this language's code is saved: TypeScript keeps the exercise's own key, as before languages. */
  get #codeKey(): string {
    return this.#language === "typescript" ? this.id : `${this.id}:${this.#language}`;
  }

  /** Shows the exercise in another language, with the learner's last code in it; the choice is remembered. */
  switchLanguage(language: EditorLanguage): void {
    // The switch is disabled while a run is active (the run is of the code shown); this guards a stray event.
    if (language === this.#language || this.starters[language] === undefined || this.ui.root.dataset.running === "true") {
      if (this.ui.language) this.ui.language.value = this.#language;
      return;
    }
    this.#language = language;
    saveLanguage(language);
    window.dispatchEvent(new CustomEvent(LANGUAGE_CHANGED, { detail: language }));
    this.#code = loadSavedCode(this.#codeKey) ?? this.starter;
    this.#solution.forget();
    if (this.#editor) {
      this.#editor.switchLanguage(language, this.#code);
      this.#listProblemsSoon(0);
    } else find(this.ui.root, "[data-editor] code").textContent = this.#code;
    this.ui.root.dataset.language = language;
    this.#showHintsOf(language);
    this.ui.status.textContent = language === "python" ? "Python (kafka-python)." : "TypeScript (kafkajs).";
  }

  /** Replaces the static code listing with Monaco, keeping whatever the learner sees. */
  async loadEditor(): Promise<void> {
    if (this.#editor) return;
    // A Flink SQL exercise near view: the server starts warming a runner now, so Run waits for none.
    if (this.ui.root.dataset.language === "sql") void openExercise(this.id).catch(() => {});
    const { mountCodeEditor } = await import("./code-editor.ts");
    const title = this.ui.root.querySelector("h3")?.textContent ?? this.id;
    const label = `Code editor: ${title}. Tab moves on until you type; then Escape gives Tab back.`;
    const editor = (this.#editor = mountCodeEditor(this.ui.editorHost, this.id, this.#code, label, this.#language));
    editor.onChange((code) => {
      this.#code = code;
      saveCode(this.#codeKey, code, this.starter);
      this.#listProblemsSoon();
    });
    editor.onRunShortcut(() => void this.run());
    editor.onTabMovesFocus((movesFocus) => {
      this.ui.announce.textContent = movesFocus ? "Tab now moves out of the editor." : "Tab now indents.";
    });
    this.ui.root.dataset.editor = "ready";
    this.#listProblemsSoon(0);
  }

  #problemsTimer?: ReturnType<typeof setTimeout>;

  /** Lists the type checker's errors under the editor, in words, a moment after the code stops changing. */
  #listProblemsSoon(delayMs = 800): void {
    clearTimeout(this.#problemsTimer);
    // No count while the code waits to be checked: the count always belongs to the code in the editor.
    delete this.ui.problems.dataset.count;
    this.#problemsTimer = setTimeout(async () => {
      const problems = await this.#editor?.problems().catch((error: unknown) => {
        // The type checker's worker is still starting, or failed to: ask again a little later.
        console.warn(`Could not check ${this.id} for errors:`, error);
        this.#listProblemsSoon(3000);
        return undefined;
      });
      if (!problems) return;
      const host = this.ui.problems;
      host.dataset.count = String(problems.length);
      host.replaceChildren();
      if (problems.length === 0) return;
      const summary = document.createElement("p");
      summary.textContent = `${problems.length === 1 ? "1 problem" : `${problems.length} problems`} in your code (F8 in the editor goes to the next):`;
      const list = document.createElement("ul");
      for (const problem of problems.slice(0, 5)) {
        const item = document.createElement("li");
        item.textContent = `line ${problem.line}: ${problem.message}`;
        list.append(item);
      }
      host.append(summary, list);
    }, delayMs);
  }

  terminal(): Promise<RunTerminal> {
    this.#terminal ??= import("./run-terminal.ts").then(({ mountRunTerminal }) => mountRunTerminal(this.ui.terminalHost));
    return this.#terminal;
  }

  async run(): Promise<void> {
    if (this.#runId) return;
    this.#setRunning(true, "Starting…");
    const terminal = await this.terminal();
    terminal.clear();
    this.#editor?.markFailure(undefined);
    try {
      const { id, eventsUrl } = await startRun(this.id, this.#code, entryFile(this.#language));
      this.#runId = id;
      let stderr = "";
      this.#editor?.markErrors(stderr);
      if (this.#language === "sql") this.#listProblemsSoon(0);
      this.#setRunning(true, "Running");
      this.#unwatch = watchRun(
        eventsUrl,
        (event) => {
          if (event.type === "stdout") terminal.stdout(event.data);
          else if (event.type === "stderr") {
            terminal.stderr(event.data);
            stderr = (stderr + event.data).slice(-16_384);
            this.#editor?.markErrors(stderr);
            // SQL errors are listed in words under the editor too, for those who cannot see the marks.
            if (this.#language === "sql") this.#listProblemsSoon(0);
          } else if (event.type === "queued") {
            const line = event.position === 1 ? "you are next" : `${event.position - 1} ahead of you`;
            const what = {
              slot: "a free slot",
              memory: "memory that running programs hold",
              cpu: "cores that running programs hold",
              turn: "its turn",
            }[event.waitingFor ?? "slot"];
            terminal.note(`— The server is busy; your run waits for ${what} (${line}).`);
            this.ui.status.textContent = `Waiting (${line})`;
          } else {
            terminal.note(`— ${event.message} (${(event.durationMs / 1000).toFixed(1)} s)`);
            // A Python traceback names the line it failed at: mark it in the editor.
            if (this.#language === "python") this.#editor?.markFailure(failedLine(stderr, [entryFile("python")]));
            // The exit message speaks of "the error above", true in the terminal; the status sits above the code.
            this.#finished(event.reason === "compile-error" ? "Did not run: the error in the output below says what to fix." : event.message);
          }
        },
        () => {
          terminal.note("— Lost the connection to this run.");
          this.#finished("Lost the connection to the run.");
        },
      );
    } catch (error) {
      const message = error instanceof SandboxError ? error.message : String(error);
      terminal.stderr(`${message}\n`);
      this.#finished(message);
      // Refused (a lab exercise whose lab is not ready, say): the exercise's lab panel reads the lab again.
      if (error instanceof SandboxError && error.status !== 0) this.ui.root.dispatchEvent(new CustomEvent(RUN_REFUSED));
    }
  }

  async stop(): Promise<void> {
    if (!this.#runId || isBusy(this.ui.stop)) return;
    // Busy, not disabled, until the run has ended: then Run comes back and takes the focus from Stop.
    setBusy(this.ui.stop, true);
    this.ui.status.textContent = "Stopping…";
    await stopRun(this.#runId).catch((error: unknown) => {
      setBusy(this.ui.stop, false);
      this.ui.status.textContent = error instanceof Error ? error.message : String(error);
    });
  }

  /** Puts the solution in the editor as one undoable edit: Ctrl-Z brings the learner's attempt back. */
  #useSolution(solution: string): void {
    this.#editor?.replaceCode(solution);
    this.#editor?.focus();
    this.#code = solution;
    saveCode(this.#codeKey, this.#code, this.starter);
    this.ui.status.textContent = "The solution is in the editor (Ctrl-Z brings yours back).";
  }

  /** After a failed check, opens the next hint the learner has not opened yet, and says so. */
  #offerNextHint(): void {
    const closed = [...this.ui.root.querySelectorAll<HTMLDetailsElement>(".hints details")].find((hint) => !hint.open);
    if (!closed) return;
    closed.open = true;
    const note = document.createElement("p");
    note.className = "verdict-hint";
    note.textContent = `${closed.querySelector("summary")?.textContent ?? "A hint"} is open below.`;
    this.ui.verdict.append(note);
  }

  /** Shows the hints written for this language, and hides the others'. */
  #showHintsOf(language: EditorLanguage): void {
    for (const hints of this.ui.root.querySelectorAll<HTMLElement>("[data-hints-language]")) hints.hidden = hints.dataset.hintsLanguage !== language;
  }

  /** After the learner confirms, deletes this exercise's topics and groups (theirs only) and says what went. */
  async startOver(button: HTMLButtonElement): Promise<void> {
    const status = this.ui.root.querySelector<HTMLElement>("[data-start-over-status]")!;
    const owned = button.dataset.owned ?? "this exercise's topics and groups";
    if (isBusy(button)) return;
    if (!window.confirm(`Start this exercise over? This stops your runs of it and deletes your ${owned}. Your code and your progress stay.`)) return;
    setBusy(button, true);
    status.textContent = "Starting over…";
    try {
      const { deleted, stoppedRuns } = await startExerciseOver(this.id);
      const names = [...deleted.topics.map((topic) => `topic ${topic}`), ...deleted.groups.map((group) => `group ${group}`)];
      const stopped = stoppedRuns > 0 ? `Stopped ${stoppedRuns === 1 ? "your run" : `${stoppedRuns} runs`}; ` : "";
      status.textContent = `${stopped}${names.length ? `deleted your ${names.join(", ")}.` : "there was nothing of yours to delete."} The next run starts afresh.`;
    } catch (error) {
      status.textContent = error instanceof Error ? error.message : String(error);
    } finally {
      setBusy(button, false);
    }
  }

  reset(): void {
    this.#code = this.starter;
    saveCode(this.#codeKey, this.starter, this.starter);
    if (this.#editor) this.#editor.replaceCode(this.starter);
    else find(this.ui.root, "[data-editor] code").textContent = this.starter;
    this.ui.status.textContent = this.#editor ? "Back to the starter code (Ctrl-Z brings yours back)." : "Back to the starter code.";
  }

  async check(): Promise<void> {
    if (isBusy(this.ui.check)) return;
    // Busy, not disabled: the focus stays on Check, and the verdict is read out when it comes.
    setBusy(this.ui.check, true);
    this.ui.verdict.setAttribute("aria-busy", "true");
    try {
      const verdict = await gradeExercise(this.id);
      showVerdict(this.ui.verdict, verdict);
      if (verdict.status === "fail") this.#offerNextHint();
    } catch (error) {
      showVerdictProblem(this.ui.verdict, error instanceof Error ? error.message : String(error));
    } finally {
      // The verdict area is not live (a stored verdict shown on load is no news): its summary is read out once.
      this.ui.announce.textContent = this.ui.verdict.querySelector(".verdict-summary")?.textContent ?? "";
      setBusy(this.ui.check, false);
      this.ui.verdict.removeAttribute("aria-busy");
    }
  }

  async #showStoredVerdict(): Promise<void> {
    const stored = (await learnerProgress())?.verdicts.find((verdict) => verdict.exerciseId === this.id);
    if (!stored || this.ui.verdict.childElementCount > 0) return;
    const when = stored.firstPassedAt ? `First passed ${new Date(stored.firstPassedAt).toLocaleString()}.` : undefined;
    showVerdict(this.ui.verdict, stored, `Last checked ${new Date(stored.gradedAt).toLocaleString()}. ${when ?? ""}`.trim());
  }

  #finished(status: string): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#runId = undefined;
    this.#setRunning(false, status);
  }

  /** Run gives way to Stop and back; whichever of them held the focus hands it to the other. */
  #setRunning(running: boolean, status: string): void {
    const { run, stop } = this.ui;
    setBusy(stop, false);
    if (running) {
      stop.disabled = false;
      disableHandingFocusTo(run, stop);
    } else {
      run.disabled = false;
      disableHandingFocusTo(stop, run);
    }
    this.ui.root.dataset.running = String(running);
    this.#lockLanguage(running);
    this.ui.status.textContent = status;
  }

  /** The language switch is disabled while a run is active, and says so beside it, until the run ends. */
  #lockLanguage(locked: boolean): void {
    if (!this.ui.language) return;
    this.ui.language.disabled = locked;
    if (this.ui.languageNote) this.ui.languageNote.textContent = locked ? "Stop the run to change the language." : "";
  }
}

/** Mounts every exercise on the page; editors load as their exercise comes near the viewport. */
export function mountExercises(): void {
  const islands = [...document.querySelectorAll<HTMLElement>("[data-exercise]")].map((root) => new ExerciseIsland(root));
  const byRoot = new Map(islands.map((island) => [island.ui.root, island]));
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        const island = byRoot.get(entry.target as HTMLElement);
        void island?.loadEditor();
        void island?.terminal();
      }
    },
    { rootMargin: "200px" },
  );
  for (const island of islands) observer.observe(island.ui.root);
}
