// A few worker threads that grade snapshots, so the main thread only serves requests and talks to Kafka.
// Each worker grades one snapshot at a time; jobs wait in arrival order (the check queue before it is the
// fair one). A worker that dies fails only the job it held and is replaced on the next job.
import { Worker } from "node:worker_threads";
import type { CheckpointSpec } from "../exercises/index.ts";
import type { BrokerSnapshot } from "../kafka/index.ts";
import type { Verdict } from "../contract/verdict.ts";
import type { GradeContext } from "./grade-checkpoint.ts";
import { log } from "../log.ts";

export interface GradingJob {
  id: number;
  exerciseId: string;
  spec: CheckpointSpec;
  snapshot: BrokerSnapshot;
  context: GradeContext;
}

export type GradingAnswer = { id: number; verdict: Verdict; error?: undefined } | { id: number; error: string; verdict?: undefined };

interface Pending {
  job: GradingJob;
  resolve: (verdict: Verdict) => void;
  reject: (error: Error) => void;
}

/** A grading worker's heap: a snapshot holds at most the read caps' 32 MB of records, parsed once or twice. */
const WORKER_HEAP_MB = 512;

/** Grades snapshots on `size` worker threads. */
export class GradingPool {
  readonly #size: number;
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, Pending>();
  readonly #queue: Pending[] = [];
  #workers = 0;
  #nextId = 0;
  #closed = false;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`A grading pool needs at least one worker (given ${size}).`);
    this.#size = size;
  }

  /** The verdict of `snapshot`, graded off the main thread. */
  grade(exerciseId: string, spec: CheckpointSpec, snapshot: BrokerSnapshot, context: GradeContext): Promise<Verdict> {
    // The whole pool starts with the first job: a worker takes seconds to load on a busy machine, and the
    // learner whose Check finds the only one busy should not pay for that.
    while (!this.#closed && this.#workers < this.#size) this.#idle.push(this.#spawn());
    return new Promise((resolve, reject) => {
      this.#queue.push({ job: { id: this.#nextId++, exerciseId, spec, snapshot, context }, resolve, reject });
      this.#dispatch();
    });
  }

  /** Ends every worker; jobs under way fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#idle, ...this.#busy.keys()];
    this.#idle.length = 0;
    await Promise.all(all.map((worker) => worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const worker = this.#idle.pop();
      if (!worker) return;
      const pending = this.#queue.shift()!;
      this.#busy.set(worker, pending);
      worker.postMessage(pending.job);
    }
  }

  #spawn(): Worker {
    const worker = new Worker(new URL("./grading-worker.ts", import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    // An idle pool never keeps the server's process alive.
    worker.unref();
    this.#workers++;
    // A worker's uncaught error ends it; its job fails on "exit" below, and the server goes on.
    worker.on("error", (error) => log.error({ err: error }, "a grading worker failed"));
    worker.on("message", (answer: GradingAnswer) => {
      const pending = this.#busy.get(worker);
      this.#busy.delete(worker);
      this.#idle.push(worker);
      if (pending) {
        if (answer.verdict) pending.resolve(answer.verdict);
        else pending.reject(new Error(`Grading ${pending.job.exerciseId} failed: ${answer.error}`));
      }
      this.#dispatch();
    });
    worker.once("exit", (code) => {
      this.#workers--;
      const pending = this.#busy.get(worker);
      this.#busy.delete(worker);
      const at = this.#idle.indexOf(worker);
      if (at >= 0) this.#idle.splice(at, 1);
      pending?.reject(new Error(`The grading worker ended (exit code ${code}) while grading ${pending.job.exerciseId}.`));
      if (!this.#closed && this.#queue.length > 0 && this.#workers < this.#size) this.#idle.push(this.#spawn());
      this.#dispatch();
    });
    return worker;
  }
}
