// The Flink exercises' graders, on records built here: the same rules the checkpoints apply to the broker's topics.
import { describe, expect, it } from "vitest";
import type { GradedTopic, GraderInput } from "../../sandbox-server/src/contract/grader.ts";
import gradeEtl from "../../content/stream-processing/etl-in-sql/exercises/flink-etl/grader.ts";
import gradeLate, { delayToWaitFor } from "../../content/stream-processing/windows/exercises/flink-late-requests/grader.ts";
import gradeSurge from "../../content/stream-processing/windows/exercises/flink-surge-windows/grader.ts";
import gradeTable from "../../content/stream-processing/table-over-topic/exercises/flink-page-views-table/grader.ts";

const topic = (name: string, values: object[]): GradedTopic => ({
  name,
  partitions: 1,
  truncated: false,
  runStart: {},
  records: values.map((value, offset) => ({ partition: 0, offset, timestamp: 0, key: null, value: JSON.stringify(value), headers: {} })),
});

const at = (seconds: number) => `2026-01-01 08:00:${String(seconds).padStart(2, "0")}`;
const requests = [
  { id: 1, area: "downtown", at: at(1) },
  { id: 2, area: "downtown", at: at(4) },
  { id: 3, area: "airport", at: at(7) },
  { id: 4, area: "downtown", at: at(12) },
  { id: 5, area: "airport", at: at(15) },
  { id: 6, area: "harbour", at: at(35) },
];
const surge = (rows: [string, number, number, number][]): GraderInput => ({
  groups: {},
  topics: {
    "window-trip-requests": topic("window-trip-requests", [...requests, ...requests]),
    "window-surge-prices": topic(
      "window-surge-prices",
      rows.map(([area, start, end, count]) => ({ area, window_start: at(start), window_end: at(end), requests: count })),
    ),
  },
});

describe("the surge-pricing grader", () => {
  it("passes counts of distinct requests per area and closed 10-second window", () => {
    const checks = gradeSurge(
      surge([
        ["downtown", 0, 10, 2],
        ["airport", 0, 10, 1],
        ["downtown", 10, 20, 1],
        ["airport", 10, 20, 1],
      ]),
    );
    expect(checks[0]).toMatchObject({ status: "pass" });
  });

  it("fails 5-second windows, naming the window size", () => {
    const [check] = gradeSurge(
      surge([
        ["downtown", 0, 5, 2],
        ["airport", 5, 10, 1],
      ]),
    );
    expect(check).toMatchObject({ status: "fail" });
    expect(check!.message).toMatch(/5 s.*10-second/);
  });

  it("fails a wrong count, saying what it should be", () => {
    const [check] = gradeSurge(
      surge([
        ["downtown", 0, 10, 3],
        ["airport", 0, 10, 1],
        ["downtown", 10, 20, 1],
        ["airport", 10, 20, 1],
      ]),
    );
    expect(check!.message).toMatch(/downtown 08:00:00–08:00:10 had 2 requests; `window-surge-prices` says 3/);
  });

  it("fails an empty output, pointing to the watermark", () => {
    expect(gradeSurge(surge([]))[0]!.message).toMatch(/WATERMARK/);
  });
});

describe("the ETL grader", () => {
  const raw = topic("etl-page-views", [
    { user: "u1", page: "/", country: "DE" },
    { user: "u2", page: "/docs", country: "XX" },
  ]);
  it("passes clean views with country names, unknown codes as unknown", () => {
    const clean = topic("etl-page-views-clean", [
      { user: "u1", page: "/", country: "Germany" },
      { user: "u2", page: "/docs", country: "unknown" },
    ]);
    expect(gradeEtl({ groups: {}, topics: { "etl-page-views": raw, "etl-page-views-clean": clean } })[0]).toMatchObject({ status: "pass" });
  });

  it("fails codes copied as they are", () => {
    const clean = topic("etl-page-views-clean", [
      { user: "u1", page: "/", country: "DE" },
      { user: "u2", page: "/docs", country: "XX" },
    ]);
    expect(gradeEtl({ groups: {}, topics: { "etl-page-views": raw, "etl-page-views-clean": clean } })[0]!.message).toMatch(/"country":"Germany"/);
  });

  it("fails a clean view that still carries the user agent", () => {
    const clean = topic("etl-page-views-clean", [{ user: "u1", page: "/", country: "Germany", userAgent: "Mozilla" }]);
    expect(gradeEtl({ groups: {}, topics: { "etl-page-views": raw, "etl-page-views-clean": clean } })[0]!.message).toMatch(/carries userAgent/);
  });
});

