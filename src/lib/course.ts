// Build-time view of the course: lessons in reading order and the exercises they place.
import path from "node:path";
import { getCollection, type CollectionEntry } from "astro:content";
import { loadExerciseCatalog, type Exercise, type ExerciseCatalog } from "../../sandbox-server/src/exercises/index.ts";

export type Lesson = CollectionEntry<"lessons">;

/** Every lesson, ordered by part (in order of their first lesson) and then by `order`. */
export async function lessonsInOrder(): Promise<Lesson[]> {
  const lessons = await getCollection("lessons");
  return lessons.sort((a, b) => a.data.order - b.data.order || a.id.localeCompare(b.id));
}

/** Lessons grouped by part, parts in course order. */
export async function courseOutline(): Promise<{ part: string; lessons: Lesson[] }[]> {
  const parts = new Map<string, Lesson[]>();
  for (const lesson of await lessonsInOrder()) {
    parts.set(lesson.data.part, [...(parts.get(lesson.data.part) ?? []), lesson]);
  }
  return [...parts].map(([part, lessons]) => ({ part, lessons }));
}

let catalog: Promise<ExerciseCatalog> | undefined;
// Builds run from the project root, where content/ lives.
const exerciseCatalog = () => (catalog ??= loadExerciseCatalog(path.resolve(process.cwd(), "content")));

/** Ids of the exercises that live in the lesson's folder. */
export async function exerciseIdsOf(lesson: Lesson): Promise<string[]> {
  return [...(await exerciseCatalog()).values()].filter((exercise) => exercise.lesson === lesson.id).map((exercise) => exercise.id);
}

/** The exercise with this id; the build fails with a clear message when a lesson names one that does not exist. */
export async function exerciseById(id: string): Promise<Exercise> {
  const catalog = await exerciseCatalog();
  const exercise = catalog.get(id);
  if (!exercise) {
    const known = [...catalog.keys()].join(", ");
    throw new Error(`A lesson places <Exercise id="${id}" />, but there is no exercise folder named "${id}". Known: ${known}.`);
  }
  return exercise;
}

export const lessonHref = (lesson: Lesson) => `/lessons/${lesson.id}/`;
