// The Flink exercises' graders, rule by rule, on records built here as Flink writes them: each rule passes
// what the query should produce and fails what it should not, with the words the verdict promises.
import { describe, expect, it } from "vitest";
import type { GradedTopic, GraderCheck, GraderInput } from "#contract/grader";
import gradeEtl from "../../content/stream-processing/etl-in-sql/exercises/flink-etl/grader.ts";
import gradeLate, { delayToWaitFor } from "../../content/stream-processing/windows/exercises/flink-late-requests/grader.ts";
import gradeSurge from "../../content/stream-processing/windows/exercises/flink-surge-windows/grader.ts";
import gradeTable, { SCRIPT_VIEWS } from "../../content/stream-processing/table-over-topic/exercises/flink-page-views-table/grader.ts";

/** A topic of one partition holding `values` (JSON-encoded unless already text), keyed by `keyOf`. */
const topic = (name: string, values: (object | string)[], keyOf: (value: object | string) => string | null = () => null): GradedTopic => ({
  name,
  partitions: 1,
  truncated: false,
  runStart: {},
  records: values.map((value, offset) => ({
    partition: 0,
    offset,
    timestamp: 0,
    key: keyOf(value),
    value: typeof value === "string" ? value : JSON.stringify(value),
    headers: {},
  })),
});

const only = (checks: GraderCheck[]) => {
  expect(checks).toHaveLength(1);
  return checks[0]!;
};

/** "2026-01-01 08:00:07", as Flink's JSON format writes a TIMESTAMP(3). */
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 8) + seconds * 1000).toISOString().replace("T", " ").slice(0, 19);
const row = (area: string, start: number, end: number, requests: number) => ({ area, window_start: at(start), window_end: at(end), requests });
type Row = [area: string, start: number, end: number, requests: number];

describe("the page-views table grader", () => {
  const grade = (values: (object | string)[], runStart: Record<number, number> = {}) =>
    only(gradeTable({ groups: {}, topics: { "table-page-views": { ...topic("table-page-views", values), runStart } } }));

  it("passes the eight page views of the script's INSERT, each once", () => {
    expect(grade([...SCRIPT_VIEWS])).toMatchObject({ status: "pass" });
  });

  it("judges only the records of the latest run when the topic was kept", () => {
    expect(grade([...SCRIPT_VIEWS, ...SCRIPT_VIEWS], { 0: 8 })).toMatchObject({ status: "pass" });
  });

  it("fails an empty topic, asking whether the table names it", () => {
    const check = grade([]);
    expect(check.status).toBe("fail");
    expect(check.message).toContain(
      "`table-page-views` is empty: your INSERT wrote none of the 8 page views to it. Does your table say 'topic' = 'table-page-views'?",
    );
  });

  it("fails when the topic does not exist", () => {
    expect(only(gradeTable({ groups: {}, topics: {} })).message).toMatch(/no topic `table-page-views`/);
  });

  it("fails views without a country, asking whether the table declares all three columns", () => {
    const check = grade(SCRIPT_VIEWS.map(({ user, page }) => ({ user, page })));
    expect(check.status).toBe("fail");
    expect(check.message).toMatch(/lacks country: does your table declare all three columns/);
  });

  it("fails views with a field the table does not declare", () => {
    expect(grade(SCRIPT_VIEWS.map((view) => ({ ...view, userAgent: "Mozilla/5.0" }))).message).toMatch(/carries userAgent: a table of the columns/);
  });

  it("fails a record that is not JSON", () => {
    expect(grade(["user-1,/,DE"]).message).toMatch(/holds user-1,\/,DE, which is not a JSON object/);
  });

  it("fails when some of the script's views are missing, naming one", () => {
    expect(grade(SCRIPT_VIEWS.slice(0, 5)).message).toContain(
      'lacks 3 of the 8 page views your INSERT writes, e.g. {"user":"user-2","page":"/docs","country":"FR"}',
    );
  });

  it("fails every view written twice, as an INSERT run twice writes them", () => {
    const check = grade([...SCRIPT_VIEWS, ...SCRIPT_VIEWS]);
    expect(check.status).toBe("fail");
    expect(check.message).toContain('holds {"user":"user-1","page":"/","country":"DE"} twice: each page view is written once');
  });

  it("fails a view the script does not write, nothing more than its eight", () => {
    const check = grade([...SCRIPT_VIEWS, { user: "user-9", page: "/", country: "DE" }]);
    expect(check.message).toContain('holds {"user":"user-9","page":"/","country":"DE"}, which the script\'s INSERT does not write');
  });
});

