// Brings each exercise on the page to life: editor, terminal, Run/Stop/Reset/Check.
// The page is readable without this script; the editor and terminal load when the exercise is near view.
import { fetchProgress, fetchSolution, gradeExercise, startRun, stopRun, watchRun, SandboxError, type Progress } from "./sandbox-api.ts";
import { loadSavedCode, saveCode } from "./saved-code.ts";
import { showVerdict, showVerdictProblem } from "./verdict-view.ts";
import type { CodeEditor } from "./code-editor.ts";
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
  readonly starter: string;
  /** What the learner writes; SQL runs on Flink and its errors become editor markers. */
  readonly language: "typescript" | "sql";
  readonly ui: ExerciseElements;
  #code: string;
  #editor?: CodeEditor;
  #terminal?: Promise<RunTerminal>;
  #runId?: string;
  #unwatch?: () => void;

  constructor(root: HTMLElement) {
    this.id = root.dataset.exercise!;
    this.language = root.dataset.language === "sql" ? "sql" : "typescript";
    this.starter = JSON.parse(find<HTMLScriptElement>(root, "script[data-starter]").textContent ?? '""') as string;
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
    };
    this.#code = loadSavedCode(this.id) ?? this.starter;
    find(root, "[data-editor] code").textContent = this.#code;
    this.ui.run.addEventListener("click", () => void this.run());
    this.ui.stop.addEventListener("click", () => void this.stop());
    this.ui.reset.addEventListener("click", () => this.reset());
    this.ui.check.addEventListener("click", () => void this.check());
    this.ui.solve.addEventListener("click", () => void this.showSolution());
    find(root, "button[data-action=close-solution]").addEventListener("click", () => this.#closeSolution());
    find(root, "button[data-action=use-solution]").addEventListener("click", () => this.#useSolution());
    for (const button of [this.ui.run, this.ui.reset, this.ui.check, this.ui.solve]) button.disabled = false;
    root.dataset.ready = "true";
    void this.#showStoredVerdict();
  }

  /** Replaces the static code listing with Monaco, keeping whatever the learner sees. */
  async loadEditor(): Promise<void> {
    if (this.#editor) return;
    const { mountCodeEditor } = await import("./code-editor.ts");
    const title = this.ui.root.querySelector("h3")?.textContent ?? this.id;
    this.#editor = mountCodeEditor(this.ui.editorHost, this.id, this.#code, `Code editor: ${title}`, this.language);
    this.#editor.onChange((code) => {
      this.#code = code;
      saveCode(this.id, code, this.starter);
    });
    this.#editor.onRunShortcut(() => void this.run());
    this.ui.root.dataset.editor = "ready";
  }

  terminal(): Promise<RunTerminal> {
    this.#terminal ??= import("./run-terminal.ts").then(({ mountRunTerminal }) => {
      this.ui.terminalHost.replaceChildren();
      return mountRunTerminal(this.ui.terminalHost);
    });
    return this.#terminal;
  }

  async run(): Promise<void> {
    if (this.#runId) return;
    this.#setRunning(true, "Starting…");
    const terminal = await this.terminal();
    terminal.clear();
    try {
      const { id, eventsUrl } = await startRun(this.id, this.#code, this.language === "sql" ? "main.sql" : "main.ts");
      this.#runId = id;
      let stderr = "";
      this.#editor?.markErrors(stderr);
      this.#setRunning(true, "Running");
      this.#unwatch = watchRun(
        eventsUrl,
        (event) => {
          if (event.type === "stdout") terminal.stdout(event.data);
          else if (event.type === "stderr") {
            terminal.stderr(event.data);
            stderr += event.data;
            this.#editor?.markErrors(stderr);
          } else if (event.type === "queued") {
            const line = event.position === 1 ? "you are next" : `${event.position - 1} ahead of you`;
            terminal.note(`— The server is busy; your run waits for a free slot (${line}).`);
            this.ui.status.textContent = `Waiting (${line})`;
          } else {
            terminal.note(`— ${event.message} (${(event.durationMs / 1000).toFixed(1)} s)`);
            this.#finished(event.message);
          }
        },
        () => {
          terminal.note("— Lost the connection to this run.");
          this.#finished("Lost the connection to the run.");
        },
      );
    } catch (error) {
      const message = error instanceof SandboxError ? error.message : String(error);
      terminal.stderr(message + "\n");
      this.#finished(message);
    }
  }

  async stop(): Promise<void> {
    if (!this.#runId) return;
    this.ui.stop.disabled = true;
    this.ui.status.textContent = "Stopping…";
    await stopRun(this.#runId).catch((error: unknown) => {
      this.ui.status.textContent = error instanceof Error ? error.message : String(error);
    });
  }

  #solution?: string;
  #closeDiff?: () => void;

  /** Shows the solution beside the learner's code; their code stays as it is. */
  async showSolution(): Promise<void> {
    this.ui.solve.disabled = true;
    try {
      this.#solution ??= (await fetchSolution(this.id)).solution;
      await this.loadEditor();
      const { mountSolutionDiff } = await import("./code-editor.ts");
      this.#closeDiff?.();
      this.ui.solution.hidden = false;
      this.#closeDiff = mountSolutionDiff(find(this.ui.solution, "[data-solution-editor]"), this.id, this.#code, this.#solution);
      this.ui.solution.scrollIntoView({ block: "nearest" });
    } catch (error) {
      this.ui.status.textContent = error instanceof Error ? error.message : String(error);
    } finally {
      this.ui.solve.disabled = false;
    }
  }

  #closeSolution(): void {
    this.#closeDiff?.();
    this.#closeDiff = undefined;
    this.ui.solution.hidden = true;
  }

  /** Puts the solution in the editor as one undoable edit: Ctrl-Z brings the learner's attempt back. */
  #useSolution(): void {
    if (this.#solution === undefined) return;
    this.#editor?.replaceCode(this.#solution);
    this.#code = this.#solution;
    saveCode(this.id, this.#code, this.starter);
    this.#closeSolution();
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

  reset(): void {
    this.#code = this.starter;
    saveCode(this.id, this.starter, this.starter);
    if (this.#editor) this.#editor.replaceCode(this.starter);
    else find(this.ui.root, "[data-editor] code").textContent = this.starter;
    this.ui.status.textContent = this.#editor ? "Back to the starter code (Ctrl-Z brings yours back)." : "Back to the starter code.";
  }

  async check(): Promise<void> {
    this.ui.check.disabled = true;
    this.ui.verdict.setAttribute("aria-busy", "true");
    try {
      const verdict = await gradeExercise(this.id);
      showVerdict(this.ui.verdict, verdict);
      if (verdict.status === "fail") this.#offerNextHint();
    } catch (error) {
      showVerdictProblem(this.ui.verdict, error instanceof Error ? error.message : String(error));
    } finally {
      this.ui.check.disabled = false;
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

  #setRunning(running: boolean, status: string): void {
    this.ui.run.disabled = running;
    this.ui.stop.disabled = !running;
    this.ui.root.dataset.running = String(running);
    this.ui.status.textContent = status;
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
