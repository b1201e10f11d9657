// The browser's side of the sandbox API. Types come from the server's own schemas, so they cannot drift.
import type { z } from "@hono/zod-openapi";
import type { ErrorSchema, ExerciseResetSchema, ProgressSchema, RunCreatedSchema, VerdictSchema, HealthSchema, RunEvent, ExitEvent } from "#contract";
import type { Language } from "#contract/languages";
import { apiClient } from "./api-client.ts";

export type Verdict = z.infer<typeof VerdictSchema>;
export type Progress = z.infer<typeof ProgressSchema>;
export type Health = z.infer<typeof HealthSchema>;
export type { RunEvent, ExitEvent };

/** A request the server refused or could not serve, with the server's own explanation. */
export class SandboxError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const api = apiClient("/");

/**
 * Sends one request through the typed client. The server gives a learner their id on a read: a page
 * that had not read anything yet asks for it once, then sends again.
 */
async function call<T>(send: () => Promise<Response>, changesState: boolean): Promise<T> {
  let response: Response;
  try {
    response = await send();
    if (response.status === 403 && changesState) {
      const problem = (await response
        .clone()
        .json()
        .catch(() => undefined)) as z.infer<typeof ErrorSchema> | undefined;
      if (problem?.error?.code === "no_learner" && (await api.api.learner.$get()).ok) response = await send();
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
  call<{ id: string; solution: string }>(() => api.api.exercises[":id"].solution.$get({ param: { id: exerciseId }, query: { language } }), false);

export const gradeExercise = (exerciseId: string) => call<Verdict>(() => api.api.exercises[":id"].grade.$post({ param: { id: exerciseId } }), true);

/** Stops the learner's runs of the exercise and deletes its topics and groups in their namespace. */
export const startExerciseOver = (exerciseId: string) =>
  call<z.infer<typeof ExerciseResetSchema>>(() => api.api.exercises[":id"].reset.$post({ param: { id: exerciseId } }), true);

/** Starts warming the exercise's language up (a Flink runner), ahead of a Run. */
export const openExercise = (exerciseId: string) => call<unknown>(() => api.api.exercises[":id"].$get({ param: { id: exerciseId } }), false);

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
  source.addEventListener("queued", (message) => onEvent({ type: "queued", ...(JSON.parse(message.data) as { position: number }) }));
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
