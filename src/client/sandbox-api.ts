// The browser's side of the sandbox API. Types come from the server's own schemas, so they cannot drift.
import type { z } from "@hono/zod-openapi";
import type { ErrorSchema, ExerciseResetSchema, ProgressSchema, RunCreatedSchema, VerdictSchema, HealthSchema, RunEvent, ExitEvent } from "#contract";

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

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  let response: Response;
  const send = () =>
    fetch(url, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  try {
    response = await send();
    // The server gives a learner their id on a read; a page that had not read anything yet asks for it once.
    if (response.status === 403 && method !== "GET") {
      const problem = (await response
        .clone()
        .json()
        .catch(() => undefined)) as z.infer<typeof ErrorSchema> | undefined;
      if (problem?.error?.code === "no_learner" && (await fetch("/api/learner")).ok) response = await send();
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

/** Compiles and starts the learner's program (main.ts, main.py for Python, main.sql for Flink SQL); its output arrives through `watchRun`. */
export const startRun = (exerciseId: string, code: string, entry = "main.ts") =>
  call<z.infer<typeof RunCreatedSchema>>("POST", "/api/runs", { exerciseId, files: { [entry]: code } });

export const stopRun = (runId: string) => call<unknown>("DELETE", `/api/runs/${runId}`);

export const fetchSolution = (exerciseId: string, language = "typescript") =>
  call<{ id: string; solution: string }>("GET", `/api/exercises/${exerciseId}/solution?language=${language}`);
export const gradeExercise = (exerciseId: string) => call<Verdict>("POST", `/api/exercises/${exerciseId}/grade`);

/** Stops the learner's runs of the exercise and deletes its topics and groups in their namespace. */
export const startExerciseOver = (exerciseId: string) => call<z.infer<typeof ExerciseResetSchema>>("POST", `/api/exercises/${exerciseId}/reset`);

export const fetchProgress = () => call<Progress>("GET", "/api/progress");

export const fetchHealth = async (): Promise<Health> => {
  // 503 still carries a health body: Kafka is down but the server is up.
  const response = await fetch("/api/health");
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
