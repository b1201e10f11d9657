// What a learner has: their checkpoints graded against the broker, their progress, their namespace.
import { CheckGrading, gradeCheckpoint } from "../grading/index.ts";
import { gradingSettings } from "../config.ts";
import type { Exercise } from "../exercises/index.ts";
import { log } from "../log.ts";
import * as S from "../contract/index.ts";
import { apiRoom, json, noSuchExercise, problem, type AppDependencies, type RouteMaker } from "./shared.ts";

/** How long after a run ends its brokers may still be applying what it changed in the cluster's metadata. */
const METADATA_SETTLE_MS = 500;

export function learnersRoom(deps: AppDependencies, route: RouteMaker) {
  const grading = deps.grading ?? new CheckGrading(gradingSettings(process.env));
  const gradeSnapshot = grading.pool.grade.bind(grading.pool);

  /** Grades and keeps one Check; a learner's second Check of the exercise meanwhile joins this one. */
  const check = (learner: string, namespace: string, exercise: Exercise) =>
    grading.queue.check(learner, exercise.id, async () => {
      const runs = await deps.progress.runsOf(learner, exercise.id);
      // An exercise on the learner's lab is judged on that lab, with what the learner did to its brokers.
      const lab = exercise.cluster === "lab" ? deps.labs?.ready(learner) : undefined;
      if (exercise.cluster === "lab" && !lab) return labNotReadyVerdict(exercise.id, deps.labs?.notReadyReason(learner));
      // A lab stopped (idle, say) and started again holds nothing of a run on the one before: nothing to judge there.
      if (lab && runs.ran && Date.parse(runs.ran.startedAt) < lab.startedAt) {
        return labNotReadyVerdict(exercise.id, "Your lab was started anew since your latest run, so what that run did is gone; run again.");
      }
      const grade = () =>
        gradeCheckpoint(exercise.id, exercise.checkpoint, lab?.inspector ?? deps.broker, {
          namespace,
          graderFile: exercise.graderFile,
          runs,
          ownedTopics: Object.keys(exercise.owns.topics),
          grade: gradeSnapshot,
          // A lab's verdict also depends on its brokers' stops and starts, which the topics' state does not show.
          ...(lab
            ? { lab: { brokers: lab.brokers().map((broker) => broker.id), changes: [...lab.changes] } }
            : { memo: grading.memo(learner, exercise.id, runs) }),
          ...(runs.ran ? { groupsSeen: grading.groupsSeen(learner, exercise.id, runs.ran.id) } : {}),
        });
      let verdict = await grade();
      // Kafka answers a change to a topic's settings once its controller holds it; each broker applies it from the
      // metadata log a moment later, and no request waits for that. A Check pressed as the run ends may read a
      // broker in that moment: a failure then is confirmed once the moment has passed.
      const settled = runs.ran?.endedAt ? Date.parse(runs.ran.endedAt) + METADATA_SETTLE_MS : 0;
      if (verdict.status === "fail" && Date.now() < settled) {
        await new Promise((resolve) => setTimeout(resolve, settled - Date.now()));
        verdict = await grade();
      }
      // An ungraded Check (Kafka did not answer) is not the learner's result: it never replaces one.
      if (verdict.status === "error") return verdict;
      const saved = await deps.progress.recordVerdict(learner, verdict).then(
        () => true,
        (error: Error) => {
          log.error({ learner, exercise: exercise.id, err: error }, "a verdict could not be saved");
          return false;
        },
      );
      if (saved) return verdict;
      const note =
        "Your result could not be saved (the server's progress store failed); it is shown here but will not be there after a reload. Tell your course host.";
      return { ...verdict, note: verdict.note ? `${verdict.note} ${note}` : note };
    });

  return apiRoom()
    .openapi(
      route(
        {
          method: "post",
          path: "/api/exercises/{id}/grade",
          summary: "Grade the exercise's checkpoint against the broker's real state, and keep the verdict",
          request: { params: S.ExerciseIdParam },
          responses: {
            200: json(S.VerdictSchema, "The verdict: pass, fail (with reasons), or error when Kafka does not answer"),
            400: problem("Not an exercise id"),
            404: problem("No such exercise"),
            413: problem("A body over the size limit (the route takes none)"),
            503: problem("The progress store could not read the learner's runs; nothing was graded"),
          },
        },
        { learner: true },
      ),
      async (c) => {
        const exercise = deps.catalog.get(c.req.valid("param").id);
        if (!exercise) return noSuchExercise(c, c.req.valid("param").id);
        const learner = c.get("learnerId");
        const verdict = await check(learner, c.get("namespace"), exercise);
        log.info({ learner, exercise: exercise.id, status: verdict.status }, "checkpoint graded");
        return c.json(verdict, 200);
      },
    )
    .openapi(
      route(
        {
          method: "get",
          path: "/api/progress",
          summary: "This learner's latest verdict for each exercise",
          responses: { 200: json(S.ProgressSchema, "The learner's progress"), 503: problem("The progress store does not answer") },
        },
        { learner: true },
      ),
      async (c) => {
        try {
          return c.json({ verdicts: await deps.progress.verdictsOf(c.get("learnerId")) }, 200);
        } catch (error) {
          log.error({ learner: c.get("learnerId"), err: error }, "progress could not be read");
          return c.json(
            {
              error: {
                code: "progress_unavailable",
                message:
                  "Your progress could not be read just now (the server's progress store failed). Try again; if it persists, tell your course host.",
              },
            },
            503,
          );
        }
      },
    )
    .openapi(
      route(
        {
          method: "get",
          path: "/api/learner",
          summary: "This learner's Kafka namespace, and whether the broker enforces it",
          responses: { 200: json(S.LearnerSchema, "The learner's namespace") },
        },
        { learner: true },
      ),
      (c) => c.json({ namespace: c.get("namespace"), brokerEnforced: deps.principals.enforced }, 200),
    );
}

/** A Check of a lab exercise while the learner's lab is gone (stopped when idle, say): not graded, nothing stored. */
function labNotReadyVerdict(exerciseId: string, reason: string | undefined): S.Verdict {
  return {
    version: S.VERDICT_VERSION,
    exerciseId,
    status: "error",
    message: `${reason ?? "This server offers no fault labs."} Your work is judged on your lab, so it was not checked, and your earlier result is kept.`,
    checks: [],
    gradedAt: new Date().toISOString(),
  };
}
