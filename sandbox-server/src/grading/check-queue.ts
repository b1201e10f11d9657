// Admits Checks so that no learner can push another's to the back: a learner's second Check of an exercise
// whose first is still under way joins the first (same snapshot, same verdict), and when more Checks wait
// than may run at once, the learner with the fewest Checks under way goes first.

interface Waiting {
  learner: string;
  start: () => void;
  /** Arrival order, to break ties between learners with as many Checks under way. */
  order: number;
}

/** A fair queue of Checks: one per learner and exercise in flight, at most `parallel` running. */
export class CheckQueue {
  readonly #parallel: number;
  readonly #inFlight = new Map<string, Promise<unknown>>();
  /** Checks running (not waiting) per learner. */
  readonly #running = new Map<string, number>();
  #runningTotal = 0;
  #waiting: Waiting[] = [];
  #arrivals = 0;

  constructor(parallel: number) {
    if (!Number.isInteger(parallel) || parallel < 1) throw new RangeError(`A check queue needs at least one Check at a time (given ${parallel}).`);
    this.#parallel = parallel;
  }

  /** Checks waiting for their turn now (for tests and the bench). */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `check` in the learner's turn, or joins the learner's Check of the same exercise already under way. */
  check<T>(learner: string, exerciseId: string, check: () => Promise<T>): Promise<T> {
    const key = `${learner}\u0000${exerciseId}`;
    const joined = this.#inFlight.get(key);
    if (joined) return joined as Promise<T>;
    const started = this.#turn(learner).then(async () => {
      try {
        return await check();
      } finally {
        this.#done(learner);
      }
    });
    const tracked = started.finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, tracked);
    return tracked;
  }

  #turn(learner: string): Promise<void> {
    return new Promise((start) => {
      this.#waiting.push({ learner, start, order: this.#arrivals++ });
      this.#admit();
    });
  }

  #done(learner: string): void {
    const left = (this.#running.get(learner) ?? 1) - 1;
    if (left > 0) this.#running.set(learner, left);
    else this.#running.delete(learner);
    this.#runningTotal--;
    this.#admit();
  }

  /** Starts waiting Checks while there is room, fewest-running learner first, then in arrival order. */
  #admit(): void {
    while (this.#runningTotal < this.#parallel && this.#waiting.length > 0) {
      let next = 0;
      for (let i = 1; i < this.#waiting.length; i++) {
        const [a, b] = [this.#waiting[i]!, this.#waiting[next]!];
        const [ra, rb] = [this.#running.get(a.learner) ?? 0, this.#running.get(b.learner) ?? 0];
        if (ra < rb || (ra === rb && a.order < b.order)) next = i;
      }
      const [chosen] = this.#waiting.splice(next, 1);
      this.#running.set(chosen!.learner, (this.#running.get(chosen!.learner) ?? 0) + 1);
      this.#runningTotal++;
      chosen!.start();
    }
  }
}
