// The Flink SQL programs written out below, judged as the server judges a Check, on the output real Flink wrote
// when it ran (recorded from live runs, written here compactly): each solution passes, each untouched starter
// fails for the reason its exercise.json names, and every wrong query fails with the words of its
// "-- The checkpoint says:" line. A wrong query added without its recorded output fails here.
// test/integration/flink-exercises.test.ts runs the solutions, the starters and a sample of the wrong queries live.
import { describe, expect, it } from "vitest";
import { gradeSnapshot } from "../../sandbox-server/src/grading/index.ts";
import type { BrokerSnapshot, TopicState } from "../../sandbox-server/src/kafka/index.ts";
import type { RunRecord } from "../../sandbox-server/src/runs/run-record.ts";
import { courseExercises } from "../support/sandbox-client.ts";

/** One record as the broker holds it: its key and its value (an object is JSON as Flink's json format writes it). */
type Written = [key: string | null, value: object];

/**
 * What a run left: how it ended by itself, if it did (every job finished: exit code 0; a statement that did not
 * plan: what the server calls a compile error), and what each topic held.
 */
interface RecordedRun {
  ended?: "finished" | "compile-error";
  topics: Record<string, Written[]>;
}

const unkeyed = (values: object[]): Written[] => values.map((value) => [null, value]);
const twice = <T>(items: T[]) => [...items, ...items];

// The page-views table: the script's eight views, written through a table of user, page and country.
const views = [
  ["user-1", "/", "DE"],
  ["user-2", "/pricing", "FR"],
  ["user-3", "/docs", "JP"],
  ["user-1", "/blog", "BR"],
  ["user-4", "/", "DE"],
  ["user-2", "/docs", "FR"],
  ["user-5", "/pricing", "JP"],
  ["user-3", "/", "BR"],
].map(([user, page, country]) => ({ user: user!, page: page!, country: country! }));

// The ETL: the same views with a user agent and a cookie, and what a CASE makes of their country codes.
const COUNTRY = { DE: "Germany", FR: "France", JP: "Japan", BR: "Brazil" } as Record<string, string>;
const rawViews = views.map((view, i) => ({ ...view, userAgent: "Mozilla/5.0", sessionCookie: `c${i + 1}` }));
const keyedByUser = (values: object[], users = views.map((view) => view.user)): Written[] => values.map((value, i) => [users[i]!, value]);
const cleanViews = views.map((view) => ({ ...view, country: COUNTRY[view.country]! }));

/** "2026-01-01 08:00:07" for 7, as Flink's json format writes a TIMESTAMP(3); negative seconds fall before 08:00. */
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 8) + seconds * 1000).toISOString().replace("T", " ").slice(0, 19);
/** Windows as the surge tables write them: [area, start, end, requests], start and end in seconds after 08:00. */
const windows = (rows: [string, number, number, number][]) =>
  unkeyed(rows.map(([area, start, end, requests]) => ({ area, window_start: at(start), window_end: at(end), requests })));
/** Processing-time windows: they open when Flink read the requests, here on the day they were recorded. */
const readAt = (rows: [string, number][]) =>
  unkeyed(rows.map(([area, requests]) => ({ area, window_start: "2026-12-04 06:31:20", window_end: "2026-12-04 06:31:30", requests })));
const requestsOf = (rows: [number, string, number][]) => unkeyed(rows.map(([id, area, second]) => ({ id, area, at: at(second) })));

// The surge script: 16 requests over 20 seconds, then one at 08:00:35 that moves event time (and the watermark, 2 s behind) on.
const surgeRequestRows: [number, string, number][] = [
  [1, "downtown", 1],
  [2, "downtown", 2],
  [3, "airport", 3],
  [4, "downtown", 4],
  [5, "harbour", 5],
  [6, "downtown", 6],
  [7, "airport", 7],
  [8, "downtown", 8],
  [9, "downtown", 11],
  [10, "airport", 12],
  [11, "downtown", 13],
  [12, "airport", 14],
  [13, "harbour", 16],
  [14, "airport", 17],
  [15, "downtown", 18],
  [16, "airport", 19],
  [17, "harbour", 35],
];
const surgeRequests = requestsOf(surgeRequestRows);
const surgePrices = windows([
  ["downtown", 0, 10, 5],
  ["airport", 0, 10, 2],
  ["harbour", 0, 10, 1],
  ["downtown", 10, 20, 3],
  ["airport", 10, 20, 4],
  ["harbour", 10, 20, 1],
]);
const surge = (prices: Written[], ended?: RecordedRun["ended"]): RecordedRun => ({
  ...(ended ? { ended } : {}),
  topics: { "window-trip-requests": surgeRequests, "window-surge-prices": prices },
});

