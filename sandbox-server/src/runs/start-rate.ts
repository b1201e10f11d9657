// How often one learner may start runs: a sliding one-minute window, so a script hammering Run
// cannot take the server's slots from everyone else.
export class StartRateLimit {
  readonly perMinute: number;
  readonly #now: () => number;
  #starts = new Map<string, number[]>();

  constructor(perMinute: number, now: () => number = Date.now) {
    this.perMinute = perMinute;
    this.#now = now;
  }

  /** Records a start for the learner; returns how many seconds to wait instead when they are over the limit. */
  take(learnerId: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.#now();
    const recent = (this.#starts.get(learnerId) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= this.perMinute) {
      this.#starts.set(learnerId, recent);
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + 60_000 - now) / 1000)) };
    }
    recent.push(now);
    this.#starts.set(learnerId, recent);
    // Forget learners who have been quiet for a minute, so the map does not grow without end.
    if (this.#starts.size > 10_000) {
      for (const [id, times] of this.#starts) if (now - times.at(-1)! >= 60_000) this.#starts.delete(id);
    }
    return { ok: true };
  }
}
