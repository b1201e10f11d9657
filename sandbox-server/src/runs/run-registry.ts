// Keeps the runs that are alive or recently finished, and refuses new ones past the caps.
import { mkdir, symlink, rm } from "node:fs/promises";
import path from "node:path";
import { createRequire } from "node:module";
import type { RunSettings } from "../config.ts";
import { LearnerRun } from "./learner-run.ts";

/** A run was refused because too many are alive; maps to HTTP 429. */
export class RunRefused extends Error {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface StartRunInput {
  learnerId: string;
  exerciseId: string;
  files: Record<string, string>;
  /** Overrides the default wall-clock limit for this exercise. */
  wallTimeMs?: number;
}

/** The folder of the kafkajs package, which learners' programs import. */
function kafkajsDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve("kafkajs/package.json"));
}

export class RunRegistry {
  #runs = new Map<string, LearnerRun>();
  #kafkajs = kafkajsDir();
  #prepared?: Promise<void>;

  readonly settings: RunSettings;
  readonly bootstrap: string[];

  constructor(settings: RunSettings, bootstrap: string[]) {
    this.settings = settings;
    this.bootstrap = bootstrap;
  }

  /**
   * The scratch root holds node_modules/kafkajs so `import "kafkajs"` resolves from every run.
   * Whatever an earlier server left behind (it may have been killed mid-run) is cleared first.
   */
  #prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      await rm(this.settings.scratchDir, { force: true, recursive: true });
      const modules = path.join(this.settings.scratchDir, "node_modules");
      await mkdir(modules, { recursive: true });
      await symlink(this.#kafkajs, path.join(modules, "kafkajs"), "dir");
    })();
    return this.#prepared;
  }

  get(id: string): LearnerRun | undefined {
    return this.#runs.get(id);
  }

  /** Runs whose program has not ended yet. */
  alive(): LearnerRun[] {
    return [...this.#runs.values()].filter((run) => !run.exitEvent);
  }

  /** Starts a run, or throws RunRefused when the server or this learner is at the cap. */
  async start(input: StartRunInput): Promise<LearnerRun> {
    const alive = this.alive();
    if (alive.length >= this.settings.maxConcurrent) {
      throw new RunRefused(`The server is running ${alive.length} programs, its limit; try again in a few seconds.`, 5);
    }
    const mine = alive.filter((run) => run.learnerId === input.learnerId).length;
    if (mine >= this.settings.maxPerLearner) {
      throw new RunRefused(
        `You already have ${mine} programs running, the limit per learner; stop one before starting another.`,
        2,
      );
    }
    await this.#prepare();
    const run = new LearnerRun({
      learnerId: input.learnerId,
      exerciseId: input.exerciseId,
      files: input.files,
      limits: { ...this.settings.limits, wallTimeMs: input.wallTimeMs ?? this.settings.limits.wallTimeMs },
      scratchRoot: this.settings.scratchDir,
      readableDirs: [path.join(this.settings.scratchDir, "node_modules"), this.#kafkajs],
      bootstrap: this.bootstrap,
      unwatchedGraceMs: this.settings.unwatchedGraceMs,
      stopGraceMs: this.settings.stopGraceMs,
    });
    this.#runs.set(run.id, run);
    void run.finished.then(() => {
      setTimeout(() => this.#runs.delete(run.id), this.settings.retainFinishedMs).unref();
    });
    await run.start();
    return run;
  }

  /** Stops every run and waits for them to end (server shutdown). */
  async stopAll(): Promise<void> {
    const alive = this.alive();
    for (const run of alive) run.stop("server-shutdown");
    await Promise.all(alive.map((run) => run.finished));
  }
}
