// The server's fault labs: at most `labs` run at once, one per learner, each in a place of its own (a
// folder and a range of ports). A learner who asks when every place is taken waits in line and is told
// where they stand; a lab nobody used for a while is stopped to free the machine. A learner reaches only
// their own lab: every call here is keyed by the learner id the server signed, never by a lab's name.
import path from "node:path";
import type { LabBroker, LabState } from "../contract/lab.ts";
import { log } from "../log.ts";
import { LAB_PORTS } from "../provisioning/topology.ts";
import { LabBrokerBusy, LabCluster, type LabClusterOptions } from "./lab-cluster.ts";

export interface LabSettings {
  /** Labs that may run at once (TRIBUTARY_LABS); 0: the server offers none. */
  labs: number;
  /** The first port of the first place (TRIBUTARY_LAB_PORT); place i takes LAB_PORTS ports from base + i × LAB_PORTS. */
  portBase: number;
  /** A lab unused this long is stopped (TRIBUTARY_LAB_IDLE_MINUTES). */
  idleMs: number;
  /** Parent folder of the places' folders. */
  dir: string;
}

/** Who a lab is for: the learner's id, and the namespace their principal there may use. */
export interface LabLearner {
  id: string;
  namespace: string;
}

/** Starts one lab in place `slot` for `learner`; LabCluster.start unless a test gives another. */
export type LabStarter = (slot: number, learner: LabLearner, onProgress: (message: string) => void) => Promise<LabCluster>;

interface LearnerLab {
  learner: LabLearner;
  phase: "queued" | "starting" | "ready" | "failed";
  slot?: number;
  progress?: string;
  message?: string;
  lab?: LabCluster;
  /** When the learner last used it: started it, ran, checked or changed a broker there (a run going on counts too). */
  usedAt: number;
  /** Broker changes under way, so that closing waits for them. */
  changing: Set<Promise<void>>;
}

/** What the server tells the labs of the rest of it. */
export interface LabHooks {
  /** Whether a learner's lab is busy beyond the page (a program runs there): such a lab is never idle. */
  busy?: (learnerId: string) => boolean;
  /** Called before a learner's lab stops: their programs there are ended first, with a message. */
  beforeStop?: (learnerId: string) => Promise<void>;
}

/** The learner's lab is not there to use (not started, starting, failed). */
export class LabNotReady extends Error {}

const SWEEP_MS = 30_000;

/** Starts a lab with the course's Kafka jars, in place `slot` of `settings`. */
export function labStarter(settings: LabSettings, lab: Omit<LabClusterOptions, "dir" | "portBase" | "onProgress" | "learner">): LabStarter {
  return async (slot, learner, onProgress) => {
    const dir = path.join(settings.dir, `place-${slot}`);
    try {
      return await LabCluster.start({
        ...lab,
        learner,
        dir,
        portBase: settings.portBase + slot * LAB_PORTS,
        onProgress: (message) => onProgress(unpathed(message, settings.dir)),
      });
    } catch (error) {
      throw new Error(unpathed((error as Error).message, settings.dir));
    }
  };
}

export class LabClusters {
  readonly settings: LabSettings;
  readonly #start: LabStarter;
  readonly #hooks: LabHooks;
  readonly #labs = new Map<string, LearnerLab>();
  /** Learners waiting for a place, first in line first. */
  #queue: string[] = [];
  /** Which learner holds each place. */
  readonly #places: (string | undefined)[];
  readonly #sweep?: NodeJS.Timeout;
  /** Starts under way, so that closing waits for them and stops what they started. */
  readonly #starting = new Set<Promise<void>>();
  #closed = false;

  constructor(settings: LabSettings, start: LabStarter, hooks: LabHooks = {}) {
    this.settings = settings;
    this.#start = start;
    this.#hooks = hooks;
    this.#places = Array.from({ length: settings.labs }, () => undefined);
    if (settings.labs > 0 && settings.idleMs > 0) {
      this.#sweep = setInterval(() => void this.#stopIdle(), Math.min(SWEEP_MS, settings.idleMs));
      this.#sweep.unref();
    }
  }

  /** A server without labs: every learner is told so. */
  static none(): LabClusters {
    return new LabClusters({ labs: 0, portBase: 0, idleMs: 0, dir: "" }, () => Promise.reject(new Error("no labs")));
  }

  get offered(): boolean {
    return this.settings.labs > 0;
  }

