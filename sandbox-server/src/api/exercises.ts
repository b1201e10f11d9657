// The course's exercises as a learner opens them: starter code, hints, the solution when asked, and
// "Start this exercise over".
import { log } from "../log.ts";
import { ProgressStoreFault } from "../progress/index.ts";
import * as S from "../contract/index.ts";
import { apiRoom, errorBody, json, noSuchExercise, problem, type AppDependencies, type RouteMaker } from "./shared.ts";

export function exercisesRoom(deps: AppDependencies, route: RouteMaker) {
  return apiRoom()
    .openapi(
      route(
        {
          method: "get",
          path: "/api/exercises/{id}",
          summary: "An exercise's starter code, hints and checkpoint",
          request: { params: S.ExerciseIdParam },
          responses: { 200: json(S.ExerciseSchema, "The exercise"), 400: problem("Not an exercise id"), 404: problem("No such exercise") },
        },
        { learner: false },
      ),
      (c) => {
        const exercise = deps.catalog.get(c.req.valid("param").id);
        if (!exercise) return noSuchExercise(c, c.req.valid("param").id);
        const { id, title, lesson, starter, hints, hintsByLanguage, checkpoint, languages, language, owns, freshEachRun, cluster } = exercise;
        const starters = Object.fromEntries(languages.map((offered) => [offered, exercise.code[offered]!.starter]));
        // An exercise about to be worked on: its language's processes start warming up now, not at the first Run.
        void deps.runs.warmUp(language);
        const slate = { topics: Object.keys(owns.topics), groups: owns.groups, freshEachRun };
        return c.json(
          {
            id,
            title,
            lesson,
            starter,
            languages,
            starters,
            hints,
            hintsByLanguage,
            checkpoint: { title: checkpoint.title },
            language,
            slate,
            cluster,
          },
          200,
        );
      },
    )
    .openapi(
      route(
        {
          method: "get",
          path: "/api/exercises/{id}/solution",
          summary: "The exercise's solution, for a learner who asks to see it",
          request: { params: S.ExerciseIdParam, query: S.SolutionQuery },
          responses: { 200: json(S.SolutionSchema, "The solution"), 400: problem("Not an exercise id"), 404: problem("No such exercise") },
        },
        { learner: false },
      ),
      (c) => {
        const exercise = deps.catalog.get(c.req.valid("param").id);
        if (!exercise) return noSuchExercise(c, c.req.valid("param").id);
        const language = c.req.valid("query").language ?? exercise.language;
        const code = exercise.code[language];
        if (!code) {
          return c.json(
            errorBody("not_found", `Exercise "${exercise.id}" is not offered in ${language}; it is in ${exercise.languages.join(", ")}.`),
            404,
          );
        }
        return c.json({ id: exercise.id, language, solution: code.solution }, 200);
      },
    )
    .openapi(
      route(
        {
          method: "post",
          path: "/api/exercises/{id}/reset",
          summary: "Start the exercise over: stop this learner's runs of it and delete its topics and groups in their namespace",
          request: { params: S.ExerciseIdParam },
          responses: {
            200: json(S.ExerciseResetSchema, "What was stopped and deleted"),
            400: problem("Not an exercise id"),
            404: problem("No such exercise"),
            413: problem("A body over the size limit (the route takes none)"),
            503: problem("Kafka did not answer, so nothing was deleted; or the progress store could not forget the runs"),
          },
        },
        { learner: true },
      ),
      async (c) => {
        const exercise = deps.catalog.get(c.req.valid("param").id);
        if (!exercise) return noSuchExercise(c, c.req.valid("param").id);
        const learner = c.get("learnerId");
        const stoppedRuns = await deps.runs.stopRunsOf(learner, exercise.id);
        try {
          const deleted = await deps.slates.clear(c.get("namespace"), exercise.owns);
          await deps.progress.forgetRuns(learner, exercise.id);
          log.info({ learner, exercise: exercise.id, deleted }, "exercise started over");
          return c.json({ exerciseId: exercise.id, deleted, stoppedRuns }, 200);
        } catch (error) {
          if (error instanceof ProgressStoreFault) throw error;
          log.warn({ learner, exercise: exercise.id, err: (error as Error).message }, "could not start an exercise over: Kafka did not answer");
          return c.json(errorBody("kafka_unavailable", "Kafka did not answer, so nothing was deleted. Try again in a moment."), 503);
        }
      },
    );
}