describe("the page-views table grader", () => {
  const scriptViews = [
    ["user-1", "/", "DE"],
    ["user-2", "/pricing", "FR"],
    ["user-3", "/docs", "JP"],
    ["user-1", "/blog", "BR"],
    ["user-4", "/", "DE"],
    ["user-2", "/docs", "FR"],
    ["user-5", "/pricing", "JP"],
    ["user-3", "/", "BR"],
  ].map(([user, page, country]) => ({ user, page, country }));
  // What the TypeScript ETL lab writes to `page-views`: the same three fields, and two more.
  const labViews = Array.from({ length: 20 }, (_, i) => ({
    user: `user-${i % 7}`,
    page: ["/", "/pricing", "/docs", "/blog"][i % 4],
    country: ["DE", "FR", "JP", "BR"][i % 4],
    userAgent: "Mozilla/5.0",
    sessionCookie: `c${i}`,
  }));
  const gradeViews = (values: object[]) => gradeTable({ groups: {}, topics: { "table-page-views": topic("table-page-views", values) } })[0]!;

  it("passes the eight page views of the script's INSERT, after other programs' records", () => {
    expect(gradeViews([...labViews, ...scriptViews])).toMatchObject({ status: "pass" });
  });

  it("fails the TypeScript ETL lab's page views alone, saying they were not written through the table", () => {
    const check = gradeViews(labViews);
    expect(check.status).toBe("fail");
    expect(check.message).toMatch(/holds none of the 8 page views your INSERT writes.*userAgent and sessionCookie were written by another program/);
  });

  it("fails the lab's page views stripped to three fields, as they are not the script's eight", () => {
    const stripped = labViews.map(({ user, page, country }) => ({ user, page, country }));
    expect(gradeViews(stripped).message).toMatch(/lacks 3 of the 8 page views your INSERT writes/);
  });

  it("fails views without a country, asking whether the table declares all three columns", () => {
    const check = gradeViews(scriptViews.map(({ user, page }) => ({ user, page })));
    expect(check.status).toBe("fail");
    expect(check.message).toMatch(/lacks country: does your table declare all three columns/);
  });

  it("fails when the topic does not exist", () => {
    expect(gradeTable({ groups: {}, topics: {} })[0]!.message).toMatch(/no topic `table-page-views`/);
  });
});

describe("the late-request grader", () => {
  // The script's requests in the order they reach Kafka: request 8 (08:00:07) arrives after request 7 (08:00:16).
  const arrivals: [number, string, number][] = [
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
  ];
  const requestsWritten = (times: number) =>
    Array.from({ length: times }, () => arrivals.map(([id, area, second]) => ({ id, area, at: at(second) }))).flat();
  const late = (rows: [string, number, number, number][], copies = 1): GraderInput => ({
    groups: {},
    topics: {
      "late-trip-requests": topic("late-trip-requests", requestsWritten(copies)),
      "late-surge-prices": topic(
        "late-surge-prices",
        rows.map(([area, start, end, count]) => ({ area, window_start: at(start), window_end: at(end), requests: count })),
      ),
    },
  });
  const complete: [string, number, number, number][] = [
    ["downtown", 0, 10, 5],
    ["airport", 0, 10, 1],
    ["airport", 10, 20, 2],
    ["downtown", 10, 20, 2],
  ];

  it("passes counts that include the late request", () => {
    const [check] = gradeLate(late(complete));
    expect(check).toMatchObject({ status: "pass" });
    expect(check!.message).toContain("late request 8 included");
  });

  it("passes when the script ran twice and a later run wrote the same counts again", () => {
    expect(gradeLate(late([...complete, ...complete], 2))[0]).toMatchObject({ status: "pass" });
  });

  it("fails a window one short, naming the late request and the delay that waits for it", () => {
    const [check] = gradeLate(late([["downtown", 0, 10, 4], ...complete.slice(1)]));
    expect(check!.message).toBe(
      "window 08:00:00–08:00:10 in downtown counted 4 requests, but 5 were made in it: request 8, made at 08:00:07, reached Kafka only after a request made at 08:00:16. " +
        "By then the watermark had passed 08:00:10, the window's end, so Flink had written the window and dropped request 8 as late. Make the watermark's delay at least 7 seconds.",
    );
  });

  it("judges the latest run: a short count written after a right one fails", () => {
    expect(gradeLate(late([...complete, ["downtown", 0, 10, 4]], 2))[0]).toMatchObject({ status: "fail" });
  });

  it("fails when no window closed, saying how long a delay keeps them open", () => {
    const [check] = gradeLate(late([]));
    expect(check!.message).toMatch(
      /^No window closed.*latest request's time \(08:00:40\).*A delay of more than 30 s keeps even the first window \(ending 08:00:10\) open/,
    );
  });

  it("fails when only the first window closed, naming the delay the second needs", () => {
    const [check] = gradeLate(late(complete.slice(0, 2)));
    expect(check!.message).toMatch(/No count for window 08:00:10–08:00:20 in airport.*only with a delay of 20 s or less/);
  });

  it("fails windows of processing time, naming it", () => {
    const now = new Date(Date.UTC(2026, 10, 27, 21, 30)).toISOString().replace("T", " ").slice(0, 19);
    const input = late([]);
    input.topics["late-surge-prices"] = topic("late-surge-prices", [{ area: "downtown", window_start: now, window_end: now, requests: 6 }]);
    expect(gradeLate(input)[0]!.message).toMatch(/processing time/);
  });

  it("asks for the whole second past the lateness: Flink closes a window when the watermark reaches its last millisecond", () => {
    const end = Date.UTC(2026, 0, 1, 8, 0, 10);
    expect(delayToWaitFor(end + 6000, end)).toBe(7);
    expect(delayToWaitFor(end + 5500, end)).toBe(6);
    expect(delayToWaitFor(end, end)).toBe(1);
  });
});
