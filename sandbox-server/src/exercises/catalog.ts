// Reads every exercise under content/: each is a folder content/<part>/<lesson>/exercises/<id>/
// with starter.ts, solution.ts, checkpoint.json, and optionally exercise.json, hints.md, the
// checkpoint's grader module and wrong/<mistake>.ts: plausible wrong programs the checkpoint must fail.
// An exercise offered in Python too has starter.py and solution.py beside them (and wrong/<mistake>.py);
// the checkpoint is the same.
import { EXERCISE_ID_PATTERN } from "../contract/ids.ts";
import { LANGUAGES, LANGUAGE_IDS, type Language } from "../contract/languages.ts";
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { checkpointSpecSchema, type CheckpointSpec } from "./checkpoint-spec.ts";
import { exerciseSpecSchema } from "./exercise-spec.ts";

export { LANGUAGES, type Language };
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
  /** Hints of the exercise's main language (hints.md). */
  hints: string[];
  /** Hints in each language offered: hints.md for the main language, hints.<language>.md for another. */
  hintsByLanguage: Partial<Record<Language, string[]>>;
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
  /** Plausible wrong programs in every language offered, each failing the checkpoint for the mistake its first line names. */
  wrong: WrongProgram[];
  /** The learner's topics (with the partitions the server makes them with, if it does) and groups this exercise owns. */
  owns: { topics: Record<string, { partitions?: number }>; groups: string[] };
  /** Every run starts with the owned topics and groups deleted and the declared topics made anew. */
  freshEachRun: boolean;
  /** Where runs reach Kafka: the course's brokers, or the learner's own lab cluster. */
  cluster: "course" | "lab";
}

export interface WrongProgram {
  /** The file name without its extension, e.g. "windows-too-short". */
  name: string;
  language: Language;
  /** The file's name in wrong/, e.g. "windows-too-short.sql". */
  file: string;
  /** The first line's comment: what is wrong with the program. */
  mistake: string;
  /** A second line `<comment> The checkpoint says: …`: words its verdict must contain. */
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
  const meta = existsSync(metaFile) ? await readJson(metaFile, exerciseSpecSchema) : exerciseSpecSchema.parse({ title: id });
  const language = meta.language ?? "typescript";
  const extension = LANGUAGES[language].extension;
  for (const required of [`starter.${extension}`, `solution.${extension}`, "checkpoint.json"]) {
    if (!existsSync(path.join(dir, required))) throw new Error(`Exercise ${id} (${dir}) has no ${required}.`);
  }
  const checkpoint = await readJson(path.join(dir, "checkpoint.json"), checkpointSpecSchema);
  const graderFile = checkpoint.grader && path.join(dir, checkpoint.grader);
  if (graderFile && !existsSync(graderFile))
    throw new Error(`Exercise ${id} (${dir}): checkpoint.json names the grader ${checkpoint.grader}, which is not there.`);
  const code: Partial<Record<Language, ExerciseCode>> = {};
  for (const offered of LANGUAGE_IDS) {
    const ext = LANGUAGES[offered].extension;
    const [starter, solution] = [`starter.${ext}`, `solution.${ext}`].map((name) => path.join(dir, name));
    if (!existsSync(starter!)) continue;
    if (!existsSync(solution!)) throw new Error(`Exercise ${id} (${dir}) has starter.${ext} but no solution.${ext}.`);
    code[offered] = { starter: await readFile(starter!, "utf8"), solution: await readFile(solution!, "utf8") };
  }
  const languages = [language, ...LANGUAGE_IDS.filter((other) => other !== language && code[other])];
  return {
    id,
    title: meta.title,
    lesson: path
      .relative(contentDir, path.dirname(path.dirname(dir)))
      .split(path.sep)
      .join("/"),
    starter: code[language]!.starter,
    solution: code[language]!.solution,
    languages,
    code,
    hints: await readHints(dir, "hints.md"),
    hintsByLanguage: Object.fromEntries(
      await Promise.all(languages.map(async (offered) => [offered, await readHints(dir, offered === language ? "hints.md" : `hints.${offered}.md`)])),
    ),
    checkpoint,
    timeLimitSeconds: meta.timeLimitSeconds,
    after: meta.after ?? [],
    language,
    starterFailsWith: meta.starterFailsWith,
    graderFile,
    wrong: await readWrongPrograms(id, path.join(dir, "wrong"), languages),
    owns: { topics: meta.topics, groups: meta.groups },
    freshEachRun: meta.freshEachRun,
    cluster: meta.cluster,
  };
}

