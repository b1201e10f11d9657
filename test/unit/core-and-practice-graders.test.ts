// The graders of "Core concepts" and "In practice", on records built here: each rule passing, and failing with the
// words its verdict promises.
import { describe, expect, it } from "vitest";
import type { GradedTopic, GraderCheck, GraderInput, GradedRun } from "../../sandbox-server/src/contract/grader.ts";
import gradeBookings, { type Booking } from "../../content/core-concepts/offsets-and-commits/exercises/manual-commit/grader.ts";
import gradeRides from "../../content/core-concepts/partitions-and-keys/exercises/keys-and-ordering/grader.ts";
import gradeRecommendations from "../../content/in-practice/real-world/exercises/watch-recommendations/grader.ts";
import gradeSpam from "../../content/in-practice/real-world/exercises/spam-signals/grader.ts";
import gradeSurge from "../../content/in-practice/real-world/exercises/surge-pricing/grader.ts";

interface Row {
  key: string | null;
  value: unknown;
  partition?: number;
}

/** A topic of these records, offsets counted per partition. */
function topicOf(name: string, rows: Row[]): GradedTopic {
  const next = new Map<number, number>();
  const records = rows.map(({ key, value, partition = 0 }) => {
    const offset = next.get(partition) ?? 0;
    next.set(partition, offset + 1);
    return { partition, offset, timestamp: 0, key, value: typeof value === "string" ? value : JSON.stringify(value), headers: {} };
  });
  return { name, partitions: Math.max(1, next.size), records, truncated: false, runStart: {} };
}

const runIn = (language: GradedRun["language"]): GradedRun => ({ id: "r1", language, startedAt: "2026-01-01T00:00:00Z", freshSlate: true });
const firstFailure = (checks: GraderCheck[]) => checks.find((c) => c.status === "fail");
const allPass = (checks: GraderCheck[]) => expect(checks.filter((c) => c.status === "fail")).toEqual([]);

