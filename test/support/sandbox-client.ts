// Talks to a sandbox server the way the browser does: a cookie for the learner, JSON, and SSE.
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { EventSourceParserStream } from "eventsource-parser/stream";
import { RunEventSchema, type RunEvent, type ExitEvent } from "#contract";
import { loadExerciseCatalog, type ExerciseCatalog } from "../../sandbox-server/src/exercises/index.ts";
import { apiClient, type ApiClient } from "../../src/client/api-client.ts";
import type { Verdict } from "../../sandbox-server/src/contract/index.ts";

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
  /** The read that gets this learner an id, shared by requests sent at once before there is one (as a browser's tabs share a cookie jar). */
  #identity?: Promise<void>;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  /** The learner's cookie, to present the same learner to another server. */
  get cookie(): string {
    return this.#cookie;
  }

  /** This client, presenting `cookie` (as a browser would after someone copied it, or made it up). */
  withCookie(cookie: string): this {
    this.#cookie = cookie;
    return this;
  }

  /** The course's typed API client, as this learner (their cookie kept as a browser keeps it). */
  get api(): ApiClient {
    return apiClient(this.baseUrl, async (input, init) => {
      if (!this.#cookie && init?.method && init.method !== "GET") await this.#identify();
      const headers = new Headers(init?.headers);
      if (this.#cookie) headers.set("cookie", this.#cookie);
      const response = await fetch(input, { ...init, headers });
      const setCookie = response.headers.get("set-cookie");
      if (setCookie) this.#cookie = setCookie.split(";")[0]!;
      return response;
    });
  }

  #identify(): Promise<void> {
    this.#identity ??= this.request("GET", "/api/learner").then(
      () => {},
      (error: unknown) => {
        this.#identity = undefined;
        throw error;
      },
    );
    return this.#identity;
  }

  /** A request as this learner; `extraHeaders` add to (or, as `cookie: ""`, take away) what a browser sends. */
  async request(method: string, route: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Response> {
    // The server issues a learner's id on a read, as a browser gets it loading a lesson page;
    // requests that change state need it.
    if (!this.#cookie && method !== "GET" && !("cookie" in extraHeaders)) await this.#identify();
    const headers: Record<string, string> = {};
    if (this.#cookie) headers.cookie = this.#cookie;
    if (body !== undefined) headers["content-type"] = "application/json";
    Object.assign(headers, extraHeaders);
    if (headers.cookie === "") delete headers.cookie;
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
    const response = await this.api.api.learner.$get();
    if (response.status !== 200) throw new Error(`GET /api/learner answered ${response.status}`);
    return (await response.json()).namespace;
  }

  /** Starts a run of `code` as the exercise's main.ts (or `entry`: main.py, main.sql); returns its id and events URL. */
  async startRun(exerciseId: string, code: string, entry = "main.ts"): Promise<{ id: string; eventsUrl: string }> {
    const response = await this.api.api.runs.$post({ json: { exerciseId, files: { [entry]: code } } });
    if (response.status !== 201) throw new Error(`POST /api/runs answered ${response.status}: ${await response.text()}`);
    return response.json();
  }

  /** Presses Check on the exercise. */
  async grade(exerciseId: string): Promise<Verdict> {
    const response = await this.api.api.exercises[":id"].grade.$post({ param: { id: exerciseId } });
    if (response.status !== 200) throw new Error(`POST /api/exercises/${exerciseId}/grade answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as Verdict;
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
    // The stream is parsed as a browser's EventSource would (multi-line data, comments, ids).
    const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    for await (const message of events) {
      if (!message.event) continue;
      const event = RunEventSchema.parse({ type: message.event, ...JSON.parse(message.data) });
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
    throw new Error(`The event stream of ${eventsUrl} ended without an exit event. Output so far:\n${output.stdout}${output.stderr}`);
  }

  /** Runs a program to its end and returns everything it printed. */
  async run(exerciseId: string, code: string): Promise<RunOutput> {
    const { eventsUrl } = await this.startRun(exerciseId, code);
    return this.readRun(eventsUrl);
  }
}