  /** How many labs may run, run now, and wait for a place. */
  capacity(): LabState["capacity"] {
    return { labs: this.settings.labs, running: this.#places.filter(Boolean).length, waiting: this.#queue.length };
  }

  /** What the learner's page is told about their lab. */
  state(learnerId: string): LabState {
    const mine = this.#labs.get(learnerId);
    const capacity = this.capacity();
    const idleStopSeconds = this.settings.idleMs > 0 ? Math.round(this.settings.idleMs / 1000) : undefined;
    if (!this.offered) {
      return {
        offered: false,
        phase: "off",
        message: "This server offers no fault labs (TRIBUTARY_LABS=0); ask your course host.",
        brokers: [],
        changes: [],
        capacity,
      };
    }
    if (!mine) return { offered: true, phase: "off", brokers: [], changes: [], capacity, ...(idleStopSeconds && { idleStopSeconds }) };
    return {
      offered: true,
      phase: mine.phase,
      ...(mine.phase === "queued" && { place: this.#queue.indexOf(learnerId) + 1 }),
      ...(mine.progress && mine.phase === "starting" && { progress: mine.progress }),
      ...(mine.message && { message: mine.message }),
      brokers: mine.lab?.brokers() ?? [],
      changes: [...(mine.lab?.changes ?? [])],
      capacity,
      ...(idleStopSeconds && { idleStopSeconds }),
    };
  }

  /** Starts the learner's lab, or puts them in line for one; a lab already there (or on its way) is kept. */
  open(learner: LabLearner): LabState {
    const learnerId = learner.id;
    if (!this.offered || this.#closed) return this.state(learnerId);
    const mine = this.#labs.get(learnerId);
    if (mine && mine.phase !== "failed") {
      mine.usedAt = Date.now();
      return this.state(learnerId);
    }
    this.#labs.set(learnerId, { learner, phase: "queued", usedAt: Date.now(), changing: new Set() });
    this.#queue.push(learnerId);
    this.#startWaiting();
    return this.state(learnerId);
  }

  /** The learner's lab when it is ready to use; marks it used. */
  ready(learnerId: string): LabCluster | undefined {
    const mine = this.#labs.get(learnerId);
    if (mine?.phase !== "ready") return undefined;
    mine.usedAt = Date.now();
    return mine.lab;
  }

  /** Why the learner cannot use their lab now, in their words; undefined when it is ready. */
  notReadyReason(learnerId: string): string | undefined {
    const mine = this.#labs.get(learnerId);
    if (!this.offered) return "This server offers no fault labs (TRIBUTARY_LABS=0); ask your course host.";
    switch (mine?.phase) {
      case "ready":
        return undefined;
      case undefined:
        return "This exercise runs on your own lab cluster: start it first with Start lab (it takes about half a minute).";
      case "queued":
        return `Your lab cluster is waiting for a free place (number ${this.#queue.indexOf(learnerId) + 1} in line); run again once it is ready.`;
      case "starting":
        return "Your lab cluster is still starting; run again once it is ready.";
      case "failed":
        return `Your lab cluster could not start (${mine.message}); start it again.`;
    }
  }

  /**
   * Stops or starts one of the learner's brokers. Stopping is a crash, done at once; starting takes seconds,
   * so it goes on after this returns and the state says "starting" until the broker is back.
   */
  async changeBroker(learnerId: string, namespace: string, id: number, action: "stop" | "start"): Promise<LabState> {
    const mine = this.#labs.get(learnerId);
    const lab = this.ready(learnerId);
    if (!mine || !lab) throw new LabNotReady(this.notReadyReason(learnerId));
    const broker = lab.brokers().find((b) => b.id === id);
    const wanted: LabBroker["state"] = action === "stop" ? "up" : "stopped";
    if (broker?.state !== wanted) throw new LabBrokerBusy(id, broker?.state);
    const change = action === "stop" ? lab.stopBroker(id, namespace) : lab.startBroker(id);
    const tracked = change.then(
      () => {
        if (mine.message?.startsWith(`Broker ${id} `)) mine.message = undefined;
      },
      (error: Error) => {
        log.warn({ learner: learnerId, broker: id, action, err: error }, "a lab broker could not be changed");
        mine.message = `Broker ${id} could not ${action}: ${firstLine(unpathed(error.message, this.settings.dir))}`;
      },
    );
    mine.changing.add(tracked);
    void tracked.finally(() => mine.changing.delete(tracked));
    // A stop is quick: the page then sees the broker stopped at once.
    if (action === "stop") await tracked;
    return this.state(learnerId);
  }

  /** Stops the learner's lab (or takes them out of line). */
  async close(learnerId: string): Promise<LabState> {
    const mine = this.#labs.get(learnerId);
    if (!mine) return this.state(learnerId);
    this.#labs.delete(learnerId);
    this.#queue = this.#queue.filter((id) => id !== learnerId);
    await this.#release(learnerId, mine);
    return this.state(learnerId);
  }

  /** Every lab stopped; nobody waits any more (the server is shutting down). */
  async closeAll(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    this.#queue = [];
    const all = [...this.#labs];
    this.#labs.clear();
    await Promise.all(all.map(([learnerId, mine]) => this.#release(learnerId, mine)));
    // A lab still starting is stopped once its start ends (see #startIn): its JVMs must not outlive the server.
    await Promise.all(this.#starting);
  }

  /** Stops a lab and frees its place for the next in line. A lab still starting is stopped once it has. */
  async #release(learnerId: string, mine: LearnerLab): Promise<void> {
    await this.#hooks.beforeStop?.(learnerId).catch((error: unknown) => log.warn({ learner: learnerId, err: error }, "a lab's runs did not stop"));
    await Promise.all(mine.changing);
    await mine.lab?.close().catch((error: unknown) => log.warn({ learner: learnerId, err: error }, "a lab did not stop cleanly"));
    mine.lab = undefined;
    if (mine.slot !== undefined && this.#places[mine.slot] === learnerId) {
      // A place whose lab is still starting is freed when the start ends (see #startIn).
      if (mine.phase !== "starting") this.#places[mine.slot] = undefined;
    }
    if (mine.phase !== "starting") this.#startWaiting();
  }

  /** Gives free places to the learners first in line. */
  #startWaiting(): void {
    while (!this.#closed) {
      const slot = this.#places.indexOf(undefined);
      // One place per learner: a learner whose earlier lab is still winding down (stopped while it started)
      // waits for it, so Start and Stop pressed over and over cannot take every place.
      const next = this.#queue.findIndex((id) => !this.#places.includes(id));
      if (slot < 0 || next < 0) return;
      const [learnerId] = this.#queue.splice(next, 1) as [string];
      const mine = this.#labs.get(learnerId);
      if (!mine) continue;
      this.#places[slot] = learnerId;
      const starting = this.#startIn(slot, learnerId, mine);
      this.#starting.add(starting);
      void starting.finally(() => this.#starting.delete(starting));
    }
  }

  async #startIn(slot: number, learnerId: string, mine: LearnerLab): Promise<void> {
    mine.phase = "starting";
    mine.slot = slot;
    mine.message = undefined;
    mine.progress = "starting three brokers and a controller";
    const started = performance.now();
    let lab: LabCluster | undefined;
    try {
      lab = await this.#start(slot, mine.learner, (message) => (mine.progress = message));
    } catch (error) {
      log.warn({ learner: learnerId, err: error }, "a lab cluster could not start");
      mine.phase = "failed";
      mine.message = firstLine((error as Error).message);
    }
    // Closed meanwhile (the learner stopped it, or the server is going down): stop what started.
    if (this.#labs.get(learnerId) !== mine || this.#closed) {
      await lab?.close().catch(() => {});
      this.#places[slot] = undefined;
      this.#startWaiting();
      return;
    }
    if (lab) {
      mine.lab = lab;
      mine.phase = "ready";
      mine.usedAt = Date.now();
      log.info({ learner: learnerId, place: slot, startMs: Math.round(performance.now() - started) }, "a lab cluster is ready");
    } else {
      this.#places[slot] = undefined;
      this.#startWaiting();
    }
  }

  async #stopIdle(now = Date.now()): Promise<void> {
    for (const [learnerId, mine] of this.#labs) {
      if (mine.phase !== "ready" || now - mine.usedAt < this.settings.idleMs || this.#hooks.busy?.(learnerId)) continue;
      log.info({ learner: learnerId }, "a lab nobody used for a while is stopped");
      await this.close(learnerId);
    }
  }
}

const firstLine = (text: string) => text.split("\n")[0]!.slice(0, 300);

/** Learners read the progress and failures: the host's folders are named as the labs', never by path. */
function unpathed(text: string, labsDir: string): string {
  return text
    .split(labsDir)
    .join("the labs' folder")
    .replace(/ Last lines of .*$/s, " The lab's log has the details.");
}
