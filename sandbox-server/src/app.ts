// The HTTP API: routes, validation and wiring only. Each route hands its work to one stage.
import type { Context } from "hono";
import { OpenAPIHono, createRoute, type z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "hono/body-limit";
import { streamSSE } from "hono/streaming";
import {
  learnerNamespace,
  brokersNeeded,
  type BrokerState,
  type BrokerNodeState,
  type KafkaProbe,
  type LearnerKafka,
  type OwnedNames,
  type RunMarks,
} from "./kafka/index.ts";
import type { ExerciseCatalog } from "./exercises/index.ts";
import { gradeCheckpoint } from "./grading/index.ts";
import { log } from "./log.ts";
import type { ProgressStore } from "./progress/index.ts";
import { RunRefused, compilerHealth, type RunEvent, type RunRegistry, type SlateAtLaunch } from "./runs/index.ts";
import { LearnerIds, learnerIdentity, needsLearner, type LearnerEnv } from "./http/learner-id.ts";
import { sameOrigin, serverHostNames } from "./http/same-origin.ts";
import { OpenStreams, lastEventId } from "./http/event-streams.ts";
import * as S from "./contract/index.ts";

export interface AppDependencies {
  catalog: ExerciseCatalog;
  runs: RunRegistry;
  broker: BrokerState;
  /** Each learner's namespace and Kafka principal. */
  principals: { forLearner(learnerId: string, namespace: string): Promise<LearnerKafka>; readonly enforced: boolean };
  progress: ProgressStore;
  /** Each learner's Kafka state of one exercise: cleared, made anew, marked at a run's start. */
  slates: ExerciseSlateAccess;
  probeKafka: () => Promise<KafkaProbe & { bootstrap: string[]; nodes: BrokerNodeState[] }>;
  sourceLimitBytes: number;
  /** Issues and checks learner ids; without it, ids are signed with a key that lives as long as the app. */
  identity?: LearnerIds;
  /** Limits that keep one learner or page from taking over a shared server; defaults suit one learner on their machine. */
  protection?: Partial<AppProtection>;
}

export interface ExerciseSlateAccess {
  clear(namespace: string, owned: OwnedNames): Promise<{ topics: string[]; groups: string[] }>;
  prepare(namespace: string, owned: OwnedNames): Promise<void>;
  mark(namespace: string, topics: string[]): Promise<RunMarks>;
}

export interface AppProtection {
  /** Names the server answers to (Host). */
  hostNames: string[];
  newLearnersPerHour: number;
  streamsPerLearner: number;
}

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});
const problem = (description: string) => json(S.ErrorSchema, description);
const errorBody = (code: string, message: string) => ({ error: { code, message } });
const noSuchExercise = (c: Context, id: string) => c.json(errorBody("not_found", `No exercise with id "${id}".`), 404);

/** The methods the API's routes answer on `pathname` (GET brings HEAD); empty when no route has that path. */
function allowedMethods(routes: { method: string; path: string }[], pathname: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method === "ALL" || !route.path.startsWith("/api/")) continue;
    const pattern = new RegExp(`^${route.path.replace(/:[^/]+/g, "[^/]+")}$`);
    if (!pattern.test(pathname)) continue;
    methods.add(route.method);
    if (route.method === "GET") methods.add("HEAD");
  }
  return [...methods];
}

