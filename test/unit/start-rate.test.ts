import { describe, expect, it } from "vitest";
import { StartRateLimit } from "../../sandbox-server/src/runs/start-rate.ts";

describe("StartRateLimit", () => {
  it("lets a learner start up to the limit in a minute, then says how long to wait", () => {
    let now = 1_000_000;
    const limit = new StartRateLimit(3, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limit.take("ada")).toEqual({ ok: true });
      now += 10_000;
    }
    // Starts at 0 s, 10 s and 20 s; at 30 s the first leaves the window at 60 s.
    expect(limit.take("ada")).toEqual({ ok: false, retryAfterSeconds: 30 });
    now += 30_000;
    expect(limit.take("ada")).toEqual({ ok: true });
  });

  it("counts each learner on their own", () => {
    const limit = new StartRateLimit(1, () => 0);
    expect(limit.take("ada")).toEqual({ ok: true });
    expect(limit.take("grace")).toEqual({ ok: true });
    expect(limit.take("ada").ok).toBe(false);
  });
});
