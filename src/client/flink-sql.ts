// The editor's Flink SQL mode: completions for Flink SQL keywords and for the tables and columns the
// script declares, and markers where the SQL runner's errors point ("line 3, column 8").
import * as monaco from "monaco-editor/editor/editor.api.js";

const KEYWORDS = [
  "CREATE TABLE",
  "CREATE VIEW",
  "SELECT",
  "FROM",
  "WHERE",
  "GROUP BY",
  "HAVING",
  "INSERT INTO",
  "VALUES",
  "WITH",
  "AS",
  "CASE",
  "WHEN",
  "THEN",
  "ELSE",
  "END",
  "CAST",
  "COUNT",
  "SUM",
  "AVG",
  "MIN",
  "MAX",
  "EXPLAIN",
  "SET",
  "TABLE",
  "TUMBLE",
  "HOP",
  "CUMULATE",
  "DESCRIPTOR",
  "INTERVAL",
  "SECOND",
  "MINUTE",
  "HOUR",
  "WATERMARK FOR",
  "PROCTIME()",
  "CURRENT_WATERMARK",
  "window_start",
  "window_end",
  "window_time",
  "TIMESTAMP(3)",
  "STRING",
  "INT",
  "BIGINT",
  "DOUBLE",
  "BOOLEAN",
];
const OPTIONS = [
  "'connector' = 'kafka'",
  "'topic' = ''",
  "'format' = 'json'",
  "'scan.startup.mode' = 'earliest-offset'",
  "'key.format' = 'raw'",
  "'key.fields' = ''",
];

/** Tables the script declares, with their columns: `CREATE TABLE name ( col TYPE, ... )`. */
export function declaredTables(sql: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  for (const match of sql.matchAll(/CREATE\s+(?:TEMPORARY\s+)?TABLE\s+`?(\w+)`?\s*\(([\s\S]*?)\)\s*WITH/gi)) {
    const columns = match[2]!
      .split(/,(?![^(]*\))/)
      .map((line) => line.replace(/--.*$/gm, "").trim())
      .map((line) => /^`?(\w+)`?\s+/.exec(line)?.[1])
      .filter((name): name is string => !!name && !/^(WATERMARK|PRIMARY)$/i.test(name));
    tables.set(match[1]!, columns);
  }
  return tables;
}

let registered = false;

/** Registers the completions once per page. */
export function registerFlinkSql(): void {
  if (registered) return;
  registered = true;
  monaco.languages.registerCompletionItemProvider("sql", {
    provideCompletionItems(model, position) {
      const word = model.getWordUntilPosition(position);
      const range = {
        startLineNumber: position.lineNumber,
        endLineNumber: position.lineNumber,
        startColumn: word.startColumn,
        endColumn: word.endColumn,
      };
      const { Keyword, Struct, Field, Property } = monaco.languages.CompletionItemKind;
      const suggestions: monaco.languages.CompletionItem[] = [
        ...KEYWORDS.map((label) => ({ label, kind: Keyword, insertText: label, range })),
        ...OPTIONS.map((label) => ({ label, kind: Property, insertText: label, range })),
      ];
      for (const [table, columns] of declaredTables(model.getValue())) {
        suggestions.push({ label: table, kind: Struct, insertText: table, detail: `table (${columns.join(", ")})`, range });
        for (const column of columns) suggestions.push({ label: column, kind: Field, insertText: column, detail: `column of ${table}`, range });
      }
      return { suggestions };
    },
  });
}

/**
 * Markers for the runner's errors in `stderr`: each "error: line L, column C: message" marks that spot.
 * Returns the line of the first, if any.
 */
export function markSqlErrors(model: monaco.editor.ITextModel, stderr: string): number | undefined {
  const markers: monaco.editor.IMarkerData[] = [];
  for (const match of stderr.matchAll(/error: (?:From )?line (\d+), column (\d+)(?: to line (\d+), column (\d+))?:? ?(.*)/g)) {
    const line = Number(match[1]);
    const column = Number(match[2]);
    markers.push({
      severity: monaco.MarkerSeverity.Error,
      message: match[5] || "Flink stopped here.",
      startLineNumber: line,
      startColumn: column,
      endLineNumber: match[3] ? Number(match[3]) : line,
      endColumn: match[4] ? Number(match[4]) + 1 : model.getLineMaxColumn(Math.min(line, model.getLineCount())),
    });
  }
  monaco.editor.setModelMarkers(model, "flink", markers);
  return markers[0]?.startLineNumber;
}
