// The table of contents marks, for each lesson, how many of its checkpoints this learner has passed.
import { fetchProgress } from "./sandbox-api.ts";

export async function showLessonProgress(): Promise<void> {
  const progress = await fetchProgress().catch(() => undefined);
  if (!progress) return;
  const passed = new Set(progress.verdicts.filter((v) => v.firstPassedAt !== null).map((v) => v.exerciseId));
  for (const item of document.querySelectorAll<HTMLElement>("[data-lesson-exercises]")) {
    const exercises = (item.dataset.lessonExercises ?? "").split(" ").filter(Boolean);
    const badge = item.querySelector("[data-lesson-progress]");
    if (!badge || exercises.length === 0) continue;
    const done = exercises.filter((id) => passed.has(id)).length;
    badge.textContent = done === exercises.length ? ` ✓ all ${done} checkpoints passed` : ` ${done} of ${exercises.length} checkpoints passed`;
    badge.setAttribute("data-complete", String(done === exercises.length));
  }
}
