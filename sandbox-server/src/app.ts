// The HTTP API: the guards in front of every route, and one sub-app per room (app.route), each with its
// routes, validation and wiring. The OpenAPI document is generated from the same schemas that validate.
import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "hono/body-limit";
import { methodNotAllowed } from "hono/method-not-allowed";
import { learnerNamespace } from "./kafka/index.ts";
import { ProgressStoreFault } from "./progress/index.ts";
import { log } from "./log.ts";
import { LearnerIds, learnerIdentity } from "./http/learner-id.ts";
import { sameOrigin, serverHostNames } from "./http/same-origin.ts";
import * as S from "./contract/index.ts";
import { apiRoom, errorBody, routeMaker, type AppDependencies } from "./api/shared.ts";
import { healthRoom } from "./api/health.ts";
import { exercisesRoom } from "./api/exercises.ts";
import { runsRoom } from "./api/runs.ts";
import { learnersRoom } from "./api/learners.ts";
import { liveRoom } from "./api/live.ts";
import { labRoom } from "./api/lab.ts";
import { LabClusters } from "./lab/index.ts";

export type { AppDependencies, ExerciseSlateAccess } from "./api/shared.ts";

export interface AppProtection {
  /** Names the server answers to (Host). */
  hostNames: string[];
  /** Origins besides the server's own that its pages are served from (a proxy that ends TLS, say). */
  extraOrigins: string[];
  newLearnersPerHour: number;
  streamsPerLearner: number;
}

/** Builds the API app; `deps` supplies every stage, so tests can pass their own. */
export function createApp(deps: AppDependencies & { identity?: LearnerIds; protection?: Partial<AppProtection> }) {
  const protection: AppProtection = {
    hostNames: serverHostNames("127.0.0.1"),
    extraOrigins: [],
    newLearnersPerHour: 30,
    streamsPerLearner: 8,
    ...deps.protection,
  };
  // What a Run needs is readied while the learner reads, not when they press Run: for a class arriving together
  // that is a batch of round trips and process starts less on everyone's first Run. Their Kafka principal is
  // asked for once per learner per server, and a process is kept started for them while they read, both from
  // the first request that brings their cookie back: a browser that keeps no cookies gets a new id on every
  // request, and is given neither for each.
  const principalsAsked = new Set<string>();
  const whileReading = (learnerId: string, namespace: string, issued: boolean) => {
    if (issued) return;
    deps.runs.noteReader?.(learnerId);
    if (principalsAsked.has(learnerId)) return;
    principalsAsked.add(learnerId);
    void deps.principals
      .forLearner(learnerId, namespace)
      .catch((error: Error) => log.warn({ namespace, err: error.message }, "could not make a learner's Kafka principal ahead of their run"));
  };
  const route = routeMaker(learnerIdentity(deps.identity ?? new LearnerIds(), learnerNamespace, protection.newLearnersPerHour, whileReading));
  const app = apiRoom();
  // A method no route of a known path takes is answered 405, naming the ones it takes. Only the API's
  // routes count: the site's catch-all page route (added later) takes GET everywhere.
  const apiRoutes = {
    get routes() {
      return app.routes.filter((route) => route.path.startsWith("/api/"));
    },
  } as typeof app;
  app.use(
    "/api/*",
    methodNotAllowed({
      app: apiRoutes,
      onMethodNotAllowed: (c, methods) =>
        c.json(errorBody("method_not_allowed", `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(" or ")}.`), 405, {
          Allow: methods.join(", "),
        }),
    }),
  );
  app.use("*", sameOrigin(protection.hostNames, protection.extraOrigins));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: deps.sourceLimitBytes + 16 * 1024,
      onError: (c) => c.json(errorBody("too_large", `Request bodies are limited to ${Math.round(deps.sourceLimitBytes / 1024)} KiB of code.`), 413),
    }),
  );
  const api = app
    .route("/", healthRoom(deps, route))
    .route("/", exercisesRoom(deps, route))
    .route("/", runsRoom(deps, route, protection.streamsPerLearner))
    .route("/", learnersRoom(deps, route))
    .route("/", liveRoom(deps, route, protection.streamsPerLearner))
    .route("/", labRoom(deps.labs ?? LabClusters.none(), route));

  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Tributary sandbox API", version: "1.0.0", description: "Run learners' Kafka programs and grade checkpoints." },
  });
  // Each event's data, as a schema of its own in the document (an SSE body has no JSON schema of its own).
  app.openAPIRegistry.register("RunEventData", S.RunEventDataSchema);

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
    if (error instanceof ProgressStoreFault) {
      // The host's log names the store and the cause; the learner reads what became of their work.
      log.error({ err: error, route: c.req.path }, error.message);
      return c.json(errorBody(error.code, error.learnerMessage), 503);
    }
    log.error({ err: error, route: c.req.path }, "request failed");
    return c.json(errorBody("internal", "Something went wrong on the server; it has been logged."), 500);
  });
  return api;
}

/** The API's type, for a client typed from it (hono/client's `hc`). */
export type AppType = ReturnType<typeof createApp>;
