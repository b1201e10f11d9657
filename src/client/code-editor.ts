// The Monaco editor, loaded only when an exercise scrolls into view: it is most of the page's
// JavaScript, and the lesson text must not wait for it.
import * as monaco from "monaco-editor";
import { typescriptDefaults, ModuleKind, ModuleResolutionKind, ScriptTarget } from "monaco-editor/languages/features/typescript/register.js";
import EditorWorker from "monaco-editor/editor/editor.worker.js?worker";
import TypeScriptWorker from "monaco-editor/languages/features/typescript/ts.worker.js?worker";
import { editorLibraries } from "./kafkajs-types.ts";

self.MonacoEnvironment = {
  getWorker: (_workerId: string, label: string) =>
    label === "typescript" || label === "javascript" ? new TypeScriptWorker() : new EditorWorker(),
};

typescriptDefaults.setCompilerOptions({
  target: ScriptTarget.ESNext,
  module: ModuleKind.ESNext,
  moduleResolution: ModuleResolutionKind.NodeJs,
  // A learner's program runs as an ES module on Node: top-level await, no DOM.
  lib: ["esnext"],
  strict: true,
  noEmit: true,
  allowNonTsExtensions: true,
});
typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
for (const [path, text] of Object.entries(editorLibraries)) typescriptDefaults.addExtraLib(text, path);

/** The languages an exercise may be written in, and the extension of its main file. */
export const EDITOR_LANGUAGES = { typescript: "ts", python: "py" } as const;
export type EditorLanguage = keyof typeof EDITOR_LANGUAGES;

const modelUri = (exerciseId: string, language: EditorLanguage) => monaco.Uri.parse(`file:///exercises/${exerciseId}/main.${EDITOR_LANGUAGES[language]}`);

export interface CodeEditor {
  getCode(): string;
  /** Shows the exercise in another language, with `code` in it (the other language's text is kept aside). */
  switchLanguage(language: EditorLanguage, code: string): void;
  /** Marks the line a run failed at (from its traceback); undefined clears the mark. */
  markFailure(failure: { line: number; message: string } | undefined): void;
  /** Replaces the code as one edit, so Ctrl-Z brings the learner's version back. */
  replaceCode(code: string): void;
  onChange(listener: (code: string) => void): void;
  /** Ctrl/Cmd-Enter. */
  onRunShortcut(listener: () => void): void;
}

/** The learner's code beside the solution, read-only, differences marked. Returns a function that removes it. */
export function mountSolutionDiff(host: HTMLElement, exerciseId: string, mine: string, solution: string, language: EditorLanguage = "typescript"): () => void {
  const extension = EDITOR_LANGUAGES[language];
  const original = monaco.editor.createModel(mine, language, monaco.Uri.parse(`file:///compare/${exerciseId}/yours.${extension}`));
  const modified = monaco.editor.createModel(solution, language, monaco.Uri.parse(`file:///compare/${exerciseId}/solution.${extension}`));
  host.replaceChildren();
  const diff = monaco.editor.createDiffEditor(host, {
    automaticLayout: true,
    readOnly: true,
    originalEditable: false,
    renderSideBySide: true,
    // Show what differs, with a little context; the learner can unfold the rest.
    hideUnchangedRegions: { enabled: true, contextLineCount: 3 },
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    fontSize: 13,
    ariaLabel: "Your code beside the solution",
  });
  diff.setModel({ original, modified });
  return () => {
    diff.dispose();
    original.dispose();
    modified.dispose();
  };
}

/** Mounts an editor for one exercise's main.ts (or main.py) into `host`, replacing what the host showed before. */
export function mountCodeEditor(host: HTMLElement, exerciseId: string, code: string, label: string, language: EditorLanguage = "typescript"): CodeEditor {
  const uri = modelUri(exerciseId, language);
  let model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(code, language, uri);
  const changeListeners: ((code: string) => void)[] = [];
  const listen = () => void model.onDidChangeContent(() => changeListeners.forEach((listener) => listener(model.getValue())));
  listen();
  host.replaceChildren();
  const editor = monaco.editor.create(host, {
    model,
    automaticLayout: true,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    fontSize: 14,
    tabSize: language === "python" ? 4 : 2,
    ariaLabel: label,
    fixedOverflowWidgets: true,
  });
  return {
    getCode: () => model.getValue(),
    replaceCode: (next) => {
      editor.pushUndoStop();
      editor.executeEdits("reset", [{ range: model.getFullModelRange(), text: next }]);
      editor.pushUndoStop();
    },
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
        failure ? [{ startLineNumber: failure.line, endLineNumber: failure.line, startColumn: 1, endColumn: model.getLineMaxColumn(failure.line), message: failure.message, severity: monaco.MarkerSeverity.Error }] : [],
      );
      if (failure) editor.revealLineInCenterIfOutsideViewport(failure.line);
    },
    onRunShortcut: (listener) => editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, listener),
  };
}
