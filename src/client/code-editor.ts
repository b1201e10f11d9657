// The Monaco editor, loaded only when an exercise scrolls into view: it is most of the page's
// JavaScript, and the lesson text must not wait for it.
import * as monaco from "monaco-editor";
import { markSqlErrors, registerFlinkSql } from "./flink-sql.ts";
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

export interface CodeEditor {
  getCode(): string;
  /** Replaces the code as one edit, so Ctrl-Z brings the learner's version back. */
  replaceCode(code: string): void;
  onChange(listener: (code: string) => void): void;
  /** Ctrl/Cmd-Enter. */
  onRunShortcut(listener: () => void): void;
  /** Marks where a run's errors point (SQL: the runner names line and column); clears old marks. */
  markErrors(stderr: string): void;
}

/** The learner's code beside the solution, read-only, differences marked. Returns a function that removes it. */
export function mountSolutionDiff(host: HTMLElement, exerciseId: string, mine: string, solution: string): () => void {
  const original = monaco.editor.createModel(mine, "typescript", monaco.Uri.parse(`file:///compare/${exerciseId}/yours.ts`));
  const modified = monaco.editor.createModel(solution, "typescript", monaco.Uri.parse(`file:///compare/${exerciseId}/solution.ts`));
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

/** Mounts an editor for one exercise's main.ts into `host`, replacing what the host showed before. */
export function mountCodeEditor(host: HTMLElement, exerciseId: string, code: string, label: string, language: "typescript" | "sql" = "typescript"): CodeEditor {
  if (language === "sql") registerFlinkSql();
  const uri = monaco.Uri.parse(`file:///exercises/${exerciseId}/main.${language === "sql" ? "sql" : "ts"}`);
  const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(code, language, uri);
  host.replaceChildren();
  const editor = monaco.editor.create(host, {
    model,
    automaticLayout: true,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    fontSize: 14,
    tabSize: 2,
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
    onChange: (listener) => void model.onDidChangeContent(() => listener(model.getValue())),
    onRunShortcut: (listener) => editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, listener),
    markErrors: (stderr) => {
      if (language === "sql") markSqlErrors(model, stderr);
    },
  };
}
