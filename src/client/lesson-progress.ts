// The table of contents marks, for each lesson, how many of its checkpoints this learner has passed,
// and says how far they are through the whole course.
import { fetchProgress } from "./sandbox-api.ts";

const checkpoints = (n: number) => `${n} checkpoint${n === 1 ? "" : "s"}`;

/** A lesson's badge: "✓ checkpoint passed", "✓ all 3 checkpoints passed", "1 of 2 checkpoints passed". */
export function lessonProgressText(done: number, total: number): string {
  if (done === total) return total === 1 ? "✓ checkpoint passed" : `✓ all ${checkpoints(total)} passed`;
  return `${done} of ${checkpoints(total)} passed`;
}

/** The course's figure: "You have passed 4 of 11 checkpoints." */
export function courseProgressText(done: number, total: number): string {
  if (done === 0) return `The course has ${checkpoints(total)}; you have not passed one yet.`;
  if (done === total) return `You have passed all ${checkpoints(total)} of the course.`;
  return `You have passed ${done} of the course's ${checkpoints(total)}.`;
}

export async function showLessonProgress(): Promise<void> {
  const progress = await fetchProgress().catch(() => undefined);
  if (!progress) return;
  const passed = new Set(progress.verdicts.filter((v) => v.firstPassedAt !== null).map((v) => v.exerciseId));
  const everyExercise = new Set<string>();
  for (const item of document.querySelectorAll<HTMLElement>("[data-lesson-exercises]")) {
    const exercises = (item.dataset.lessonExercises ?? "").split(" ").filter(Boolean);
    for (const id of exercises) everyExercise.add(id);
    const badge = item.querySelector("[data-lesson-progress]");
    if (!badge || exercises.length === 0) continue;
    const done = exercises.filter((id) => passed.has(id)).length;
    badge.textContent = ` ${lessonProgressText(done, exercises.length)}`;
    badge.setAttribute("data-complete", String(done === exercises.length));
  }
  const course = document.querySelector("[data-course-progress]");
  if (course && everyExercise.size > 0) {
    course.textContent = courseProgressText([...everyExercise].filter((id) => passed.has(id)).length, everyExercise.size);
  }
}
