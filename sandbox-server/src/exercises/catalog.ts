// Reads every exercise under content/: each is a folder content/<part>/<lesson>/exercises/<id>/
// with starter.ts, solution.ts, checkpoint.json, and optionally exercise.json, hints.md, the
// checkpoint's grader module and wrong/<mistake>.ts: plausible wrong programs the checkpoint must fail.
// An exercise offered in Python too has starter.py and solution.py beside them (and wrong/<mistake>.py);
// the checkpoint is the same.
import { EXERCISE_ID_PATTERN } from "../contract/ids.ts";
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { checkpointSpecSchema, type CheckpointSpec } from "./checkpoint-spec.ts";

const exerciseMetaSchema = z.object({
  title: z.string().min(1),
  /** A run of this exercise is stopped after this many seconds (a consumer may want longer). */
  timeLimitSeconds: z.number().int().min(5).max(900).optional(),
  /** Exercises whose results this one reads (a consumer needs a producer's messages); done first. */
  after: z.array(z.string()).optional(),
  /** Words of the verdict the untouched starter gets: the reason the lesson expects it to fail. */
  starterFailsWith: z.string().min(1).optional(),
  /** What the learner writes: TypeScript (starter.ts, solution.ts) or Flink SQL (starter.sql, solution.sql). */
  language: z.enum(["typescript", "sql"]).optional(),
});

/** The languages an exercise may be offered in, and the extension of their files (main.<ext> is the entry point). */
export const LANGUAGES = { typescript: "ts", python: "py", sql: "sql" } as const;
export type Language = keyof typeof LANGUAGES;

/** An exercise's code in one language. */
export interface ExerciseCode {
  starter: string;
  solution: string;
}

export interface Exercise {
  /** Unique across the course; the folder name. */
  id: string;
  title: string;
  /** Lesson folder relative to content/, e.g. "kafka-basics/first-producer-consumer". */
  lesson: string;
  /** The TypeScript starter and solution (also in `code.typescript`). */
  starter: string;
  solution: string;
  /** Every language the exercise is offered in, TypeScript first. */
  languages: Language[];
  code: Partial<Record<Language, ExerciseCode>>;
  hints: string[];
  checkpoint: CheckpointSpec;
  timeLimitSeconds?: number;
  /** Ids of the exercises to do before this one. */
  after: string[];
  /** Words of the verdict the untouched starter gets. */
  starterFailsWith?: string;
  /** Absolute path of the checkpoint's grader module, when it names one. */
  graderFile?: string;
  /** What the learner mainly writes: TypeScript (perhaps Python too), or Flink SQL. */
  language: "typescript" | "sql";
  /** Plausible wrong programs, each failing the checkpoint for the mistake its first line names. */
  wrong: WrongProgram[];
}

export interface WrongProgram {
  /** The file name without .ts, e.g. "windows-too-short". */
  name: string;
  /** The first line's comment: what is wrong with the program. */
  mistake: string;
  /** A second line `// The checkpoint says: …`: words its verdict must contain. */
  verdictSays?: string;
  code: string;
}

export type ExerciseCatalog = ReadonlyMap<string, Exercise>;

/** Splits hints.md into hints: each is separated from the next by a line holding only `---`. */
export function parseHints(markdown: string): string[] {
  return markdown
    .split(/^---\s*$/m)
    .map((hint) => hint.trim())
    .filter(Boolean);
}

async function readJson<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not a valid ${path.basename(file)}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

