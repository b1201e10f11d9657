// Bookkeeping for runs' event streams: how many each learner holds open, and what a reconnecting
// viewer says it has seen.

/** Counts each learner's open event streams, so one learner cannot hold thousands open. */
export class OpenStreams {
  readonly #limit: number;
  #open = new Map<string, number>();

  constructor(limitPerLearner: number) {
    this.#limit = limitPerLearner;
  }

  /** Counts a new stream of the learner's; false (and not counted) when they are at the limit. */
  open(learnerId: string): boolean {
    const open = this.#open.get(learnerId) ?? 0;
    if (open >= this.#limit) return false;
    this.#open.set(learnerId, open + 1);
    return true;
  }

  close(learnerId: string): void {
    const open = (this.#open.get(learnerId) ?? 1) - 1;
    if (open > 0) this.#open.set(learnerId, open);
    else this.#open.delete(learnerId);
  }
}

/**
 * The sequence number a reconnecting viewer saw last (-1: none), from its Last-Event-ID header;
 * undefined when the header is not an event id (negative, fractional, huge or not a number).
 */
export function lastEventId(header: string | undefined): number | undefined {
  if (header === undefined || header === "") return -1;
  if (!/^\d{1,15}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}
