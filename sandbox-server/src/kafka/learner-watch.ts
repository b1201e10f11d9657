// One watcher per learner and cluster, shared by all the learner's tabs: it reads their Kafka about once
// a second (at once when a record arrives), one request at a time, and hands every watcher of theirs the
// view when it changed. It stops when nobody watches. Which clusters a learner may watch, and how they
// reach each, is the server's to say (`LiveClusterResolvers`); nothing the browser sends names a topic.
import type { LiveView } from "../contract/live-view.ts";
import { log } from "../log.ts";
import type { WatchedCluster } from "./learner-connections.ts";
import { LiveViewState } from "./live-view-state.ts";
import { NamespaceReader } from "./namespace-reader.ts";

/** Who watches: a learner's id and the namespace their topics and groups live under. */
export interface WatchingLearner {
  id: string;
  namespace: string;
}

/**
 * How the server reaches a named cluster for a learner (as their own principal); undefined when it offers them
 * none there, or a sentence saying why not now (a lab not started yet), which the learner reads as it is.
 */
export type LiveClusterResolver = (learner: WatchingLearner) => Promise<WatchedCluster | string | undefined>;
export type LiveClusterResolvers = Record<string, LiveClusterResolver>;

export type LiveUpdate = { type: "view"; view: LiveView } | { type: "problem"; message: string };
export type LiveListener = (update: LiveUpdate) => void;

/** What the API needs of the live view: the clusters offered, and a way to watch one as a learner. */
export interface LiveViews {
  readonly clusters: readonly string[];
  /** Starts (or joins) the learner's watcher of `cluster`; returns how to stop listening, or undefined for a cluster not offered. */
  watch(cluster: string, learner: WatchingLearner, listener: LiveListener): (() => void) | undefined;
}

export interface LiveTiming {
  /** The longest pause between two readings: a Fetch waits this long for a record. */
  waitMs: number;
  /** The shortest time from one reading's start to the next, so a flood of records cannot make it spin. */
  minGapMs: number;
  /** How long to wait after Kafka did not answer before asking again. */
  retryMs: number;
}

const TIMING: LiveTiming = { waitMs: 1000, minGapMs: 250, retryMs: 2000 };

/** Waits `ms`, or less once `signal` aborts; the abort listener goes with the wait, so a long watch adds none up. */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

/** A problem in words for the learner: what went wrong, and that the view waits for it to pass. */
const problemText = (error: unknown) =>
  `Kafka could not be read just now (${(error as Error).message ?? String(error)}); the view shows what it last saw and tries again.`;

class LearnerWatch {
  readonly #listeners = new Set<LiveListener>();
  readonly #cluster: string;
  readonly #learner: WatchingLearner;
  readonly #resolve: LiveClusterResolver;
  readonly #timing: LiveTiming;
  readonly #onIdle: () => void;
  #last?: LiveUpdate;
  #lastJson = "";
  #loop?: Promise<void>;
  #quiet = new AbortController();
  /** Requests this watcher has sent to the brokers. */
  requests = 0;

  constructor(cluster: string, learner: WatchingLearner, resolve: LiveClusterResolver, timing: LiveTiming, onIdle: () => void) {
    this.#cluster = cluster;
    this.#learner = learner;
    this.#resolve = resolve;
    this.#timing = timing;
    this.#onIdle = onIdle;
  }

  listen(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    if (this.#last) listener(this.#last);
    this.#start();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#quiet.abort();
    };
  }

  /** Stops reading for everyone (the server is closing); resolves once the last request is answered. */
  stop(): Promise<void> {
    this.#listeners.clear();
    this.#quiet.abort();
    return this.#loop ?? Promise.resolve();
  }

  #start(): void {
    if (this.#loop) return;
    this.#quiet = new AbortController();
    this.#loop = this.#watch().finally(() => {
      this.#loop = undefined;
      // Someone came back while the last request was on its way: carry on for them.
      if (this.#listeners.size > 0) this.#start();
      else this.#onIdle();
    });
  }

  async #watch(): Promise<void> {
    const state = new LiveViewState(this.#cluster);
    while (this.#listeners.size > 0) {
      let reader: NamespaceReader | undefined;
      try {
        const cluster = await this.#resolve(this.#learner);
        if (typeof cluster === "string") {
          this.#send({ type: "problem", message: cluster });
          await sleep(this.#timing.retryMs, this.#quiet.signal);
          continue;
        }
        if (!cluster) throw new Error(`there is no cluster "${this.#cluster}" for you`);
        reader = new NamespaceReader(cluster, this.#learner.namespace, this.#timing.waitMs);
        while (this.#listeners.size > 0) {
          const started = Date.now();
          const before = reader.requests;
          const reading = await reader.read(this.#timing.waitMs);
          this.requests += reader.requests - before;
          this.#send({ type: "view", view: state.next(reading) });
          await sleep(this.#timing.minGapMs - (Date.now() - started), this.#quiet.signal);
        }
      } catch (error) {
        log.debug({ namespace: this.#learner.namespace, cluster: this.#cluster, err: error }, "live view could not read Kafka");
        this.#send({ type: "problem", message: problemText(error) });
        await sleep(this.#timing.retryMs, this.#quiet.signal);
      } finally {
        await reader?.close();
      }
    }
  }

  /** Hands an update to every listener, unless it says what the last one said (a view's time aside). */
  #send(update: LiveUpdate): void {
    const json = JSON.stringify(update.type === "view" ? { ...update.view, at: 0 } : update);
    if (json === this.#lastJson) return;
    this.#lastJson = json;
    this.#last = update;
    for (const listener of this.#listeners) listener(update);
  }
}

/** Every learner's watchers, one per learner and cluster. */
export class LearnerWatches implements LiveViews {
  readonly #resolvers: LiveClusterResolvers;
  readonly #timing: LiveTiming;
  readonly #watches = new Map<string, LearnerWatch>();

  constructor(resolvers: LiveClusterResolvers, timing: Partial<LiveTiming> = {}) {
    this.#resolvers = resolvers;
    this.#timing = { ...TIMING, ...timing };
  }

  get clusters(): readonly string[] {
    return Object.keys(this.#resolvers);
  }

  /** Watchers reading now. */
  get running(): number {
    return this.#watches.size;
  }

  /** Requests the running watchers have sent to the brokers. */
  get requests(): number {
    return [...this.#watches.values()].reduce((sum, watch) => sum + watch.requests, 0);
  }

  watch(cluster: string, learner: WatchingLearner, listener: LiveListener): (() => void) | undefined {
    const resolve = Object.hasOwn(this.#resolvers, cluster) ? this.#resolvers[cluster] : undefined;
    if (!resolve) return undefined;
    const key = `${cluster}\n${learner.id}`;
    let watch = this.#watches.get(key);
    if (!watch) {
      const created = new LearnerWatch(cluster, learner, resolve, this.#timing, () => {
        if (this.#watches.get(key) === created) this.#watches.delete(key);
      });
      this.#watches.set(key, created);
      watch = created;
    }
    return watch.listen(listener);
  }

  /** Stops every watcher (the server is closing). */
  async close(): Promise<void> {
    await Promise.all([...this.#watches.values()].map((watch) => watch.stop()));
  }
}
