// How often one learner may start runs: a sliding one-minute window, so a script hammering Run
// cannot take the server's slots from everyone else. (The window can be longer, for rarer events.)
export class StartRateLimit {
  /** Starts allowed per window (a minute unless given). */
  readonly perMinute: number;
  readonly #now: () => number;
  readonly #windowMs: number;
  #starts = new Map<string, number[]>();

  constructor(perMinute: number, now: () => number = Date.now, windowMs = 60_000) {
    this.perMinute = perMinute;
    this.#now = now;
    this.#windowMs = windowMs;
  }

  /** Records a start for the learner; returns how many seconds to wait instead when they are over the limit. */
  take(learnerId: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.#now();
    const recent = (this.#starts.get(learnerId) ?? []).filter((t) => now - t < this.#windowMs);
    if (recent.length >= this.perMinute) {
      this.#starts.set(learnerId, recent);
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + this.#windowMs - now) / 1000)) };
    }
    recent.push(now);
    this.#starts.set(learnerId, recent);
    // Forget learners who have been quiet for a window, so the map does not grow without end.
    if (this.#starts.size > 10_000) {
      for (const [id, times] of this.#starts) if (now - times.at(-1)! >= this.#windowMs) this.#starts.delete(id);
    }
    return { ok: true };
  }
}
