// The Monaco editor, loaded only when an exercise scrolls into view: it is most of the page's
// JavaScript, and the lesson text must not wait for it.
import * as monaco from "monaco-editor/editor/editor.api.js";
import "./editor-features.ts";
import { getTypeScriptWorker, typescriptDefaults, ModuleKind, ModuleResolutionKind, ScriptTarget } from "monaco-editor/languages/features/typescript/register.js";
import EditorWorker from "monaco-editor/editor/editor.worker.js?worker";
import TypeScriptWorker from "monaco-editor/languages/features/typescript/ts.worker.js?worker";
import { editorLibraries } from "./editor-libraries.ts";

self.MonacoEnvironment = {
  getWorker: (_workerId: string, label: string) =>
    label === "typescript" || label === "javascript" ? new TypeScriptWorker() : new EditorWorker(),
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

export interface CodeEditor {
  getCode(): string;
  /** Replaces the code as one edit, so Ctrl-Z brings the learner's version back. */
  replaceCode(code: string): void;
  onChange(listener: (code: string) => void): void;
  /** Ctrl/Cmd-Enter. */
  onRunShortcut(listener: () => void): void;
  /** Called when what Tab does changes: true when Tab moves focus out of the editor. */
  onTabMovesFocus(listener: (movesFocus: boolean) => void): void;
  /** Asks the type checker for the code's errors, the same it underlines in red. */
  problems(): Promise<CodeProblem[]>;
}

export interface CodeProblem {
  line: number;
  message: string;
}

const flatten = (text: string | { messageText: string; next?: { messageText: string }[] }): string =>
  typeof text === "string" ? text : [text.messageText, ...(text.next ?? []).map(flatten)].join(" ");

/** The learner's code beside the solution, read-only, differences marked. Returns a function that removes it. */
export function mountSolutionDiff(host: HTMLElement, exerciseId: string, mine: string, solution: string): () => void {
  const original = monaco.editor.createModel(mine, "typescript", monaco.Uri.parse(`file:///compare/${exerciseId}/yours.ts`));
  const modified = monaco.editor.createModel(solution, "typescript", monaco.Uri.parse(`file:///compare/${exerciseId}/solution.ts`));
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
 * Mounts an editor for one exercise's main.ts into `host`, replacing what the host showed before.
 *
 * Tab: an editor reached with the keyboard lets Tab move on to the next control, so it never traps
 * focus nor adds spaces nobody asked for. Once the learner types (or clicks into the code), Tab
 * indents; Escape gives Tab back to the page, as in most web editors.
 */
export function mountCodeEditor(host: HTMLElement, exerciseId: string, code: string, label: string): CodeEditor {
  const uri = monaco.Uri.parse(`file:///exercises/${exerciseId}/main.ts`);
  const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(code, "typescript", uri);
  host.replaceChildren();
  // On a phone every column counts: a slightly smaller font and no folding gutter.
  const narrow = host.clientWidth < 480;
  const editor = monaco.editor.create(host, {
    ...readable,
    model,
    fontSize: narrow ? 13 : 14,
    folding: !narrow,
    lineDecorationsWidth: narrow ? 4 : 10,
    tabSize: 2,
    ariaLabel: label,
    tabFocusMode: true,
  });
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
    else if (tabMovesFocus && !event.ctrlKey && !event.metaKey && !event.altKey && (event.browserEvent.key.length === 1 || event.keyCode === monaco.KeyCode.Enter || event.keyCode === monaco.KeyCode.Backspace)) setTabMovesFocus(false);
  });
  return {
    getCode: () => model.getValue(),
    replaceCode: (next) => {
      editor.pushUndoStop();
      editor.executeEdits("reset", [{ range: model.getFullModelRange(), text: next }]);
      editor.pushUndoStop();
    },
    onChange: (listener) => void model.onDidChangeContent(() => listener(model.getValue())),
    onRunShortcut: (listener) => editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, listener),
    onTabMovesFocus: (listener) => void tabListeners.push(listener),
    problems: async () => {
      const worker = await (await getTypeScriptWorker())(uri);
      const file = uri.toString();
      const found = [...(await worker.getSyntacticDiagnostics(file)), ...(await worker.getSemanticDiagnostics(file))];
      return found.map((problem) => ({ line: model.getPositionAt(problem.start ?? 0).lineNumber, message: flatten(problem.messageText) }));
    },
  };
}
