// What every sub-app of the API shares: the stages it hands work to (AppDependencies), how a route says
// it acts for a learner, and the JSON shapes of answers and problems.
import type { Context, MiddlewareHandler } from "hono";
import { OpenAPIHono, createRoute, type z } from "@hono/zod-openapi";
import type { BrokerNodeState, BrokerState, KafkaProbe, LearnerKafka, LiveViews, OwnedNames, RunMarks } from "../kafka/index.ts";
import type { ExerciseCatalog } from "../exercises/index.ts";
import type { ProgressStore } from "../progress/index.ts";
import type { CheckGrading } from "../grading/index.ts";
import type { RunRegistry } from "../runs/index.ts";
import type { LabClusters } from "../lab/index.ts";
import type { LearnerEnv } from "../http/learner-id.ts";
import * as S from "../contract/index.ts";

/** Each learner's Kafka state of one exercise: cleared, made anew, marked at a run's start. */
export interface ExerciseSlateAccess {
  clear(namespace: string, owned: OwnedNames): Promise<{ topics: string[]; groups: string[] }>;
  prepare(namespace: string, owned: OwnedNames): Promise<void>;
  mark(namespace: string, topics: string[]): Promise<RunMarks>;
}

export interface AppDependencies {
  catalog: ExerciseCatalog;
  runs: RunRegistry;
  broker: BrokerState;
  /** Each learner's namespace and Kafka principal. */
  principals: { forLearner(learnerId: string, namespace: string): Promise<LearnerKafka>; readonly enforced: boolean };
  progress: ProgressStore;
  slates: ExerciseSlateAccess;
  probeKafka: () => Promise<KafkaProbe & { bootstrap: string[]; nodes: BrokerNodeState[] }>;
  sourceLimitBytes: number;
  /** The fair queue and worker threads of Checks; made from the environment's settings when absent. */
  grading?: CheckGrading;
  /**
   * Each learner's live view of their Kafka, by cluster ("course": the course's brokers). Another cluster
   * (a learner's own lab cluster, say) is one more resolver where the server builds it. Absent: no live view.
   */
  live?: LiveViews;
  /** Fault labs, one per learner who asks. Absent: exercises on a lab cannot run here. */
  labs?: LabClusters;
}

/** A sub-app of the API: validation failures become a 400 that names each offending field. */
export function apiRoom(): OpenAPIHono<LearnerEnv> {
  return new OpenAPIHono<LearnerEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const message = result.error.issues.map((issue) => `${issue.path.join(".") || "request"}: ${issue.message}`).join("; ");
      return c.json(errorBody("invalid_request", message), 400);
    },
  });
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});
export const problem = (description: string) => json(S.ErrorSchema, description);
export const errorBody = (code: string, message: string) => ({ error: { code, message } });
export const noSuchExercise = (c: Context, id: string) => c.json(errorBody("not_found", `No exercise with id "${id}".`), 404);

type RouteConfig = Parameters<typeof createRoute>[0];

/** Builds a room's routes, adding what the guards in front of every route may answer (see `routeMaker`). */
export type RouteMaker = <const R extends RouteConfig>(config: R, options: { learner: boolean }) => R;

/**
 * Routes and the answers their guards may give besides their own: every route can get 421 (Host); one that
 * changes something, 403 (another site, or no learner cookie); one that reads as a learner, 429 (too many
 * new learners from one address, or too many open streams). `learner` routes run `learnerGuard` first.
 */
export function routeMaker(learnerGuard: MiddlewareHandler<LearnerEnv>): RouteMaker {
  return (config, options) => {
    const responses: RouteConfig["responses"] = { ...config.responses, 421: problem("The Host header names none of this server's names") };
    if (config.method !== "get") responses[403] ??= problem("No learner cookie from this server, or the request came from another site");
    else if (options.learner) responses[429] ??= problem("Too many new learners came from this address in the last hour, or too many open streams");
    return createRoute({ ...config, responses, ...(options.learner ? { middleware: [learnerGuard] } : {}) }) as typeof config;
  };
}