/** Builds the API app; `deps` supplies every stage, so tests can pass their own. */
export function createApp(deps: AppDependencies) {
  const app = new OpenAPIHono<LearnerEnv>({
    // Validation failures become a 400 that names each offending field.
    defaultHook: (result, c) => {
      if (result.success) return;
      const message = result.error.issues.map((issue) => `${issue.path.join(".") || "request"}: ${issue.message}`).join("; ");
      return c.json(errorBody("invalid_request", message), 400);
    },
  });

  const protection: AppProtection = { hostNames: serverHostNames("127.0.0.1"), newLearnersPerHour: 30, streamsPerLearner: 8, ...deps.protection };
  // A method no route of a known path takes is answered 405 before anything asks who is calling.
  app.use("/api/*", async (c, next) => {
    const allowed = allowedMethods(app.routes, c.req.path);
    if (allowed.length === 0 || allowed.includes(c.req.method)) return next();
    c.header("Allow", allowed.join(", "));
    return c.json(errorBody("method_not_allowed", `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(" or ")}.`), 405);
  });
  app.use("*", sameOrigin(protection.hostNames));
  app.use("/api/*", learnerIdentity(deps.identity ?? new LearnerIds(), learnerNamespace, protection.newLearnersPerHour));
  const streams = new OpenStreams(protection.streamsPerLearner);
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
      responses: {
        200: json(S.HealthSchema, "Kafka serves (it answers, with a majority of its brokers up: kafka.nodes tells which) and programs compile"),
        503: json(
          S.HealthSchema,
          "Kafka does not serve (it does not answer, or fewer than a majority of its brokers are up), or the compiler is broken",
        ),
      },
    }),
    async (c) => {
      const [kafka, compiler] = await Promise.all([deps.probeKafka(), compilerHealth()]);
      const { kind, note, canary } = deps.runs.isolation;
      const runs = {
        alive: deps.runs.alive().length,
        isolation: kind,
        warmSandboxes: deps.runs.warmSandboxes,
        ...(note ? { note } : {}),
        ...(canary ? { canary } : {}),
      };
      const up = kafka.nodes.filter((node) => node.up).length;
      const healthy = kafka.reachable && up >= brokersNeeded(kafka.nodes.length) && compiler.ok;
      const body = { status: healthy ? ("ok" as const) : ("degraded" as const), kafka, runs, compiler };
      return c.json(body, healthy ? 200 : 503);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/exercises/{id}",
      summary: "An exercise's starter code, hints and checkpoint",
      request: { params: S.ExerciseIdParam },
      responses: { 200: json(S.ExerciseSchema, "The exercise"), 400: problem("Not an exercise id"), 404: problem("No such exercise") },
    }),
    (c) => {
      const exercise = deps.catalog.get(c.req.valid("param").id);
      if (!exercise) return noSuchExercise(c, c.req.valid("param").id);
      const { id, title, lesson, starter, hints, hintsByLanguage, checkpoint, languages, language, owns, freshEachRun } = exercise;
      const starters = Object.fromEntries(languages.map((offered) => [offered, exercise.code[offered]!.starter]));
      // A SQL exercise about to be opened: a Flink runner starts warming up now, not at the first Run.
      if (language === "sql") void deps.runs.warmUp(language);
      const slate = { topics: Object.keys(owns.topics), groups: owns.groups, freshEachRun };
      return c.json(
        { id, title, lesson, starter, languages, starters, hints, hintsByLanguage, checkpoint: { title: checkpoint.title }, language, slate },
        200,
      );
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
        413: problem("Too much code, or a body over the size limit"),
        415: problem("The body is not sent as application/json"),
        429: problem("This learner runs too many programs, or the server and its queue are full"),
      },
    }),
    async (c) => {
      const { exerciseId, files } = c.req.valid("json");
      const exercise = deps.catalog.get(exerciseId);
      if (!exercise) return noSuchExercise(c, exerciseId);
      const size = Object.values(files).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
      if (size > deps.sourceLimitBytes) {
        return c.json(
          errorBody("too_large", `Your files hold ${Math.round(size / 1024)} KiB; the limit is ${deps.sourceLimitBytes / 1024} KiB.`),
          413,
        );
      }
      const learner = c.get("learnerId");
      const namespace = c.get("namespace");
      // Without Kafka no principal can be made; the run still starts, fails to connect, and says Kafka is down.
      const kafka = await deps.principals.forLearner(learner, namespace).catch((error: Error) => {
        log.warn({ learner, namespace, err: error }, "could not create the learner's Kafka principal");
        return { namespace };
      });
      // Just before the program starts: a lab's slate is cleared and made anew; elsewhere, where its topics end is marked.
      const ready = async (): Promise<SlateAtLaunch> => {
        if (exercise.freshEachRun) await deps.slates.clear(namespace, exercise.owns);
        await deps.slates.prepare(namespace, exercise.owns);
        if (exercise.freshEachRun) return { freshSlate: true, marks: {} };
        return { freshSlate: false, marks: await deps.slates.mark(namespace, Object.keys(exercise.owns.topics)) };
      };
      try {
        const run = await deps.runs.start({
          learnerId: learner,
          exerciseId,
          files,
          kafka,
          language: exercise.language,
          wallTimeMs: exercise.timeLimitSeconds ? exercise.timeLimitSeconds * 1000 : undefined,
          slate: { fresh: exercise.freshEachRun, ready },
          onRecord: (record) =>
            void deps.progress
              .recordRun(learner, record)
              .catch((error: Error) => log.error({ learner, run: record.id, err: error }, "could not keep a run's record")),
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
        200: {
          content: {
            "text/event-stream": { schema: S.RunServerSentEventSchema },
          },
          description: "The event stream",
        },
        400: problem("Not a run id"),
        404: problem("No such run"),
      },
    }),
    (c) => {
      const run = deps.runs.get(c.req.valid("param").id);
      // Another learner's run is as good as absent: its output and its Stop are its learner's alone.
      if (!run || run.learnerId !== c.get("learnerId")) {
        return c.json(errorBody("not_found", "No such run; it may have finished more than five minutes ago."), 404);
      }
      const lastSeen = lastEventId(c.req.header("Last-Event-ID"));
      if (lastSeen === undefined) {
        return c.json(errorBody("invalid_request", "Last-Event-ID must be the id of an event this stream sent: a whole number from 0."), 400);
      }
      const learner = c.get("learnerId");
      if (!streams.open(learner)) {
        return c.json(
          errorBody("too_many_streams", `You have ${protection.streamsPerLearner} event streams open, the limit per learner; close a tab or two.`),
          429,
        );
      }
      return streamSSE(c, async (stream) => {
        // Writes are chained so they reach the wire in order, and all of them before the stream closes.
        let written = Promise.resolve();
        const send = (event: RunEvent, seq: number) => {
          const { type, ...data } = event;
          written = written.then(() => stream.writeSSE({ event: type, id: String(seq), data: JSON.stringify(data) }));
        };
        try {
          await new Promise<void>((done) => {
            let sentExit = false;
            const unsubscribe = run.subscribe((event, seq) => {
              send(event, seq);
              if (event.type === "exit") {
                sentExit = true;
                void written.then(done);
              }
            }, lastSeen);
            // A finished run whose exit this viewer has seen already: say it again, so the viewer stops asking.
            const exit = run.exitEvent;
            if (exit && !sentExit) {
              send(exit, run.events.length - 1);
              void written.then(done);
            }
            stream.onAbort(() => {
              unsubscribe();
              done();
            });
          });
        } finally {
          streams.close(learner);
        }
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
      if (!run || run.learnerId !== c.get("learnerId")) return c.json(errorBody("not_found", "No such run."), 404);
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
        413: problem("A body over the size limit (the route takes none)"),
      },
    }),
    async (c) => {
      const exercise = deps.catalog.get(c.req.valid("param").id);
      if (!exercise) return noSuchExercise(c, c.req.valid("param").id);
      const learner = c.get("learnerId");
      const verdict = await gradeCheckpoint(exercise.id, exercise.checkpoint, deps.broker, {
        namespace: c.get("namespace"),
        graderFile: exercise.graderFile,
        runs: await deps.progress.runsOf(learner, exercise.id),
        ownedTopics: Object.keys(exercise.owns.topics),
      });
      // An ungraded Check (Kafka did not answer) is not the learner's result: it never replaces one.
      if (verdict.status !== "error") await deps.progress.recordVerdict(learner, verdict);
      log.info({ learner, exercise: exercise.id, status: verdict.status }, "checkpoint graded");
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
    async (c) => c.json({ verdicts: await deps.progress.verdictsOf(c.get("learnerId")) }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/exercises/{id}/reset",
      summary: "Start the exercise over: stop this learner's runs of it and delete its topics and groups in their namespace",
      request: { params: S.ExerciseIdParam },
      responses: {
        200: json(S.ExerciseResetSchema, "What was stopped and deleted"),
        400: problem("Not an exercise id"),
        404: problem("No such exercise"),
        413: problem("A body over the size limit (the route takes none)"),
        503: problem("Kafka did not answer; nothing was deleted"),
      },
    }),
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
        log.warn({ learner, exercise: exercise.id, err: (error as Error).message }, "could not start an exercise over: Kafka did not answer");
        return c.json(errorBody("kafka_unavailable", "Kafka did not answer, so nothing was deleted. Try again in a moment."), 503);
      }
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/exercises/{id}/solution",
      summary: "The exercise's solution, for a learner who asks to see it",
      request: { params: S.ExerciseIdParam, query: S.SolutionQuery },
      responses: { 200: json(S.SolutionSchema, "The solution"), 400: problem("Not an exercise id"), 404: problem("No such exercise") },
    }),
    (c) => {
      const exercise = deps.catalog.get(c.req.valid("param").id);
      if (!exercise) return noSuchExercise(c, c.req.valid("param").id);
      const language = c.req.valid("query").language ?? "typescript";
      const code = exercise.code[language];
      if (!code)
        return c.json(
          errorBody("not_found", `Exercise "${exercise.id}" is not offered in ${language}; it is in ${exercise.languages.join(", ")}.`),
          404,
        );
      return c.json({ id: exercise.id, language, solution: code.solution }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/learner",
      summary: "This learner's Kafka namespace, and whether the broker enforces it",
      responses: { 200: json(S.LearnerSchema, "The learner's namespace") },
    }),
    (c) => c.json({ namespace: c.get("namespace"), brokerEnforced: deps.principals.enforced }, 200),
  );

  // The guards in front of every route (Host, same origin, the learner's cookie) answer too: each route's
  // document names their answers, so the document holds every status the server sends.
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== "route") continue;
    const { route } = definition;
    route.responses[421] ??= problem("The Host header names none of this server's names");
    if (route.method !== "get") route.responses[403] ??= problem("No learner cookie from this server, or the request came from another site");
    else if (needsLearner(route.path.replace(/\{[^}]+\}/g, "x"))) {
      route.responses[429] ??= problem("Too many new learners came from this address in the last hour, or too many open streams");
    }
  }

  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Tributary sandbox API", version: "1.0.0", description: "Run learners' Kafka programs and grade checkpoints." },
  });

  // Each event's data, as a schema of its own in the document (an SSE body has no JSON schema of its own).
  app.openAPIRegistry.register("RunEventData", S.RunEventDataSchema);

  app.notFound((c) => {
    const pathname = new URL(c.req.url).pathname;
    const allowed = allowedMethods(app.routes, pathname);
    if (allowed.length > 0) {
      c.header("Allow", allowed.join(", "));
      return c.json(errorBody("method_not_allowed", `${c.req.method} is not allowed on ${pathname}; use ${allowed.join(" or ")}.`), 405);
    }
    return c.json(errorBody("not_found", `No route ${c.req.method} ${pathname}.`), 404);
  });
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      // Hono's own validators throw these, e.g. for a body that is not JSON.
      const message =
        error.status === 415
          ? "Send the body as JSON, with the header Content-Type: application/json."
          : error.message || "The request is malformed.";
      return c.json(errorBody("invalid_request", message), error.status);
    }
    log.error({ err: error, route: c.req.path }, "request failed");
    return c.json(errorBody("internal", "Something went wrong on the server; it has been logged."), 500);
  });
  return app;
}
