// The languages a learner may write a program in: the one list the API's schema, the catalog, the
// server's run pipeline, the page and the editor derive from. Adding a language starts here.
// Plain data without imports: the page loads it as it is.

export interface LanguageFacts {
  /** As the page names it. */
  label: string;
  /** What the learner's program talks to Kafka with. */
  client: string;
  /** The extension of its files; the run's entry point is main.<extension>. */
  extension: string;
  /** How a line comment starts: wrong programs open with one saying what is wrong. */
  comment: string;
}

export const LANGUAGES = {
  typescript: { label: "TypeScript", client: "kafkajs", extension: "ts", comment: "//" },
  python: { label: "Python", client: "kafka-python", extension: "py", comment: "#" },
  sql: { label: "Flink SQL", client: "Flink", extension: "sql", comment: "--" },
} as const satisfies Record<string, LanguageFacts>;

export type Language = keyof typeof LANGUAGES;

export const LANGUAGE_IDS = Object.keys(LANGUAGES) as Language[];

/** The file a run of this language starts from. */
export const entryFile = (language: Language): string => `main.${LANGUAGES[language].extension}`;

/** Every language's entry file, in the list's order: main.ts, main.py, main.sql. */
export const ENTRY_FILES = LANGUAGE_IDS.map(entryFile);

/** The language of a run's files: the first language whose entry file they hold. */
export function languageOfFiles(files: Readonly<Record<string, string>>): Language | undefined {
  return LANGUAGE_IDS.find((language) => entryFile(language) in files);
}

/** Words joined as a sentence says them: "a, b or c". */
export const listWithOr = (items: string[]): string => (items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`);
