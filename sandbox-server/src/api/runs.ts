// A learner's programs: start one (in any language the exercise is offered in), follow its output as
// server-sent events, stop it. Each run answers to the learner who started it only.
import type { RunCluster, SlateAtLaunch } from "../runs/index.ts";
import { RunRefused, type RunEvent } from "../runs/index.ts";
import { languageOfFiles, LANGUAGES } from "../contract/languages.ts";
import { log } from "../log.ts";
import { OpenStreams, lastEventId } from "../http/event-streams.ts";
import { eventStream } from "../http/sse.ts";
import * as S from "../contract/index.ts";
import { apiRoom, errorBody, json, noSuchExercise, problem, type AppDependencies, type ExerciseSlateAccess, type RouteMaker } from "./shared.ts";

export function runsRoom(deps: AppDependencies, route: RouteMaker, streamsPerLearner: number) {
  const streams = new OpenStreams(streamsPerLearner);
  return apiRoom()
    .openapi(
      route(
        {
          method: "post",
          path: "/api/runs",
          summary: "Compile and start the learner's program",
          request: { body: { content: { "application/json": { schema: S.StartRunBody } }, required: true } },
          responses: {
            201: json(S.RunCreatedSchema, "The run started, or waits for a free slot; read its output from eventsUrl"),
            400: problem("The body is not a valid run request, or names a language the exercise is not offered in"),
            404: problem("No such exercise"),
            413: problem("Too much code, or a body over the size limit"),
            409: problem("The exercise runs on the learner's lab cluster, which is not ready (or has a broker stopped)"),
            415: problem("The body is not sent as application/json"),
            429: problem("This learner runs too many programs, or the server and its queue are full"),
          },
        },
        { learner: true },
      ),
      async (c) => {
        const { exerciseId, files } = c.req.valid("json");
        const exercise = deps.catalog.get(exerciseId);
        if (!exercise) return noSuchExercise(c, exerciseId);
        const language = languageOfFiles(files) ?? exercise.language;
        if (!exercise.languages.includes(language)) {
          const offered = exercise.languages.map((offer) => LANGUAGES[offer].label).join(", ");
          return c.json(
            errorBody("invalid_request", `Exercise "${exercise.id}" is offered in ${offered}, not in ${LANGUAGES[language].label}.`),
            400,
          );
        }
        const size = Object.values(files).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
        if (size > deps.sourceLimitBytes) {
          return c.json(
            errorBody("too_large", `Your files hold ${Math.round(size / 1024)} KiB; the limit is ${deps.sourceLimitBytes / 1024} KiB.`),
            413,
          );
        }
        const learner = c.get("learnerId");
        const namespace = c.get("namespace");
        // An exercise on the learner's lab reaches that lab: its principal, its slate, its bridge.
        const target = exercise.cluster === "lab" ? labTarget(deps, learner) : courseTarget(deps);
        if ("refused" in target) return c.json(errorBody("lab_not_ready", target.refused), 409);
        // Without Kafka no principal can be made; the run still starts, fails to connect, and says Kafka is down.
        const kafka = await target.principals.forLearner(learner, namespace).catch((error: Error) => {
          log.warn({ learner, namespace, err: error }, "could not create the learner's Kafka principal");
          return { namespace };
        });
        const { slates } = target;
        // Just before the program starts: a lab's slate is cleared and made anew; elsewhere, where its topics end is marked.
        const ready = async (): Promise<SlateAtLaunch> => {
          if (exercise.freshEachRun) await slates.clear(namespace, exercise.owns);
          await slates.prepare(namespace, exercise.owns);
          if (exercise.freshEachRun) return { freshSlate: true, marks: {} };
          return { freshSlate: false, marks: await slates.mark(namespace, Object.keys(exercise.owns.topics)) };
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
            ...(target.cluster && { cluster: target.cluster }),
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
    )
    .openapi(
      route(
        {
          method: "get",
          path: "/api/runs/{id}/events",
          summary: "The run's output as server-sent events: stdout, stderr, then one exit",
          description:
            "Each event's data is JSON. `queued`: {position}, while the server is full (1 = next). `stdout`/`stderr`: {data}. " +
            "`exit`: {code, reason, durationMs, message}. " +
            "Event ids are sequence numbers; reconnect with Last-Event-ID to resume. The run is stopped when nobody has watched it for a few seconds.",
          request: { params: S.RunIdParam },
          responses: {
            200: { content: { "text/event-stream": { schema: S.RunServerSentEventSchema } }, description: "The event stream" },
            400: problem("Not a run id"),
            404: problem("No such run"),
          },
        },
        { learner: true },
      ),
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
            errorBody("too_many_streams", `You have ${streamsPerLearner} event streams open, the limit per learner; close a tab or two.`),
            429,
          );
        }
        return eventStream(
          c,
          (send, end) => {
            const forward = (event: RunEvent, seq: number) => {
              const { type, ...data } = event;
              send(type, data, String(seq));
            };
            let sentExit = false;
            const unsubscribe = run.subscribe((event, seq) => {
              forward(event, seq);
              if (event.type === "exit") {
                sentExit = true;
                end();
              }
            }, lastSeen);
            // A finished run whose exit this viewer has seen already: say it again, so the viewer stops asking.
            const exit = run.exitEvent;
            if (exit && !sentExit) {
              forward(exit, run.events.length - 1);
              end();
            }
            return unsubscribe;
          },
          () => streams.close(learner),
        ) as never;
      },
    )
    .openapi(
      route(
        {
          method: "delete",
          path: "/api/runs/{id}",
          summary: "Stop a run, killing its whole process tree",
          request: { params: S.RunIdParam },
          responses: { 200: json(S.RunStoppedSchema, "Stopping, or already finished"), 400: problem("Not a run id"), 404: problem("No such run") },
        },
        { learner: true },
      ),
      (c) => {
        const run = deps.runs.get(c.req.valid("param").id);
        if (!run || run.learnerId !== c.get("learnerId")) return c.json(errorBody("not_found", "No such run."), 404);
        const finished = run.exitEvent !== undefined;
        run.stop("stopped");
        return c.json({ id: run.id, status: finished ? ("finished" as const) : ("stopping" as const) }, 200);
      },
    );
}

/** Where a run of an exercise reaches Kafka: whose principal, which slate, which brokers (the course's unless given). */
interface RunTarget {
  principals: AppDependencies["principals"];
  slates: ExerciseSlateAccess;
  cluster?: RunCluster;
}

function courseTarget(deps: AppDependencies): RunTarget {
  return { principals: deps.principals, slates: deps.slates };
}

/** The learner's lab, when it is ready with every broker up; else why a run cannot start there. */
function labTarget(deps: AppDependencies, learnerId: string): RunTarget | { refused: string } {
  const lab = deps.labs?.ready(learnerId);
  if (!lab) return { refused: deps.labs?.notReadyReason(learnerId) ?? "This server offers no fault labs; ask your course host." };
  const stopped = lab.brokers().filter((broker) => broker.state !== "up");
  if (stopped.length > 0) {
    const names = stopped.map((broker) => `broker ${broker.id}`).join(" and ");
    return {
      refused: `Start ${names} of your lab first: each run begins on fresh topics with three copies, one on every broker.`,
    };
  }
  return { principals: lab.principals, slates: lab.slates, cluster: lab.runCluster };
}