describe("the manual-commit grader", () => {
  const payments = topicOf(
    "payments",
    Array.from({ length: 20 }, (_, i) => ({ key: `payment-${i + 1}`, value: String((i + 1) * 5) })),
  );
  const booking = (offset: number, committedWhenBooked: number | null, restarted = false): Booking => ({
    payment: `payment-${offset + 1}`,
    offset,
    committedWhenBooked,
    restarted,
  });
  /** The service books `first` (up to the crash), then, restarted, `second`; the group ends at `committed`. */
  const trace = (
    first: Booking[],
    second: Booking[],
    committed: number | undefined,
    language: GradedRun["language"] = "typescript",
  ): GraderInput => ({
    topics: {
      payments,
      bookings: topicOf(
        "bookings",
        [...first, ...second].map((b) => ({ key: b.payment, value: b })),
      ),
    },
    groups: { "bookkeeping/payments": { name: "bookkeeping", topic: "payments", committed: committed === undefined ? {} : { 0: committed } } },
    run: runIn(language),
  });
  const range = (from: number, to: number, committedOf: (offset: number) => number | null, restarted = false) =>
    Array.from({ length: to - from }, (_, i) => booking(from + i, committedOf(from + i), restarted));

  it("passes a service that commits each payment after booking it and waits for Kafka", () => {
    allPass(
      gradeBookings(
        trace(
          range(0, 6, (o) => (o === 0 ? null : o)),
          range(6, 20, (o) => o, true),
          20,
        ),
      ),
    );
  });

  it("fails a commit before booking, naming the payment the crash lost", () => {
    const checks = gradeBookings(
      trace(
        range(0, 6, (o) => o + 1),
        range(7, 20, (o) => o + 1, true),
        20,
      ),
    );
    expect(firstFailure(checks)?.message).toMatch(/`payment-7` was never booked.*before booking it.*at most once/);
  });

  it("fails a commit sent before booking but not awaited: the crash still loses the payment", () => {
    const checks = gradeBookings(
      trace(
        range(0, 6, (o) => (o === 0 ? null : o)),
        range(7, 20, (o) => o, true),
        20,
      ),
    );
    expect(firstFailure(checks)?.message).toMatch(/`payment-7` was never booked\. Its offset was committed before its booking was done.*at offset 7/);
  });

  it("fails a program that never commits, in the words of its language", () => {
    const typescript = gradeBookings(
      trace(
        range(0, 6, () => null),
        range(0, 20, () => null, true),
        undefined,
      ),
    );
    expect(firstFailure(typescript)?.message).toMatch(
      /`payment-1` was booked twice.*no committed offset.*autoCommit: false nothing is committed until your program calls consumer.commitOffsets/,
    );
    const python = gradeBookings(
      trace(
        range(0, 6, () => null),
        range(0, 20, () => null, true),
        undefined,
        "python",
      ),
    );
    expect(firstFailure(python)?.message).toContain("nothing is committed until your program calls consumer.commit()");
  });

  it("fails a commit of the offset just booked, asking for the next one to read", () => {
    const first = range(0, 6, (o) => (o === 0 ? null : o - 1));
    const second = [booking(5, 5, true), ...range(6, 20, (o) => o - 1, true)];
    expect(firstFailure(gradeBookings(trace(first, second, 19)))?.message).toMatch(/`payment-6` was booked twice.*`Number\(message.offset\) \+ 1`/);
    expect(firstFailure(gradeBookings(trace(first, second, 19, "python")))?.message).toContain("`message.offset + 1`");
  });

  it("fails a commit that was not awaited, though every payment was booked once", () => {
    const checks = gradeBookings(
      trace(
        range(0, 6, (o) => (o < 2 ? null : o - 1)),
        range(6, 20, (o) => Math.max(6, o - 1), true),
        20,
      ),
    );
    expect(checks.find((c) => c.title.startsWith("Every payment"))?.status).toBe("pass");
    expect(firstFailure(checks)?.message).toMatch(
      /`payment-2` \(offset 1\) was booked, Kafka had confirmed no committed offset yet.*await consumer.commitOffsets/,
    );
  });

  it("fails commits in batches: the crash books the uncommitted payments again", () => {
    const batches = (o: number) => (o < 5 ? null : Math.floor(o / 5) * 5);
    const message = firstFailure(gradeBookings(trace(range(0, 6, batches), range(5, 20, batches, true), 20, "python")))?.message;
    expect(message).toMatch(/`payment-6` was booked twice.*confirmed only offset 5.*as soon as it is booked/);
  });

  it("fails commits past the end of the topic, as text joined to a number", () => {
    const joined = (o: number) => (o === 0 ? null : Number(`${o - 1}1`));
    const message = firstFailure(gradeBookings(trace(range(0, 6, joined), [], 51)))?.message;
    expect(message).toMatch(/`payment-7` was never booked.*past the end.*"5" \+ 1 = "51"/);
  });

  it("fails a group that stopped short of the end", () => {
    const checks = gradeBookings(
      trace(
        range(0, 6, (o) => (o === 0 ? null : o)),
        range(6, 20, (o) => o, true),
        18,
      ),
    );
    expect(firstFailure(checks)?.message).toContain("Group `bookkeeping` is 2 payment(s) behind the end of `payments`");
  });

  it("says when a run booked nothing, or when there are no payments", () => {
    expect(firstFailure(gradeBookings(trace([], [], undefined)))?.message).toContain("booked no payment");
    expect(gradeBookings({ topics: {}, groups: {} })[0]?.message).toContain("`payments` holds no payments");
  });
});

describe("the keys-and-ordering grader", () => {
  const steps = ["requested", "picked up", "dropped off"];
  const rides = (keyOf: (ride: number) => string | null, partitionOf = (ride: number) => ride % 3, order = steps): GraderInput => ({
    topics: {
      rides: topicOf(
        "rides",
        order.flatMap((step) =>
          Array.from({ length: 10 }, (_, i) => ({ key: keyOf(i + 1), value: `ride-${i + 1} ${step}`, partition: partitionOf(i + 1) })),
        ),
      ),
    },
    groups: {},
    run: runIn("typescript"),
  });

  it("passes every event keyed by its own ride, each ride in order in one partition", () => {
    allPass(gradeRides(rides((ride) => `ride-${ride}`)));
  });

  it("fails keys counted from 0, naming an event and the ride it belongs to", () => {
    expect(firstFailure(gradeRides(rides((ride) => `ride-${ride - 1}`)))?.message).toContain(
      'The event "ride-1 requested" has key "ride-0": its key must be its own ride, "ride-1"',
    );
  });

  it("fails a ride whose events are out of order or missing", () => {
    const reversed = gradeRides(rides((ride) => `ride-${ride}`, undefined, [...steps].reverse()));
    expect(firstFailure(reversed)?.message).toContain('ride-1\'s events read "dropped off", "picked up", "requested"');
    const empty = gradeRides({ topics: { rides: topicOf("rides", []) }, groups: {} });
    expect(firstFailure(empty)?.message).toContain("There is no event of ride-1");
  });
});