async function readExercise(contentDir: string, dir: string): Promise<Exercise> {
  const id = path.basename(dir);
  if (!EXERCISE_ID_PATTERN.test(id)) {
    throw new Error(`Exercise folder ${dir}: its name must be lowercase letters, digits and '-' (it becomes the exercise id).`);
  }
  const metaFile = path.join(dir, "exercise.json");
  const meta = existsSync(metaFile) ? await readJson(metaFile, exerciseMetaSchema) : { title: id, language: undefined };
  const language = meta.language ?? "typescript";
  const extension = language === "sql" ? "sql" : "ts";
  for (const required of [`starter.${extension}`, `solution.${extension}`, "checkpoint.json"]) {
    if (!existsSync(path.join(dir, required))) throw new Error(`Exercise ${id} (${dir}) has no ${required}.`);
  }
  const hintsFile = path.join(dir, "hints.md");
  const checkpoint = await readJson(path.join(dir, "checkpoint.json"), checkpointSpecSchema);
  const graderFile = checkpoint.grader && path.join(dir, checkpoint.grader);
  if (graderFile && !existsSync(graderFile))
    throw new Error(`Exercise ${id} (${dir}): checkpoint.json names the grader ${checkpoint.grader}, which is not there.`);
  const code: Partial<Record<Language, ExerciseCode>> = {};
  for (const [offered, ext] of Object.entries(LANGUAGES) as [Language, string][]) {
    const [starter, solution] = [`starter.${ext}`, `solution.${ext}`].map((name) => path.join(dir, name));
    if (!existsSync(starter!)) continue;
    if (!existsSync(solution!)) throw new Error(`Exercise ${id} (${dir}) has starter.${ext} but no solution.${ext}.`);
    code[offered] = { starter: await readFile(starter!, "utf8"), solution: await readFile(solution!, "utf8") };
  }
  return {
    id,
    title: meta.title,
    lesson: path
      .relative(contentDir, path.dirname(path.dirname(dir)))
      .split(path.sep)
      .join("/"),
    starter: code[language]!.starter,
    solution: code[language]!.solution,
    languages: Object.keys(code) as Language[],
    code,
    hints: existsSync(hintsFile) ? parseHints(await readFile(hintsFile, "utf8")) : [],
    checkpoint,
    timeLimitSeconds: meta.timeLimitSeconds,
    after: meta.after ?? [],
    language,
    starterFailsWith: meta.starterFailsWith,
    graderFile,
    wrong: await readWrongPrograms(id, path.join(dir, "wrong")),
  };
}

/** wrong/<mistake>.ts files; each must open with a `//` comment saying what is wrong. */
async function readWrongPrograms(id: string, dir: string): Promise<WrongProgram[]> {
  if (!existsSync(dir)) return [];
  const programs: WrongProgram[] = [];
  for (const file of (await readdir(dir)).filter((name) => name.endsWith(".ts")).sort()) {
    const code = await readFile(path.join(dir, file), "utf8");
    const mistake = /^\/\/\s*(.+)/.exec(code.split("\n", 1)[0]!)?.[1]?.trim();
    if (!mistake) throw new Error(`Exercise ${id}: wrong/${file} must start with a // comment saying what is wrong with it.`);
    const verdictSays = /^\/\/ The checkpoint says: (.+)/.exec(code.split("\n", 2)[1] ?? "")?.[1]?.trim();
    programs.push({ name: file.slice(0, -3), mistake, verdictSays, code });
  }
  return programs;
}

/** Every folder named `exercises` below `dir`, at any depth. */
async function exerciseFolders(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const child = path.join(dir, entry.name);
    if (entry.name === "exercises") {
      for (const exercise of await readdir(child, { withFileTypes: true })) {
        if (exercise.isDirectory()) found.push(path.join(child, exercise.name));
      }
    } else {
      found.push(...(await exerciseFolders(child)));
    }
  }
  return found;
}

/** Loads and validates every exercise; fails with the file and the reason when one is malformed. */
export async function loadExerciseCatalog(contentDir: string): Promise<ExerciseCatalog> {
  const catalog = new Map<string, Exercise>();
  for (const dir of (await exerciseFolders(contentDir)).sort()) {
    const exercise = await readExercise(contentDir, dir);
    const clash = catalog.get(exercise.id);
    if (clash) {
      throw new Error(
        `Two exercises share the id "${exercise.id}" (in ${clash.lesson} and ${exercise.lesson}); exercise folder names must be unique.`,
      );
    }
    catalog.set(exercise.id, exercise);
  }
  for (const exercise of catalog.values()) {
    const unknown = exercise.after.filter((id) => !catalog.has(id));
    if (unknown.length) throw new Error(`Exercise ${exercise.id} says it comes after ${unknown.join(", ")}, which no exercise folder is called.`);
  }
  return catalog;
}