// The late-request script, in the order its requests reach Kafka: request 8 (08:00:07) comes after request 7 (08:00:16).
const lateRequests = requestsOf([
  [1, "downtown", 1],
  [2, "airport", 2],
  [3, "downtown", 4],
  [4, "downtown", 5],
  [5, "downtown", 8],
  [6, "airport", 12],
  [7, "downtown", 16],
  [8, "downtown", 7],
  [9, "airport", 17],
  [10, "downtown", 19],
  [11, "harbour", 40],
]);
const late = (prices: Written[]): RecordedRun => ({ topics: { "late-trip-requests": lateRequests, "late-surge-prices": prices } });
const lateFirstWindows = (downtown: number) => [
  ["downtown", 0, 10, downtown] as [string, number, number, number],
  ["airport", 0, 10, 1] as [string, number, number, number],
];
const lateSecondWindows: [string, number, number, number][] = [
  ["airport", 10, 20, 2],
  ["downtown", 10, 20, 2],
];

const recorded: Record<string, Record<string, RecordedRun>> = {
  "flink-page-views-table": {
    solution: { topics: { "table-page-views": unkeyed(views) } },
    starter: { ended: "compile-error", topics: { "table-page-views": [] } },
    "dropped-country": { topics: { "table-page-views": unkeyed(views.map(({ user, page }) => ({ user, page }))) } },
    "underscore-topic": { topics: { "table-page-views": [] } },
    "no-startup-mode": { ended: "compile-error", topics: { "table-page-views": unkeyed(views) } },
    "insert-twice": { topics: { "table-page-views": unkeyed(twice(views)) } },
  },
  "flink-etl": {
    solution: { topics: { "etl-page-views": unkeyed(rawViews), "etl-page-views-clean": keyedByUser(cleanViews) } },
    // Flink plans WHERE FALSE as no rows at all: the job ends at once, and the run with it.
    starter: { ended: "finished", topics: { "etl-page-views": unkeyed(rawViews), "etl-page-views-clean": [] } },
    "codes-not-names": { topics: { "etl-page-views": unkeyed(rawViews), "etl-page-views-clean": keyedByUser(views) } },
    "dropped-country": {
      topics: { "etl-page-views": unkeyed(rawViews), "etl-page-views-clean": keyedByUser(views.map(({ user, page }) => ({ user, page }))) },
    },
    "leaks-user-agent": {
      topics: {
        "etl-page-views": unkeyed(rawViews),
        "etl-page-views-clean": keyedByUser(cleanViews.map((view) => ({ ...view, userAgent: "Mozilla/5.0" }))),
      },
    },
    "insert-twice": {
      topics: { "etl-page-views": unkeyed(rawViews), "etl-page-views-clean": keyedByUser(twice(cleanViews), twice(views.map((view) => view.user))) },
    },
    "where-false-kept": { ended: "finished", topics: { "etl-page-views": unkeyed(rawViews), "etl-page-views-clean": [] } },
    "value-except-key": {
      topics: {
        "etl-page-views": unkeyed(rawViews),
        "etl-page-views-clean": keyedByUser(cleanViews.map(({ page, country }) => ({ page, country }))),
      },
    },
  },
  "flink-surge-windows": {
    solution: surge(surgePrices),
    // Each request its own "window", from its time to its time.
    starter: surge(unkeyed(surgeRequestRows.map(([, area, second]) => ({ area, window_start: at(second), window_end: at(second), requests: 1 })))),
    "five-second-windows": surge(
      windows([
        ["downtown", 0, 5, 3],
        ["airport", 0, 5, 1],
        ["downtown", 5, 10, 2],
        ["airport", 5, 10, 1],
        ["harbour", 5, 10, 1],
        ["airport", 10, 15, 2],
        ["downtown", 10, 15, 2],
        ["downtown", 15, 20, 1],
        ["harbour", 15, 20, 1],
        ["airport", 15, 20, 2],
      ]),
    ),
    "missing-watermark": surge([], "compile-error"),
    "processing-time": surge(
      readAt([
        ["downtown", 8],
        ["harbour", 3],
        ["airport", 6],
      ]),
    ),
    "overlapping-windows": surge(
      windows([
        ["downtown", -5, 5, 3],
        ["airport", -5, 5, 1],
        ["downtown", 0, 10, 5],
        ["airport", 0, 10, 2],
        ["harbour", 0, 10, 1],
        ["airport", 5, 15, 3],
        ["harbour", 5, 15, 1],
        ["downtown", 5, 15, 4],
        ["downtown", 10, 20, 3],
        ["harbour", 10, 20, 1],
        ["airport", 10, 20, 4],
        ["harbour", 15, 25, 1],
        ["airport", 15, 25, 2],
        ["downtown", 15, 25, 1],
      ]),
    ),
    "one-minute-windows": surge([]),
    "insert-twice": surge(twice(surgePrices)),
  },
  "flink-late-requests": {
    solution: late(windows([...lateFirstWindows(5), ...lateSecondWindows])),
    starter: late(windows([...lateFirstWindows(4), ...lateSecondWindows])),
    "six-second-delay": late(windows([...lateFirstWindows(4), ...lateSecondWindows])),
    "waits-a-minute": late([]),
    "thirty-second-delay": late(windows(lateFirstWindows(5))),
    "processing-time": late(
      readAt([
        ["downtown", 7],
        ["harbour", 1],
        ["airport", 3],
      ]),
    ),
  },
};