describe("the watch-recommendations grader", () => {
  const viewing: [string, string, string][] = [
    ["member-1", "drama", "The Crown"],
    ["member-2", "scifi", "Dark"],
    ["member-1", "drama", "Ozark"],
  ];
  const right = [
    { member: "member-1", because: "The Crown", recommend: "Ozark" },
    { member: "member-2", because: "Dark", recommend: "Stranger Things" },
    { member: "member-1", because: "Ozark", recommend: "Narcos" },
  ];
  const input = (
    recommendations: { member: string; because: string; recommend: string }[],
    keyOf = (r: { member: string }) => r.member,
  ): GraderInput => ({
    topics: {
      watched: topicOf(
        "watched",
        viewing.map(([member, genre, title]) => ({ key: member, value: { member, genre, title } })),
      ),
      recommendations: topicOf(
        "recommendations",
        recommendations.map((r) => ({ key: keyOf(r), value: r })),
      ),
    },
    groups: {},
  });

  it("passes the next unseen title of the genre for each watch event, keyed by member", () => {
    allPass(gradeRecommendations(input(right)));
  });

  it("fails a recommendation of a title the member watched before", () => {
    const message = firstFailure(gradeRecommendations(input([right[0]!, right[1]!, { ...right[2]!, recommend: "The Crown" }])))?.message;
    expect(message).toContain("`member-1` watched Ozark and was recommended The Crown, which they have already watched");
  });

  it("fails a recommendation of the title just watched", () => {
    expect(firstFailure(gradeRecommendations(input([{ ...right[0]!, recommend: "The Crown" }, right[1]!, right[2]!])))?.message).toContain(
      "the title they have just watched",
    );
  });

  it("fails recommendations keyed by genre, and a missing one", () => {
    const byGenre = gradeRecommendations(input(right, (r) => (r.member === "member-1" ? "drama" : r.member)));
    expect(firstFailure(byGenre)?.message).toContain('has key "drama": each recommendation must be keyed by its member');
    expect(firstFailure(gradeRecommendations(input(right.slice(0, 2))))?.message).toContain("one recommendation for every watch event");
  });
});

describe("the spam-signals grader", () => {
  const at = (seconds: number) => 1_000_000 + seconds * 1000;
  const events = [
    ...Array.from({ length: 11 }, (_, i) => ({ member: "spammer", action: "message", at: at(i * 3) })),
    ...Array.from({ length: 10 }, (_, i) => ({ member: "busy", action: "message", at: at(i * 5) })),
    ...Array.from({ length: 14 }, (_, i) => ({ member: "fan", action: i % 7 < 4 ? "message" : "like", at: at(i * 3) })),
    ...Array.from({ length: 12 }, (_, i) => ({ member: "slow", action: "message", at: at(i * 10) })),
  ];
  const input = (
    signals: { key: string | null; member: string; messagesInLastMinute?: unknown }[],
    language: GradedRun["language"] = "typescript",
  ): GraderInput => ({
    topics: {
      interactions: topicOf(
        "interactions",
        events.map((e) => ({ key: e.member, value: e })),
      ),
      "spam-signals": topicOf(
        "spam-signals",
        signals.map(({ key, ...value }) => ({ key, value })),
      ),
    },
    groups: {},
    run: runIn(language),
  });
  const spammer = { key: "spammer", member: "spammer", messagesInLastMinute: 11 };

  it("passes exactly the member past the limit, flagged once, keyed by member, with the count", () => {
    allPass(gradeSpam(input([spammer])));
  });

  it("fails a member flagged for likes counted as messages", () => {
    const message = firstFailure(gradeSpam(input([spammer, { key: "fan", member: "fan", messagesInLastMinute: 11 }])))?.message;
    expect(message).toContain(
      "`fan` was flagged, but sent at most 8 messages within any minute; the other 6 of their interactions in that minute were likes",
    );
  });

  it("fails a member flagged at the limit, by the clock, twice, or not at all", () => {
    expect(firstFailure(gradeSpam(input([spammer, { key: "busy", member: "busy", messagesInLastMinute: 10 }])))?.message).toContain(
      "`busy` was flagged, but sent exactly 10",
    );
    expect(firstFailure(gradeSpam(input([spammer, { key: "slow", member: "slow", messagesInLastMinute: 11 }], "python")))?.message).toContain(
      'measure the minute with event["at"], not the clock',
    );
    expect(firstFailure(gradeSpam(input([spammer, spammer])))?.message).toContain("signal each member once");
    expect(firstFailure(gradeSpam(input([])))?.message).toContain("`spammer` sent 11 messages within one minute but was not flagged");
  });

  it("fails a signal without the member's key or with a wrong count", () => {
    expect(firstFailure(gradeSpam(input([{ ...spammer, key: null }])))?.message).toContain("has no key: key each signal by the member");
    expect(firstFailure(gradeSpam(input([{ ...spammer, messagesInLastMinute: "many" }])))?.message).toContain('messagesInLastMinute is "many"');
  });
});

