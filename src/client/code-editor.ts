// The Monaco editor, loaded only when an exercise scrolls into view: it is most of the page's
// JavaScript, and the lesson text must not wait for it.
import * as monaco from "monaco-editor/editor/editor.api.js";
import { LANGUAGES, entryFile, type Language } from "#contract/languages";
import "./editor-features.ts";
import {
  getTypeScriptWorker,
  typescriptDefaults,
  ModuleKind,
  ModuleResolutionKind,
  ScriptTarget,
} from "monaco-editor/languages/features/typescript/register.js";
import { markSqlErrors, registerFlinkSql } from "./flink-sql.ts";
import EditorWorker from "monaco-editor/editor/editor.worker.js?worker";
import TypeScriptWorker from "monaco-editor/languages/features/typescript/ts.worker.js?worker";
import { editorLibraries } from "./editor-libraries.ts";

self.MonacoEnvironment = {
  getWorker: (_workerId: string, label: string) => (label === "typescript" || label === "javascript" ? new TypeScriptWorker() : new EditorWorker()),
};

typescriptDefaults.setCompilerOptions({
  target: ScriptTarget.ESNext,
  module: ModuleKind.ESNext,
  moduleResolution: ModuleResolutionKind.NodeJs,
  // A learner's program runs as an ES module on Node: top-level await, Node's globals, no DOM.
  lib: ["esnext"],
  types: ["node"],
  strict: true,
  noEmit: true,
  allowNonTsExtensions: true,
});
typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
typescriptDefaults.setExtraLibs(Object.entries(editorLibraries).map(([filePath, content]) => ({ filePath, content })));

/** Options every editor on the page shares: code wraps rather than running off the side. */
const readable: monaco.editor.IEditorOptions = {
  automaticLayout: true,
  minimap: { enabled: false },
  scrollBeyondLastLine: false,
  wordWrap: "on",
  wrappingIndent: "same",
  lineNumbersMinChars: 3,
  // Unused names would be drawn faded, below readable contrast; the type checker still lists real errors.
  showUnused: false,
  fixedOverflowWidgets: true,
};

// Monaco's light theme colours some SQL tokens below readable contrast on white (strings pure red 4.0:1,
// built-in functions magenta 3.1:1, operators slate 3.6:1): the same hues, darkened to at least 4.5:1.
let themeDefined = false;
function defineReadableTheme(): void {
  if (themeDefined) return;
  themeDefined = true;
  monaco.editor.defineTheme("tributary", {
    base: "vs",
    inherit: true,
    rules: [
      { token: "string.sql", foreground: "A31515" },
      { token: "predefined.sql", foreground: "8B008B" },
      { token: "operator.sql", foreground: "4A5866" },
    ],
    colors: {},
  });
  monaco.editor.setTheme("tributary");
}

/** The languages an exercise may be written in: the course's own list. */
export type EditorLanguage = Language;

const modelUri = (exerciseId: string, language: EditorLanguage) => monaco.Uri.parse(`file:///exercises/${exerciseId}/${entryFile(language)}`);

export interface CodeEditor {
  getCode(): string;
  /** Shows the exercise in another language, with `code` in it (the other language's text is kept aside). */
  switchLanguage(language: EditorLanguage, code: string): void;
  /** Marks the line a run failed at (from its traceback); undefined clears the mark. */
  markFailure(failure: { line: number; message: string } | undefined): void;
  /** Replaces the code as one edit, so Ctrl-Z brings the learner's version back. */
  replaceCode(code: string): void;
  /** Gives the editor the keyboard's focus (Tab then moves on, as when it is reached with Tab). */
  focus(): void;
  onChange(listener: (code: string) => void): void;
  /** Ctrl/Cmd-Enter. */
  onRunShortcut(listener: () => void): void;
  /** Called when what Tab does changes: true when Tab moves focus out of the editor. */
  onTabMovesFocus(listener: (movesFocus: boolean) => void): void;
  /** The code's errors, the same it underlines in red: the type checker's (TypeScript), or the last run's (SQL). */
  problems(): Promise<CodeProblem[]>;
  /** Marks where a run's errors point (SQL: the runner names line and column); clears old marks. */
  markErrors(stderr: string): void;
}

export interface CodeProblem {
  line: number;
  message: string;
}

const flatten = (text: string | { messageText: string; next?: { messageText: string }[] }): string =>
  typeof text === "string" ? text : [text.messageText, ...(text.next ?? []).map(flatten)].join(" ");

/** The learner's code beside the solution, read-only, differences marked. Returns a function that removes it. */
export function mountSolutionDiff(
  host: HTMLElement,
  exerciseId: string,
  mine: string,
  solution: string,
  language: EditorLanguage = "typescript",
): () => void {
  const { extension } = LANGUAGES[language];
  defineReadableTheme();
  const original = monaco.editor.createModel(mine, language, monaco.Uri.parse(`file:///compare/${exerciseId}/yours.${extension}`));
  const modified = monaco.editor.createModel(solution, language, monaco.Uri.parse(`file:///compare/${exerciseId}/solution.${extension}`));
  host.replaceChildren();
  const diff = monaco.editor.createDiffEditor(host, {
    ...readable,
    readOnly: true,
    originalEditable: false,
    renderSideBySide: true,
    // Below this width the two versions are shown one above the other, so neither is cut off.
    useInlineViewWhenSpaceIsLimited: true,
    renderSideBySideInlineBreakpoint: 760,
    diffWordWrap: "on",
    // Show what differs, with a little context; the learner can unfold the rest.
    hideUnchangedRegions: { enabled: true, contextLineCount: 3 },
    fontSize: 13,
    tabFocusMode: true,
    ariaLabel: "Your code beside the solution",
  });
  diff.setModel({ original, modified });
  return () => {
    diff.dispose();
    original.dispose();
    modified.dispose();
  };
}