describe("the ETL grader", () => {
  const rawViews = [
    { user: "u1", page: "/", country: "DE", userAgent: "Mozilla/5.0", sessionCookie: "c1" },
    { user: "u2", page: "/docs", country: "XX", userAgent: "Mozilla/5.0", sessionCookie: "c2" },
  ];
  const cleanViews = [
    { user: "u1", page: "/", country: "Germany" },
    { user: "u2", page: "/docs", country: "unknown" },
  ];
  const byUser = (value: object | string) => (value as { user?: string }).user ?? null;
  const grade = (clean: (object | string)[], keyOf = byUser, raw: object[] = rawViews) =>
    only(
      gradeEtl({
        groups: {},
        topics: { "etl-page-views": topic("etl-page-views", raw), "etl-page-views-clean": topic("etl-page-views-clean", clean, keyOf) },
      }),
    );

  it("passes every raw view once as user, page and country name, keyed by user; unknown codes as unknown", () => {
    expect(grade(cleanViews)).toMatchObject({ status: "pass" });
  });

  it("passes a raw view written twice when it is loaded twice", () => {
    expect(grade([...cleanViews, cleanViews[0]!], byUser, [...rawViews, rawViews[0]!])).toMatchObject({ status: "pass" });
  });

  it("fails when there are no raw views yet", () => {
    expect(grade(cleanViews, byUser, []).message).toMatch(/`etl-page-views` holds no page views yet/);
  });

  it("fails an empty target, as the starter's WHERE FALSE leaves it", () => {
    expect(grade([]).message).toMatch(/`etl-page-views-clean` holds nothing yet: .*Does a WHERE keep every row out\?/);
  });

  it("fails codes copied as they are, showing the view as it should be", () => {
    const check = grade(cleanViews.map((view, i) => ({ ...view, country: rawViews[i]!.country })));
    expect(check.message).toContain(
      'should be in `etl-page-views-clean` as {"user":"u1","page":"/","country":"Germany"}; found {"user":"u1","page":"/","country":"DE"}',
    );
  });

  it("fails a clean view that still carries the user agent", () => {
    expect(grade([{ ...cleanViews[0], userAgent: "Mozilla/5.0" }]).message).toMatch(/carries userAgent/);
  });

  it("fails a clean view without its country", () => {
    expect(grade(cleanViews.map(({ user, page }) => ({ user, page }))).message).toMatch(/lacks country: .*does page_views_clean declare them/);
  });

  it("fails a value without the user, pointing to 'value.fields-include'", () => {
    const check = grade(
      cleanViews.map(({ page, country }) => ({ page, country })),
      () => "u1",
    );
    expect(check.message).toMatch(/lacks user: .*'value.fields-include' = 'ALL'/);
  });

  it("fails every view loaded twice, as two copies of the INSERT load them", () => {
    const check = grade([...cleanViews, ...cleanViews]);
    expect(check.message).toContain(
      'The clean view {"user":"u1","page":"/","country":"Germany"} is in `etl-page-views-clean` twice, but its raw view was written once',
    );
  });

  it("fails a clean view that comes from no raw view", () => {
    expect(grade([...cleanViews, { user: "u9", page: "/", country: "France" }]).message).toMatch(/"u9".* comes from no raw view/);
  });

  it("fails clean views without a key, or keyed by something else than the user", () => {
    expect(grade(cleanViews, () => null).message).toMatch(/has no key: the target is keyed by user/);
    expect(grade(cleanViews, () => "/").message).toMatch(/has the key "\/": the target is keyed by user/);
  });

  it("fails a clean record that is not JSON", () => {
    expect(grade(["u1,/,Germany"]).message).toMatch(/holds u1,\/,Germany, which is not a JSON object/);
  });
});

