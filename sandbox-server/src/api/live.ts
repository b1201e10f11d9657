// The live view of a learner's own Kafka: their topics, records and groups as the broker shows them to
// the learner's own principal, pushed while their code runs. The learner is the cookie's; the browser
// names only which cluster to watch, which the server resolves.
import { OpenStreams } from "../http/event-streams.ts";
import { eventStream } from "../http/sse.ts";
import type { LiveUpdate } from "../kafka/index.ts";
import * as S from "../contract/index.ts";
import { apiRoom, errorBody, problem, type AppDependencies, type RouteMaker } from "./shared.ts";

/** How long a request for one view waits for the first reading. */
const FIRST_VIEW_MS = 15_000;

export function liveRoom(deps: AppDependencies, route: RouteMaker, streamsPerLearner: number) {
  const streams = new OpenStreams(streamsPerLearner);
  return apiRoom().openapi(
    route(
      {
        method: "get",
        path: "/api/live",
        summary: "This learner's Kafka as it is now: topics, partitions, offsets, the last records and consumer groups",
        description:
          "To a client that accepts text/event-stream (a browser's EventSource), server-sent events while it listens: `view` " +
          "(a LiveView) whenever what it shows changes, about once a second at most while nothing arrives and at once when a " +
          "record does, and `problem` (a LiveProblem) when Kafka could not be read. To any other client, the view once, as JSON. " +
          "Only the learner's own topics and groups are shown, as their own Kafka principal sees them.",
        request: { query: S.LiveQuery },
        responses: {
          200: {
            content: {
              "text/event-stream": { schema: S.LiveServerSentEventSchema },
              "application/json": { schema: S.LiveViewSchema },
            },
            description: "The view: an event stream, or once as JSON",
          },
          400: problem("Not a cluster name"),
          404: problem("No such cluster for this learner"),
          503: problem("Kafka could not be read (JSON only; a stream says so in a `problem` event and carries on)"),
        },
      },
      { learner: true },
    ),
    async (c) => {
      const { cluster } = c.req.valid("query");
      const live = deps.live;
      if (!live?.clusters.includes(cluster)) {
        const offered = live?.clusters.join(", ") || "none";
        return c.json(errorBody("not_found", `There is no cluster "${cluster}" to watch; this server offers: ${offered}.`), 404);
      }
      const learner = { id: c.get("learnerId"), namespace: c.get("namespace") };
      if (!(c.req.header("Accept") ?? "").includes("text/event-stream")) {
        const update = await firstUpdate((listener) => live.watch(cluster, learner, listener)!);
        if (update?.type === "view") return c.json(update.view, 200);
        return c.json(errorBody("kafka_unavailable", update?.message ?? "Kafka did not answer in time; try again."), 503);
      }
      if (!streams.open(learner.id)) {
        return c.json(
          errorBody("too_many_streams", `You have ${streamsPerLearner} live views open, the limit per learner; close a tab or two.`),
          429,
        );
      }
      return eventStream(
        c,
        (send) => live.watch(cluster, learner, (update) => send(update.type, update.type === "view" ? update.view : { message: update.message }))!,
        () => streams.close(learner.id),
      ) as never;
    },
  );
}

/** The first update a new listener gets (at once when the watcher already has one), or undefined in time. */
function firstUpdate(listen: (listener: (update: LiveUpdate) => void) => () => void): Promise<LiveUpdate | undefined> {
  return new Promise((resolve) => {
    let stop: (() => void) | undefined;
    let done = false;
    const finish = (update?: LiveUpdate) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      queueMicrotask(() => stop?.());
      resolve(update);
    };
    const timer = setTimeout(finish, FIRST_VIEW_MS);
    stop = listen(finish);
  });
}