/**
 * Mounts an editor for one exercise's main.ts (or main.py) into `host`, replacing what the host showed before.
 *
 * Tab: an editor reached with the keyboard lets Tab move on to the next control, so it never traps
 * focus nor adds spaces nobody asked for. Once the learner types (or clicks into the code), Tab
 * indents; Escape gives Tab back to the page, as in most web editors.
 */
export function mountCodeEditor(
  host: HTMLElement,
  exerciseId: string,
  code: string,
  label: string,
  language: EditorLanguage = "typescript",
): CodeEditor {
  if (language === "sql") registerFlinkSql();
  defineReadableTheme();
  const uri = modelUri(exerciseId, language);
  let model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(code, language, uri);
  const changeListeners: ((code: string) => void)[] = [];
  const listen = () =>
    void model.onDidChangeContent(() => {
      for (const listener of changeListeners) listener(model.getValue());
    });
  listen();
  host.replaceChildren();
  // On a phone every column counts: a slightly smaller font and no folding gutter.
  const narrow = host.clientWidth < 480;
  const editor = monaco.editor.create(host, {
    ...readable,
    model,
    fontSize: narrow ? 13 : 14,
    folding: !narrow,
    lineDecorationsWidth: narrow ? 4 : 10,
    tabSize: language === "python" ? 4 : 2,
    ariaLabel: label,
    tabFocusMode: true,
  });
  /** The line of the run's first error, once brought into view. */
  let revealedErrorLine: number | undefined;
  const tabListeners: ((movesFocus: boolean) => void)[] = [];
  let tabMovesFocus = true;
  const setTabMovesFocus = (movesFocus: boolean) => {
    if (movesFocus === tabMovesFocus) return;
    tabMovesFocus = movesFocus;
    editor.updateOptions({ tabFocusMode: movesFocus });
    for (const listener of tabListeners) listener(movesFocus);
  };
  let pointerDown = false;
  editor.onMouseDown(() => {
    pointerDown = true;
    setTabMovesFocus(false);
  });
  editor.onDidFocusEditorText(() => {
    if (!pointerDown) setTabMovesFocus(true);
    pointerDown = false;
  });
  editor.onKeyDown((event) => {
    if (event.keyCode === monaco.KeyCode.Escape) setTabMovesFocus(true);
    // Typing means editing: from now on Tab indents, until Escape.
    else if (
      tabMovesFocus &&
      !event.ctrlKey &&
      !event.metaKey &&
      !event.altKey &&
      (event.browserEvent.key.length === 1 || event.keyCode === monaco.KeyCode.Enter || event.keyCode === monaco.KeyCode.Backspace)
    )
      setTabMovesFocus(false);
  });
  return {
    getCode: () => model.getValue(),
    replaceCode: (next) => {
      editor.pushUndoStop();
      editor.executeEdits("reset", [{ range: model.getFullModelRange(), text: next }]);
      editor.pushUndoStop();
    },
    focus: () => editor.focus(),
    onChange: (listener) => void changeListeners.push(listener),
    switchLanguage: (next, text) => {
      const nextUri = modelUri(exerciseId, next);
      const existing = monaco.editor.getModel(nextUri);
      if (existing) existing.setValue(text);
      model = existing ?? monaco.editor.createModel(text, next, nextUri);
      if (!existing) listen();
      editor.setModel(model);
      editor.updateOptions({ tabSize: next === "python" ? 4 : 2 });
    },
    markFailure: (failure) => {
      monaco.editor.setModelMarkers(
        model,
        "run",
        failure
          ? [
              {
                startLineNumber: failure.line,
                endLineNumber: failure.line,
                startColumn: 1,
                endColumn: model.getLineMaxColumn(failure.line),
                message: failure.message,
                severity: monaco.MarkerSeverity.Error,
              },
            ]
          : [],
      );
      if (failure) editor.revealLineInCenterIfOutsideViewport(failure.line);
    },
    onRunShortcut: (listener) => editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, listener),
    onTabMovesFocus: (listener) => void tabListeners.push(listener),
    problems: async () => {
      // Flink's errors come from a run, marked where they point; they move with the learner's edits.
      if (model.getLanguageId() === "sql") {
        return monaco.editor
          .getModelMarkers({ resource: model.uri, owner: "flink" })
          .map((marker) => ({ line: marker.startLineNumber, message: marker.message }));
      }
      // Only TypeScript has a checker in the page; Python's errors come from its run (markFailure).
      if (model.getLanguageId() !== "typescript") return [];
      const worker = await (await getTypeScriptWorker())(model.uri);
      const file = model.uri.toString();
      const found = [...(await worker.getSyntacticDiagnostics(file)), ...(await worker.getSemanticDiagnostics(file))];
      return found.map((problem) => ({ line: model.getPositionAt(problem.start ?? 0).lineNumber, message: flatten(problem.messageText) }));
    },
    markErrors: (stderr) => {
      if (model.getLanguageId() !== "sql") return;
      const line = markSqlErrors(model, stderr);
      // The learner's cursor is often far from the statement Flink refused (after a paste, at the end):
      // bring the marked line into view once, and leave the scrolling to them after that.
      if (line !== undefined && line !== revealedErrorLine) editor.revealLineInCenterIfOutsideViewport(line);
      revealedErrorLine = line;
    },
  };
}