// The surge script's requests: busiest downtown, then one at 08:00:35 that moves event time on.
const surgeRequests: [number, string, number][] = [
  [1, "downtown", 1],
  [2, "downtown", 2],
  [3, "airport", 3],
  [4, "downtown", 4],
  [5, "harbour", 5],
  [6, "airport", 12],
  [7, "downtown", 13],
  [8, "harbour", 35],
];
const surgeClosed: Row[] = [
  ["downtown", 0, 10, 3],
  ["airport", 0, 10, 1],
  ["harbour", 0, 10, 1],
  ["airport", 10, 20, 1],
  ["downtown", 10, 20, 1],
];
const surge = (rows: (Row | object)[], requests = surgeRequests): GraderInput => ({
  groups: {},
  topics: {
    "window-trip-requests": topic(
      "window-trip-requests",
      requests.map(([id, area, second]) => ({ id, area, at: at(second) })),
    ),
    "window-surge-prices": topic(
      "window-surge-prices",
      rows.map((r) => (Array.isArray(r) ? row(...(r as Row)) : r)),
    ),
  },
});

describe("the surge-pricing grader", () => {
  it("passes one right count per area and closed 10-second window", () => {
    expect(only(gradeSurge(surge(surgeClosed)))).toMatchObject({ status: "pass" });
  });

  it("fails when there are no requests yet", () => {
    expect(only(gradeSurge(surge([], []))).message).toMatch(/`window-trip-requests` holds no requests yet/);
  });

  it("fails an input that holds a request twice, as a script that writes its requests twice", () => {
    expect(only(gradeSurge(surge(surgeClosed, [...surgeRequests, surgeRequests[0]!]))).message).toMatch(
      /`window-trip-requests` holds request 1 twice: .*Keep one INSERT INTO trip_requests VALUES/,
    );
  });

  it("fails an empty output, saying where the watermark stands and what closes no window", () => {
    const { message } = only(gradeSurge(surge([])));
    expect(message).toMatch(/^No window has closed: `window-surge-prices` is empty/);
    expect(message).toContain("it reaches 08:00:33: past the ends of the 10-second windows (08:00:10 and 08:00:20)");
    expect(message).toContain("windows longer than 33 s (a minute, say) close none, nor does a delay longer than 25 s");
    expect(message).toContain("WATERMARK FOR `at`");
  });

  it("fails a row that is not a surge price", () => {
    expect(only(gradeSurge(surge([{ area: "downtown", requests: 3 }]))).message).toMatch(
      /which is not a surge price: each row has area, window_start/,
    );
  });

  it("fails the starter's rows, one per request, as single requests rather than windows", () => {
    expect(only(gradeSurge(surge([["downtown", 1, 1, 1]]))).message).toMatch(
      /^Your rows are single requests, not windows: downtown's row runs from 08:00:01 to 08:00:01/,
    );
  });

  it("fails 5-second windows, naming the window size", () => {
    expect(only(gradeSurge(surge([["downtown", 0, 5, 2]]))).message).toBe(
      "A window runs from 08:00:00 to 08:00:05: 5 s. Surge prices use 10-second windows.",
    );
  });

  it("fails overlapping windows, naming two that overlap", () => {
    const hopping: Row[] = [
      ["downtown", -5, 5, 3],
      ["downtown", 0, 10, 3],
    ];
    expect(only(gradeSurge(surge(hopping))).message).toMatch(
      /^The window 07:59:55–08:00:05 of downtown overlaps its window 08:00:00–08:00:10: .*TUMBLE, not HOP/,
    );
    expect(only(gradeSurge(surge([hopping[0]!]))).message).toMatch(/starts between the 10-second marks, so it overlaps the windows beside it/);
  });

  it("fails windows of processing time, naming it", () => {
    const now = { area: "downtown", window_start: "2026-11-27 21:30:00", window_end: "2026-11-27 21:30:10", requests: 8 };
    expect(only(gradeSurge(surge([now]))).message).toMatch(/processing time/);
  });

  it("fails a window written twice, as two copies of the INSERT write it", () => {
    expect(only(gradeSurge(surge([...surgeClosed, surgeClosed[0]!]))).message).toMatch(
      /holds window 08:00:00–08:00:10 of downtown twice \(counts 3, 3\): one row per area and window, once/,
    );
  });

  it("fails a window the input cannot have closed, or one without requests of its area", () => {
    const open = only(gradeSurge(surge([...surgeClosed, ["harbour", 30, 40, 1]])));
    expect(open.message).toMatch(/holds window 08:00:30–08:00:40 of harbour, which the input cannot have closed/);
    expect(only(gradeSurge(surge([...surgeClosed, ["harbour", 10, 20, 0]]))).message).toMatch(
      /08:00:10–08:00:20 of harbour, which the input cannot have closed/,
    );
  });

  it("fails a missing window, saying how many requests it had", () => {
    expect(only(gradeSurge(surge(surgeClosed.slice(0, 4)))).message).toBe(
      "No count for downtown 08:00:10–08:00:20 in `window-surge-prices`; it had 1 request.",
    );
  });

  it("fails a wrong count, saying what it should be", () => {
    expect(only(gradeSurge(surge([["downtown", 0, 10, 4], ...surgeClosed.slice(1)]))).message).toBe(
      "downtown 08:00:00–08:00:10 had 3 requests; `window-surge-prices` says 4.",
    );
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
  const late = (rows: (Row | object)[], requests = arrivals): GraderInput => ({
    groups: {},
    topics: {
      "late-trip-requests": topic(
        "late-trip-requests",
        requests.map(([id, area, second]) => ({ id, area, at: at(second) })),
      ),
      "late-surge-prices": topic(
        "late-surge-prices",
        rows.map((r) => (Array.isArray(r) ? row(...(r as Row)) : r)),
      ),
    },
  });
  const complete: Row[] = [
    ["downtown", 0, 10, 5],
    ["airport", 0, 10, 1],
    ["airport", 10, 20, 2],
    ["downtown", 10, 20, 2],
  ];

  it("passes counts that include the late request", () => {
    const check = only(gradeLate(late(complete)));
    expect(check).toMatchObject({ status: "pass" });
    expect(check.message).toContain("late request 8 included");
  });

  it("fails a window one short, naming the late request and the delay that waits for it", () => {
    expect(only(gradeLate(late([["downtown", 0, 10, 4], ...complete.slice(1)]))).message).toBe(
      "window 08:00:00–08:00:10 in downtown counted 4 requests, but 5 were made in it: request 8, made at 08:00:07, reached Kafka only after a request made at 08:00:16. " +
        "By then the watermark had passed 08:00:10, the window's end, so Flink had written the window and dropped request 8 as late. Make the watermark's delay at least 7 seconds.",
    );
  });

  it("fails a window counted more than once, as two copies of the INSERT write it", () => {
    expect(only(gradeLate(late([...complete, complete[0]!]))).message).toMatch(/holds window 08:00:00–08:00:10 of downtown twice/);
  });

  it("fails an input that holds the requests twice", () => {
    expect(only(gradeLate(late(complete, [...arrivals, ...arrivals]))).message).toMatch(/`late-trip-requests` holds request 1 twice/);
  });

  it("fails when no window closed, saying how long a delay keeps them open", () => {
    expect(only(gradeLate(late([]))).message).toMatch(
      /^No window has closed.*latest request's time \(08:00:40\).*A delay of more than 30 s keeps even the first window \(ending 08:00:10\) open/,
    );
  });

  it("fails a delay that closes only the first windows, naming the delay the second needs", () => {
    expect(only(gradeLate(late(complete.slice(0, 2)))).message).toMatch(
      /^No count for window 08:00:10–08:00:20 in airport.*only with a delay of 20 s or less/,
    );
  });

  it("fails a window that cannot have closed, the last request's own", () => {
    expect(only(gradeLate(late([...complete, ["harbour", 40, 50, 1]]))).message).toMatch(
      /08:00:40–08:00:50 of harbour, which the input cannot have closed/,
    );
  });

  it("fails a count above what was made", () => {
    expect(only(gradeLate(late([["downtown", 0, 10, 6], ...complete.slice(1)]))).message).toBe(
      "window 08:00:00–08:00:10 in downtown counted 6 requests, but 5 were made in it.",
    );
  });

  it("fails windows of processing time, naming it", () => {
    const now = { area: "downtown", window_start: "2026-11-27 21:30:00", window_end: "2026-11-27 21:30:10", requests: 6 };
    expect(only(gradeLate(late([now]))).message).toMatch(/processing time/);
  });

  it("fails windows that are not 10 s long", () => {
    expect(only(gradeLate(late([["downtown", 0, 20, 7]]))).message).toMatch(/20 s\. Surge prices use 10-second windows/);
  });

  it("asks for the whole second past the lateness: Flink closes a window when the watermark reaches its last millisecond", () => {
    const end = Date.UTC(2026, 0, 1, 8, 0, 10);
    expect(delayToWaitFor(end + 6000, end)).toBe(7);
    expect(delayToWaitFor(end + 5500, end)).toBe(6);
    expect(delayToWaitFor(end, end)).toBe(1);
  });
});