async function readHints(dir: string, name: string): Promise<string[]> {
  const file = path.join(dir, name);
  return existsSync(file) ? parseHints(await readFile(file, "utf8")) : [];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * wrong/<mistake>.<ext> files in the languages the exercise is offered in; each opens with a comment saying
 * what is wrong, and a second comment line `The checkpoint says: …` naming words its verdict must contain.
 */
async function readWrongPrograms(id: string, dir: string, languages: Language[]): Promise<WrongProgram[]> {
  if (!existsSync(dir)) return [];
  const programs: WrongProgram[] = [];
  for (const file of (await readdir(dir)).sort()) {
    const language = languages.find((offered) => file.endsWith(`.${LANGUAGES[offered].extension}`));
    if (!language) {
      throw new Error(`Exercise ${id}: wrong/${file} is in no language the exercise is offered in (${languages.join(", ")}).`);
    }
    const comment = escapeRegExp(LANGUAGES[language].comment);
    const code = await readFile(path.join(dir, file), "utf8");
    const [first = "", second = ""] = code.split("\n", 2);
    const mistake = new RegExp(`^${comment}\\s*(.+)`).exec(first)?.[1]?.trim();
    if (!mistake) {
      throw new Error(`Exercise ${id}: wrong/${file} must start with a ${LANGUAGES[language].comment} comment saying what is wrong with it.`);
    }
    const verdictSays = new RegExp(`^${comment} The checkpoint says: (.+)`).exec(second)?.[1]?.trim();
    programs.push({ name: file.slice(0, file.lastIndexOf(".")), language, file, mistake, verdictSays, code });
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
  checkOwnership(catalog);
  return catalog;
}

/** The exercises `exercise` comes after, directly or through others. */
function exercisesBefore(catalog: ReadonlyMap<string, Exercise>, exercise: Exercise, seen = new Set<string>()): Exercise[] {
  return exercise.after.flatMap((id) => {
    if (seen.has(id)) return [];
    seen.add(id);
    const before = catalog.get(id)!;
    return [before, ...exercisesBefore(catalog, before, seen)];
  });
}

/**
 * Each topic and group has one owner, and a checkpoint reads only what its exercise or an exercise it
 * comes after owns: so no exercise's records can pass, fail or break another's.
 */
function checkOwnership(catalog: ReadonlyMap<string, Exercise>): void {
  const owners = new Map<string, string>();
  for (const exercise of catalog.values()) {
    for (const name of [...Object.keys(exercise.owns.topics).map((t) => `topic \`${t}\``), ...exercise.owns.groups.map((g) => `group \`${g}\``)]) {
      const other = owners.get(name);
      if (other) throw new Error(`Exercises ${other} and ${exercise.id} both own ${name}: each topic and group belongs to one exercise.`);
      owners.set(name, exercise.id);
    }
  }
  for (const exercise of catalog.values()) {
    const mayRead = [exercise, ...exercisesBefore(catalog, exercise)];
    const topics = new Set(mayRead.flatMap((e) => Object.keys(e.owns.topics)));
    const groups = new Set(mayRead.flatMap((e) => e.owns.groups));
    const { checks, reads } = exercise.checkpoint;
    const named = [
      ...checks.map((check) => check.topic),
      ...reads.topics,
      ...reads.groups.map((g) => g.topic),
      ...checks.flatMap((check) => (check.type === "group-caught-up" ? [check.topic] : [])),
    ];
    const strayTopic = named.find((topic) => !topics.has(topic));
    if (strayTopic) {
      const owner = owners.get(`topic \`${strayTopic}\``);
      throw new Error(
        `Exercise ${exercise.id}: its checkpoint reads topic \`${strayTopic}\`, which ${owner ? `exercise ${owner} owns; add "${owner}" to its "after"` : `no exercise owns; add it to "topics" in its exercise.json`}.`,
      );
    }
    const groupNames = [...checks.flatMap((check) => (check.type === "group-caught-up" ? [check.group] : [])), ...reads.groups.map((g) => g.group)];
    const strayGroup = groupNames.find((group) => !groups.has(group));
    if (strayGroup) {
      throw new Error(
        `Exercise ${exercise.id}: its checkpoint reads group \`${strayGroup}\`, which it does not own; add it to "groups" in its exercise.json.`,
      );
    }
  }
}
