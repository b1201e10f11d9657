// The HTTP API: routes, validation and wiring only. Each route hands its work to one stage.
import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "hono/body-limit";
import { streamSSE } from "hono/streaming";
import { learnerNamespace, type BrokerState, type KafkaProbe, type LearnerKafka } from "./broker/index.ts";
import type { ExerciseCatalog } from "./exercises/index.ts";
import { gradeCheckpoint, inNamespace } from "./grading/index.ts";
import { runGrader, type RecordReader } from "./grading/run-grader.ts";
import type { ProgressStore } from "./progress/index.ts";
import { RunRefused, type RunRegistry } from "./runs/index.ts";
import { learnerId, type LearnerEnv } from "./learner-id.ts";
import * as S from "./api-schemas.ts";

export interface AppDependencies {
  catalog: ExerciseCatalog;
  runs: RunRegistry;
  broker: BrokerState;
  /** Each learner's namespace and Kafka principal. */
  principals: { forLearner(learnerId: string): Promise<LearnerKafka>; readonly enforced: boolean };
  progress: ProgressStore;
  probeKafka: () => Promise<KafkaProbe & { bootstrap: string[] }>;
  sourceLimitBytes: number;
  /** Reads topics' records as the super user, for checkpoints with a grader of their own. */
  readRecords?: RecordReader;
}

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});
const problem = (description: string) => json(S.ErrorSchema, description);
const errorBody = (code: string, message: string) => ({ error: { code, message } });

