// Reads every exercise under content/: each is a folder content/<part>/<lesson>/exercises/<id>/
// with starter.ts, solution.ts, checkpoint.json, and optionally exercise.json and hints.md.
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
  /** What the learner writes: TypeScript (starter.ts, solution.ts) or Flink SQL (starter.sql, solution.sql). */
  language: z.enum(["typescript", "sql"]).optional(),
});

export interface Exercise {
  /** Unique across the course; the folder name. */
  id: string;
  title: string;
  /** Lesson folder relative to content/, e.g. "kafka-basics/first-producer-consumer". */
  lesson: string;
  starter: string;
  solution: string;
  hints: string[];
  checkpoint: CheckpointSpec;
  timeLimitSeconds?: number;
  /** Ids of the exercises to do before this one. */
  after: string[];
  language: "typescript" | "sql";
  /** The checkpoint's own grader module, when it names one. */
  graderPath?: string;
}

export type ExerciseCatalog = ReadonlyMap<string, Exercise>;

export const EXERCISE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

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
  const checkpoint = await readJson(path.join(dir, "checkpoint.json"), checkpointSpecSchema);
  const graderPath = checkpoint.grader && path.join(dir, checkpoint.grader);
  if (graderPath && !existsSync(graderPath)) throw new Error(`Exercise ${id}: its checkpoint names ${checkpoint.grader}, which is not in ${dir}.`);
  const hintsFile = path.join(dir, "hints.md");
  return {
    id,
    title: meta.title,
    lesson: path.relative(contentDir, path.dirname(path.dirname(dir))).split(path.sep).join("/"),
    starter: await readFile(path.join(dir, `starter.${extension}`), "utf8"),
    solution: await readFile(path.join(dir, `solution.${extension}`), "utf8"),
    hints: existsSync(hintsFile) ? parseHints(await readFile(hintsFile, "utf8")) : [],
    checkpoint,
    timeLimitSeconds: meta.timeLimitSeconds,
    after: meta.after ?? [],
    language,
    graderPath,
  };
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
      throw new Error(`Two exercises share the id "${exercise.id}" (in ${clash.lesson} and ${exercise.lesson}); exercise folder names must be unique.`);
    }
    catalog.set(exercise.id, exercise);
  }
  for (const exercise of catalog.values()) {
    const unknown = exercise.after.filter((id) => !catalog.has(id));
    if (unknown.length) throw new Error(`Exercise ${exercise.id} says it comes after ${unknown.join(", ")}, which no exercise folder is called.`);
  }
  return catalog;
}
