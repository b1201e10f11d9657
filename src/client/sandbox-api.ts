// The browser's side of the sandbox API. Types come from the server's own schemas, so they cannot drift.
import type { z } from "@hono/zod-openapi";
import type { ErrorSchema, ExerciseResetSchema, ProgressSchema, RunCreatedSchema, VerdictSchema, HealthSchema, RunEvent, ExitEvent } from "#contract";
import type { Language } from "#contract/languages";
import type { LabState } from "#contract/lab";
import { apiClient, labApiClient } from "./api-client.ts";

export type Verdict = z.infer<typeof VerdictSchema>;
export type Progress = z.infer<typeof ProgressSchema>;
export type Health = z.infer<typeof HealthSchema>;
export type { RunEvent, ExitEvent, LabState };

/** A request the server refused or could not serve, with the server's own explanation. */
export class SandboxError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const api = apiClient("/");
const labApi = labApiClient("/");

/** The request that got this page its learner's id, once one was sent; settled once its answer (and cookie) is in. */
let identity: Promise<void> | undefined;
let identified = false;

/**
 * Sends a request that acts for the learner. A page opened without the learner's cookie gets its id from the
 * first such request's answer; were several sent at once, each would get a new learner of its own (and the last
 * cookie win). So the first is sent alone and the others wait for its answer, then go as that learner.
 */
export async function asLearner<T extends Response>(send: () => Promise<T>): Promise<T> {
  if (identified) return send();
  if (identity) {
    await identity;
    return send();
  }
  const sent = send();
  identity = sent.then(
    (response) => {
      // A refusal carries no id: the next request tries again, alone.
      if (response.ok) identified = true;
      else identity = undefined;
    },
    () => {
      identity = undefined;
    },
  );
  return sent;
}

/** Resolves once the page acts for one learner (at once when it already does), so a stream opened next is theirs. */
export async function learnerKnown(): Promise<void> {
  if (identified) return;
  if (!identity) await asLearner(() => api.api.learner.$get()).catch(() => undefined);
  else await identity;
}

/**
 * Sends one request through the typed client (as the learner unless `learner` is false). The server gives a
 * learner their id on a read: a page that had not read anything yet asks for it once, then sends again.
 */
async function call<T>(send: () => Promise<Response>, changesState: boolean, learner = true): Promise<T> {
  let response: Response;
  try {
    response = await (learner ? asLearner(send) : send());
    if (response.status === 403 && changesState) {
      const problem = (await response
        .clone()
        .json()
        .catch(() => undefined)) as z.infer<typeof ErrorSchema> | undefined;
      if (problem?.error?.code === "no_learner" && (await asLearner(() => api.api.learner.$get())).ok) response = await send();
    }
  } catch {
    throw new SandboxError(0, "The sandbox server does not answer. Is `npm start` still running?");
  }
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const message = (payload as z.infer<typeof ErrorSchema> | undefined)?.error?.message;
    throw new SandboxError(response.status, message ?? `The sandbox server answered ${response.status}.`);
  }
  return payload as T;
}

/** Compiles and starts the learner's program (its language's entry file: main.ts, main.py, main.sql); its output arrives through `watchRun`. */
export const startRun = (exerciseId: string, code: string, entry = "main.ts") =>
  call<z.infer<typeof RunCreatedSchema>>(() => api.api.runs.$post({ json: { exerciseId, files: { [entry]: code } } }), true);

export const stopRun = (runId: string) => call<unknown>(() => api.api.runs[":id"].$delete({ param: { id: runId } }), true);

export const fetchSolution = (exerciseId: string, language: Language = "typescript") =>
  call<{ id: string; solution: string }>(
    () => api.api.exercises[":id"].solution.$get({ param: { id: exerciseId }, query: { language } }),
    false,
    false,
  );

export const gradeExercise = (exerciseId: string) => call<Verdict>(() => api.api.exercises[":id"].grade.$post({ param: { id: exerciseId } }), true);

/** Stops the learner's runs of the exercise and deletes its topics and groups in their namespace. */
export const startExerciseOver = (exerciseId: string) =>
  call<z.infer<typeof ExerciseResetSchema>>(() => api.api.exercises[":id"].reset.$post({ param: { id: exerciseId } }), true);

/** Starts warming the exercise's language up (a Flink runner), ahead of a Run. */
export const openExercise = (exerciseId: string) => call<unknown>(() => api.api.exercises[":id"].$get({ param: { id: exerciseId } }), false, false);

/** The learner's lab cluster: whether it runs, waits for a place, starts or failed, and its brokers. */
export const fetchLab = () => call<LabState>(() => labApi.api.lab.$get(), false);

/** Starts the learner's lab cluster, or puts it in line when the server runs as many labs as it may. */
export const startLab = () => call<LabState>(() => labApi.api.lab.$post(), true);

/** Stops the learner's lab cluster (or takes it out of the line). */
export const stopLab = () => call<LabState>(() => labApi.api.lab.$delete(), true);

/** Stops one broker of the learner's lab, as a crash would, or starts it again. */
export const changeLabBroker = (brokerId: number, action: "stop" | "start") =>
  call<LabState>(() => labApi.api.lab.brokers[":id"].$post({ param: { id: String(brokerId) }, json: { action } }), true);

export const fetchProgress = () => call<Progress>(() => api.api.progress.$get(), false);

export const fetchHealth = async (): Promise<Health> => {
  // 503 still carries a health body: Kafka is down but the server is up.
  const response = await api.api.health.$get();
  return (await response.json()) as Health;
};

/**
 * Follows a run's server-sent events until its exit event. The browser's EventSource resumes
 * after a dropped connection by itself (the server honours Last-Event-ID).
 */
export function watchRun(eventsUrl: string, onEvent: (event: RunEvent) => void, onLost: () => void): () => void {
  const source = new EventSource(eventsUrl);
  source.addEventListener("queued", (message) =>
    onEvent({ type: "queued", ...(JSON.parse(message.data) as { position: number; waitingFor?: "slot" | "memory" | "cpu" | "turn" }) }),
  );
  for (const type of ["stdout", "stderr"] as const) {
    source.addEventListener(type, (message) => onEvent({ type, ...(JSON.parse(message.data) as { data: string }) }));
  }
  source.addEventListener("exit", (message) => {
    source.close();
    onEvent({ type: "exit", ...(JSON.parse(message.data) as Omit<ExitEvent, "type">) });
  });
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) onLost();
  };
  return () => source.close();
}