/** Builds the API app; `deps` supplies every stage, so tests can pass their own. */
export function createApp(deps: AppDependencies) {
  const app = new OpenAPIHono<LearnerEnv>({
    // Validation failures become a 400 that names each offending field.
    defaultHook: (result, c) => {
      if (result.success) return;
      const message = result.error.issues
        .map((issue) => `${issue.path.join(".") || "request"}: ${issue.message}`)
        .join("; ");
      return c.json(errorBody("invalid_request", message), 400);
    },
  });

  app.use("/api/*", learnerId);
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: deps.sourceLimitBytes + 16 * 1024,
      onError: (c) => c.json(errorBody("too_large", `Request bodies are limited to ${Math.round(deps.sourceLimitBytes / 1024)} KiB of code.`), 413),
    }),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/health",
      summary: "Whether the server is up and Kafka answers",
      responses: { 200: json(S.HealthSchema, "Kafka answers"), 503: json(S.HealthSchema, "Kafka does not answer") },
    }),
    async (c) => {
      const kafka = await deps.probeKafka();
      const { kind, note } = deps.runs.isolation;
      const runs = { alive: deps.runs.alive().length, isolation: kind, warmSandboxes: deps.runs.warmSandboxes, ...(note ? { note } : {}) };
      const body = { status: kafka.reachable ? ("ok" as const) : ("degraded" as const), kafka, runs };
      return c.json(body, kafka.reachable ? 200 : 503);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/exercises/{id}",
      summary: "An exercise's starter code, hints and checkpoint",
      request: { params: S.ExerciseIdParam },
      responses: { 200: json(S.ExerciseSchema, "The exercise"), 404: problem("No such exercise") },
    }),
    (c) => {
      const exercise = deps.catalog.get(c.req.valid("param").id);
      if (!exercise) return c.json(errorBody("not_found", `No exercise with id "${c.req.valid("param").id}".`), 404);
      const { id, title, lesson, starter, hints, checkpoint, language } = exercise;
      if (language === "sql") void deps.runs.warmUp(language);
      return c.json({ id, title, lesson, starter, hints, checkpoint: { title: checkpoint.title }, language }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/runs",
      summary: "Compile and start the learner's program",
      request: { body: { content: { "application/json": { schema: S.StartRunBody } }, required: true } },
      responses: {
        201: json(S.RunCreatedSchema, "The run started, or waits for a free slot; read its output from eventsUrl"),
        400: problem("The body is not a valid run request"),
        404: problem("No such exercise"),
        413: problem("Too much code"),
        429: problem("This learner runs too many programs, or the server and its queue are full"),
      },
    }),
    async (c) => {
      const { exerciseId, files } = c.req.valid("json");
      const exercise = deps.catalog.get(exerciseId);
      if (!exercise) return c.json(errorBody("not_found", `No exercise with id "${exerciseId}".`), 404);
      const size = Object.values(files).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
      if (size > deps.sourceLimitBytes) {
        return c.json(errorBody("too_large", `Your files hold ${Math.round(size / 1024)} KiB; the limit is ${deps.sourceLimitBytes / 1024} KiB.`), 413);
      }
      const learner = c.get("learnerId");
      // Without Kafka no principal can be made; the run still starts, fails to connect, and says Kafka is down.
      const kafka = await deps.principals.forLearner(learner).catch(() => ({ namespace: learnerNamespace(learner) }));
      try {
        const run = await deps.runs.start({
          learnerId: learner,
          exerciseId,
          files,
          kafka,
          language: exercise.language,
          wallTimeMs: exercise.timeLimitSeconds ? exercise.timeLimitSeconds * 1000 : undefined,
        });
        return c.json({ id: run.id, eventsUrl: `/api/runs/${run.id}/events` }, 201);
      } catch (error) {
        if (!(error instanceof RunRefused)) throw error;
        c.header("Retry-After", String(error.retryAfterSeconds));
        return c.json(errorBody("too_many_runs", error.message), 429);
      }
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/runs/{id}/events",
      summary: "The run's output as server-sent events: stdout, stderr, then one exit",
      description:
        "Each event's data is JSON. `queued`: {position}, while the server is full (1 = next). `stdout`/`stderr`: {data}. " +
        "`exit`: {code, reason, durationMs, message}. " +
        "Event ids are sequence numbers; reconnect with Last-Event-ID to resume. The run is stopped when nobody has watched it for a few seconds.",
      request: { params: S.RunIdParam },
      responses: {
        200: { content: { "text/event-stream": { schema: z.string() } }, description: "The event stream" },
        400: problem("Not a run id"),
        404: problem("No such run"),
      },
    }),
    (c) => {
      const run = deps.runs.get(c.req.valid("param").id);
      if (!run) return c.json(errorBody("not_found", "No such run; it may have finished more than five minutes ago."), 404);
      const lastSeen = Number(c.req.header("Last-Event-ID") ?? -1);
      return streamSSE(c, async (stream) => {
        // Writes are chained so they reach the wire in order, and all of them before the stream closes.
        let written = Promise.resolve();
        await new Promise<void>((done) => {
          const unsubscribe = run.subscribe((event, seq) => {
            const { type, ...data } = event;
            written = written.then(() => stream.writeSSE({ event: type, id: String(seq), data: JSON.stringify(data) }));
            if (type === "exit") void written.then(done);
          }, Number.isInteger(lastSeen) ? lastSeen : -1);
          stream.onAbort(() => {
            unsubscribe();
            done();
          });
        });
      }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/runs/{id}",
      summary: "Stop a run, killing its whole process tree",
      request: { params: S.RunIdParam },
      responses: {
        200: json(S.RunStoppedSchema, "Stopping, or already finished"),
        400: problem("Not a run id"),
        404: problem("No such run"),
      },
    }),
    (c) => {
      const run = deps.runs.get(c.req.valid("param").id);
      if (!run) return c.json(errorBody("not_found", "No such run."), 404);
      const finished = run.exitEvent !== undefined;
      run.stop("stopped");
      return c.json({ id: run.id, status: finished ? ("finished" as const) : ("stopping" as const) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/exercises/{id}/grade",
      summary: "Grade the exercise's checkpoint against the broker's real state, and keep the verdict",
      request: { params: S.ExerciseIdParam },
      responses: {
        200: json(S.VerdictSchema, "The verdict: pass, fail (with reasons), or error when Kafka does not answer"),
        400: problem("Not an exercise id"),
        404: problem("No such exercise"),
      },
    }),
    async (c) => {
      const exercise = deps.catalog.get(c.req.valid("param").id);
      if (!exercise) return c.json(errorBody("not_found", `No exercise with id "${c.req.valid("param").id}".`), 404);
      const namespace = learnerNamespace(c.get("learnerId"));
      const verdict = exercise.graderPath && deps.readRecords
        ? await runGrader(exercise.id, exercise.checkpoint, exercise.graderPath, deps.readRecords, namespace, inNamespace(deps.broker, namespace))
        : await gradeCheckpoint(exercise.id, exercise.checkpoint, inNamespace(deps.broker, namespace));
      if (verdict.status !== "error") deps.progress.recordVerdict(c.get("learnerId"), verdict);
      return c.json(verdict, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/progress",
      summary: "This learner's latest verdict for each exercise",
      responses: { 200: json(S.ProgressSchema, "The learner's progress") },
    }),
    (c) => c.json({ verdicts: deps.progress.verdictsOf(c.get("learnerId")) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/exercises/{id}/solution",
      summary: "The exercise's solution, for a learner who asks to see it",
      request: { params: S.ExerciseIdParam },
      responses: { 200: json(S.SolutionSchema, "The solution"), 400: problem("Not an exercise id"), 404: problem("No such exercise") },
    }),
    (c) => {
      const exercise = deps.catalog.get(c.req.valid("param").id);
      if (!exercise) return c.json(errorBody("not_found", `No exercise with id "${c.req.valid("param").id}".`), 404);
      return c.json({ id: exercise.id, solution: exercise.solution }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/learner",
      summary: "This learner's Kafka namespace, and whether the broker enforces it",
      responses: { 200: json(S.LearnerSchema, "The learner's namespace") },
    }),
    (c) => c.json({ namespace: learnerNamespace(c.get("learnerId")), brokerEnforced: deps.principals.enforced }, 200),
  );

  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Tributary sandbox API", version: "1.0.0", description: "Run learners' Kafka programs and grade checkpoints." },
  });

  app.notFound((c) => c.json(errorBody("not_found", `No route ${c.req.method} ${new URL(c.req.url).pathname}.`), 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      // Hono's own validators throw these, e.g. for a body that is not JSON.
      const message =
        error.status === 415
          ? "Send the body as JSON, with the header Content-Type: application/json."
          : error.message || "The request is malformed.";
      return c.json(errorBody("invalid_request", message), error.status);
    }
    console.error(error);
    return c.json(errorBody("internal", "Something went wrong on the server; it has been logged."), 500);
  });
  return app;
}
