// Checks are graded on worker threads and admitted fairly: a snapshot of half-megabyte JSON records is
// parsed without stalling the main thread, a learner's second Check of an exercise joins the first, the
// learner with the fewest Checks under way goes first, and an unchanged broker gives the last verdict back.
import { afterAll, describe, expect, it } from "vitest";
import { CheckQueue, GradingPool, gradeCheckpoint, gradeSnapshot } from "../../sandbox-server/src/grading/index.ts";
import type { BrokerSnapshot, BrokerState, SnapshotRequest, TopicState } from "../../sandbox-server/src/kafka/index.ts";
import { checkpointSpecSchema } from "../../sandbox-server/src/exercises/index.ts";

const shaped = checkpointSpecSchema.parse({
  title: "Clean page views",
  checks: [{ type: "records-shape", topic: "clean", fields: ["user", "page"], forbidden: ["userAgent"], keyed: true }],
});

/** 24 records of about 518 KB of JSON each, as a learner's program may write them. */
function heavySnapshot(): BrokerSnapshot {
  const history = Array.from({ length: 20_000 }, () => ({ page: "/docs", ms: 12 }));
  const records = Array.from({ length: 24 }, (_, offset) => ({
    partition: 0,
    offset,
    timestamp: 0,
    key: `user-${offset}`,
    value: JSON.stringify({ user: `user-${offset}`, page: "/", history }),
    headers: {},
  }));
  const topic: TopicState = {
    name: "clean",
    topicId: "t1",
    partitions: [{ partition: 0, leader: 1, replicaIds: [1], isrIds: [1], low: 0, high: 24, replicas: 1, inSync: 1 }],
    config: {},
    records,
  };
  return { brokerCount: 1, topics: new Map([["clean", topic]]), groups: new Map(), stateKey: "k1" };
}

/** The longest gap between ticks of a 5 ms timer on the main thread while `work` ran, in ms. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    longest = Math.max(longest, performance.now() - last);
    last = performance.now();
  }, 5);
  await work();
  // One more tick, to see the gap a synchronous piece of work left at its end.
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(ticker);
  return longest;
}

const pool = new GradingPool(2);
afterAll(() => pool.close());

describe("grading off the main thread", () => {
  it("parses a snapshot of half-megabyte records on a worker, holding the main thread far shorter than grading it there", async () => {
    const snapshot = heavySnapshot();
    expect((await pool.grade("stream-etl", shaped, snapshot, {})).status).toBe("pass");
    const onMain = await longestStall(() => gradeSnapshot("stream-etl", shaped, snapshot));
    const onWorker = await longestStall(() => pool.grade("stream-etl", shaped, snapshot, {}));
    console.log(
      `[grading stall] longest main-thread stall: graded on the main thread ${Math.round(onMain)} ms, on a worker ${Math.round(onWorker)} ms`,
    );
    expect(onWorker).toBeLessThan(onMain / 2);
  });

  it("says what was too big instead of judging the messages that fitted", async () => {
    const snapshot = heavySnapshot();
    snapshot.topics.get("clean")!.tooBig =
      "The message at offset 3 of partition 0 of `clean` is 2.0 MB, more than the 1.0 MB a Check reads of one message.";
    const verdict = await pool.grade("stream-etl", shaped, snapshot, {});
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("is 2.0 MB, more than the 1.0 MB a Check reads");
  });
});

describe("the check queue", () => {
  it("joins a learner's second Check of an exercise to the first, giving both the same answer", async () => {
    const queue = new CheckQueue(4);
    let graded = 0;
    const slow = () => new Promise<number>((resolve) => setTimeout(() => resolve(++graded), 50));
    const answers = await Promise.all([queue.check("ann", "ex", slow), queue.check("ann", "ex", slow), queue.check("ann", "other", slow)]);
    expect(answers[0]).toBe(answers[1]);
    expect(graded).toBe(2);
  });

  it("lets the learner with the fewest Checks under way go first, whatever came before", async () => {
    const queue = new CheckQueue(2);
    const order: string[] = [];
    const release: (() => void)[] = [];
    const held = (name: string) => () =>
      new Promise<void>((resolve) => {
        order.push(name);
        release.push(resolve);
      });
    const hammer = Array.from({ length: 150 }, (_, i) => queue.check("hammer", `ex-${i}`, held(`hammer-${i}`)));
    const other = queue.check("other", "ex-0", held("other"));
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Two of the hammerer's run; the other learner's is next, before the 148 the hammerer queued first.
    expect(order).toEqual(["hammer-0", "hammer-1"]);
    release.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(order.at(-1)).toBe("other");
    while (release.length) {
      release.shift()!();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await Promise.all([...hammer, other]);
    expect(order).toHaveLength(151);
  });
});

describe("an unchanged broker", () => {
  it("gives the learner's last verdict back without reading records again", async () => {
    const requests: SnapshotRequest[] = [];
    const broker: BrokerState = {
      async snapshot(_namespace, request) {
        requests.push(request);
        const snapshot = heavySnapshot();
        return request.unchangedSince === snapshot.stateKey ? { ...snapshot, topics: new Map(), unchanged: true } : snapshot;
      },
    };
    let kept: { stateKey: string; verdict: Awaited<ReturnType<typeof gradeSnapshot>> } | undefined;
    const memo = { recall: () => kept, keep: (stateKey: string, verdict: (typeof kept & {})["verdict"]) => void (kept = { stateKey, verdict }) };
    const first = await gradeCheckpoint("stream-etl", shaped, broker, { namespace: "n.", memo });
    const second = await gradeCheckpoint("stream-etl", shaped, broker, { namespace: "n.", memo });
    expect(first.status).toBe("pass");
    expect(second.status).toBe("pass");
    expect(requests.map((r) => r.unchangedSince)).toEqual([undefined, "k1"]);
  });
});
