// Talks to a sandbox server the way the browser does: a cookie for the learner, JSON, and SSE.
import { loadConfig } from "../../sandbox-server/src/config.ts";
import type { RunEvent, ExitEvent } from "../../sandbox-server/src/runs/index.ts";
import { loadExerciseCatalog, type ExerciseCatalog } from "../../sandbox-server/src/exercises/index.ts";

const contentDir = loadConfig().contentDir;

let catalog: Promise<ExerciseCatalog> | undefined;
/** Every exercise of the course, as the server reads them from content/. */
export const courseExercises = () => (catalog ??= loadExerciseCatalog(contentDir));

/** An exercise's starter or solution, as the learner's main.ts. */
export async function exerciseFile(exerciseId: string, which: "starter" | "solution"): Promise<string> {
  const exercise = (await courseExercises()).get(exerciseId);
  if (!exercise) throw new Error(`No exercise ${exerciseId} in content/.`);
  return exercise[which];
}

export interface RunOutput {
  events: RunEvent[];
  stdout: string;
  stderr: string;
  exit: ExitEvent;
}

/** One learner: keeps the cookie the server hands out, like a browser would. */
export class LearnerClient {
  readonly baseUrl: string;
  #cookie = "";

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  /** The learner's cookie, to present the same learner to another server. */
  get cookie(): string {
    return this.#cookie;
  }

  async request(method: string, route: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.#cookie) headers.cookie = this.#cookie;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(this.baseUrl + route, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const setCookie = response.headers.get("set-cookie");
    if (setCookie) this.#cookie = setCookie.split(";")[0]!;
    return response;
  }

  async json<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await this.request(method, route, body);
    return { status: response.status, body: (await response.json()) as T };
  }

  /** The prefix of this learner's topics and groups on the broker. */
  async namespace(): Promise<string> {
    const { status, body } = await this.json<{ namespace: string }>("GET", "/api/learner");
    if (status !== 200) throw new Error(`GET /api/learner answered ${status}`);
    return body.namespace;
  }

  /** Starts a run of `code` as the exercise's main.ts (main.sql for SQL); returns its id and events URL. */
  async startRun(exerciseId: string, code: string, fileName = "main.ts"): Promise<{ id: string; eventsUrl: string }> {
    const { status, body } = await this.json<{ id: string; eventsUrl: string }>("POST", "/api/runs", { exerciseId, files: { [fileName]: code } });
    if (status !== 201) throw new Error(`POST /api/runs answered ${status}: ${JSON.stringify(body)}`);
    return body;
  }

  /**
   * Reads a run's event stream. Resolves at the exit event, or once `until` returns true for the
   * output so far (the stream is then closed, as when a browser tab goes away).
   */
  async readRun(eventsUrl: string, until?: (output: RunOutput) => boolean): Promise<RunOutput> {
    const controller = new AbortController();
    const response = await fetch(this.baseUrl + eventsUrl, { headers: { cookie: this.#cookie }, signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`GET ${eventsUrl} answered ${response.status}`);
    const output: RunOutput = { events: [], stdout: "", stderr: "", exit: undefined as unknown as ExitEvent };
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = response.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let boundary: number;
      while ((boundary = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const type = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (!type || data === undefined) continue;
        const event = { type, ...JSON.parse(data) } as RunEvent;
        output.events.push(event);
        if (event.type === "stdout") output.stdout += event.data;
        if (event.type === "stderr") output.stderr += event.data;
        if (event.type === "exit") {
          output.exit = event;
          controller.abort();
          return output;
        }
        if (until?.(output)) {
          controller.abort();
          return output;
        }
      }
    }
    throw new Error(`The event stream of ${eventsUrl} ended without an exit event. Output so far:\n${output.stdout}${output.stderr}`);
  }

  /** Runs a program to its end and returns everything it printed. */
  async run(exerciseId: string, code: string): Promise<RunOutput> {
    const { eventsUrl } = await this.startRun(exerciseId, code);
    return this.readRun(eventsUrl);
  }
}