/** The broker as a Check would read it after the recorded run: one partition a topic, made anew for the run. */
function snapshotAfter(run: RecordedRun): BrokerSnapshot {
  const topics = Object.entries(run.topics).map(
    ([name, written]): TopicState => ({
      name,
      topicId: `id-${name}`,
      partitions: [{ partition: 0, low: 0, high: written.length, replicas: 1, inSync: 1, leader: 1, replicaIds: [1], isrIds: [1] }],
      config: {},
      records: written.map(([key, value], offset) => ({ partition: 0, offset, timestamp: 0, key, value: JSON.stringify(value), headers: {} })),
    }),
  );
  return { brokerCount: 1, topics: new Map(topics.map((topic) => [topic.name, topic])), groups: new Map() };
}

/** The judged run: a SQL run on a clean slate, still running its continuous queries, or ended with its exit code. */
function judgedRun(exerciseId: string, run: RecordedRun): RunRecord {
  return {
    id: "recorded",
    exerciseId,
    language: "sql",
    startedAt: "2026-12-04T06:31:12.000Z",
    launched: true,
    freshSlate: true,
    marks: {},
    ...(run.ended && { endedAt: "2026-12-04T06:31:19.000Z" }),
    ...(run.ended === "finished" && { outcome: "exited", exitCode: 0 }),
    ...(run.ended === "compile-error" && { outcome: "compile-error", exitCode: null }),
  };
}

// The exercises written out above; every other SQL exercise's wrong queries are graded on the runs kept in
// test/recordings (test/unit/recorded-wrong-programs.test.ts), its starter and solution live in test/integration/course-sql.test.ts.
const sqlExercises = [...(await courseExercises()).values()].filter((exercise) => exercise.language === "sql" && exercise.id in recorded);

describe.each(sqlExercises.map((exercise) => [exercise.id, exercise] as const))("the SQL programs of %s, on what Flink wrote", (id, exercise) => {
  const judge = (program: string) => {
    const run = recorded[id]?.[program];
    expect(run, `no recorded output of ${id}'s ${program}`).toBeDefined();
    const ran = judgedRun(id, run!);
    return gradeSnapshot(id, exercise.checkpoint, snapshotAfter(run!), {
      graderFile: exercise.graderFile,
      runs: { attempted: ran, ran },
      ownedTopics: Object.keys(exercise.owns.topics),
    });
  };

  it("passes the solution", async () => {
    const verdict = await judge("solution");
    expect(verdict.status, verdict.message).toBe("pass");
  });

  it("fails the untouched starter for the reason the exercise names", async () => {
    const verdict = await judge("starter");
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(exercise.starterFailsWith);
  });

  it.each(exercise.wrong.map((wrong) => [wrong.file, wrong] as const))("fails wrong/%s, naming its mistake", async (_file, wrong) => {
    expect(wrong.verdictSays, `wrong/${wrong.file} has no "-- The checkpoint says:" line`).toBeTruthy();
    const verdict = await judge(wrong.name);
    expect(verdict.status, `${wrong.mistake}: yet it passed`).toBe("fail");
    expect(verdict.message, wrong.mistake).toContain(wrong.verdictSays);
  });
});