describe("the surge-pricing grader", () => {
  // Two areas over two 10-second windows, starting at 12:00:00 UTC.
  const start = Date.UTC(2026, 0, 1, 12, 0, 0);
  const requests = [
    ...Array.from({ length: 8 }, (_, i) => ({ area: "downtown", at: start + i * 2000 })),
    ...Array.from({ length: 3 }, (_, i) => ({ area: "airport", at: start + 1000 + i * 5000 })),
  ];
  const price = (area: string, from: number, requests: number, multiplier = requests <= 5 ? 1 : 1 + 0.25 * Math.ceil((requests - 5) / 3)) => ({
    key: area,
    value: { area, window: new Date(from).toISOString(), requests, multiplier },
  });
  const right = [price("downtown", start, 5), price("downtown", start + 10_000, 3), price("airport", start, 2), price("airport", start + 10_000, 1)];
  const input = (prices: Row[], language: GradedRun["language"] = "typescript"): GraderInput => ({
    topics: {
      "trip-requests": topicOf(
        "trip-requests",
        requests.map((r) => ({ key: r.area, value: r })),
      ),
      "surge-prices": topicOf("surge-prices", prices),
    },
    groups: {},
    run: runIn(language),
  });

  it("passes one price per area and 10-second window, counted by the requests' own time", () => {
    allPass(gradeSurge(input(right)));
  });

  it("fails windows by the clock, naming the times the requests happened", () => {
    const message = firstFailure(gradeSurge(input([price("downtown", start + 70_000, 8), price("airport", start + 70_000, 3)])))?.message;
    expect(message).toContain(
      "the requests happened between 12:00:00 and 12:00:14: window by each request's own time (request.at), not by the clock",
    );
  });

  it("fails 60-second windows that did use the requests' time as windows too long, not as the clock", () => {
    const message = firstFailure(gradeSurge(input([price("downtown", start, 8), price("airport", start, 3)], "python")))?.message;
    expect(message).toMatch(
      /your windows are [\d, or]*\b60\b[\d, or]* s long\. Count in 10-second windows: request\["at"\] \/\/ WINDOW_MS \* WINDOW_MS/,
    );
    expect(message).not.toContain("clock");
  });

  it("fails 5-second windows, naming their length", () => {
    const fives = [
      price("downtown", start, 3),
      price("downtown", start + 5000, 2),
      price("downtown", start + 10_000, 3),
      price("airport", start, 1),
      price("airport", start + 5000, 1),
      price("airport", start + 10_000, 1),
    ];
    expect(firstFailure(gradeSurge(input(fives)))?.message).toContain("your windows are 5 s long");
  });

  it("fails windows named by their end (rounded up), asking to round down", () => {
    const up = [
      price("downtown", start, 1),
      price("downtown", start + 10_000, 5),
      price("downtown", start + 20_000, 2),
      price("airport", start + 10_000, 2),
      price("airport", start + 20_000, 1),
    ];
    expect(firstFailure(gradeSurge(input(up)))?.message).toContain("rounds up to 12:00:00. A window is named by its start: request.at rounded down");
  });

  it("fails a missing price, a price published twice, a wrong multiplier and a price keyed by something else", () => {
    expect(firstFailure(gradeSurge(input(right.slice(1))))?.message).toContain("There is no price for area downtown in window 12:00:00–12:00:10");
    expect(firstFailure(gradeSurge(input([...right, right[0]!])))?.message).toContain("has 2 prices: publish each area and window once");
    expect(firstFailure(gradeSurge(input([price("downtown", start, 5, 1.25), ...right.slice(1)])))?.message).toContain(
      "the multiplier should be 1, not 1.25",
    );
    expect(firstFailure(gradeSurge(input([{ ...right[0]!, key: "12:00" }, ...right.slice(1)])))?.message).toContain(
      'has key "12:00": key each price by its area',
    );
  });
});
