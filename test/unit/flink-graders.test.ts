// The Flink exercises' graders, on records built here: the same rules the checkpoints apply to the broker's topics.
import { describe, expect, it } from "vitest";
import type { GradedTopic, GraderInput } from "../../sandbox-server/src/contract/grader.ts";
import gradeEtl from "../../content/stream-processing/etl-in-sql/exercises/flink-etl/grader.ts";
import gradeSurge from "../../content/stream-processing/windows/exercises/flink-surge-windows/grader.ts";
import gradeTable from "../../content/stream-processing/table-over-topic/exercises/flink-page-views-table/grader.ts";

const topic = (name: string, values: object[]): GradedTopic => ({
  name,
  partitions: 1,
  truncated: false,
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
    "trip-requests": topic("trip-requests", [...requests, ...requests]),
    "surge-prices": topic(
      "surge-prices",
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
    expect(check!.message).toMatch(/downtown 08:00:00–08:00:10 had 2 requests; `surge-prices` says 3/);
  });

  it("fails an empty output, pointing to the watermark", () => {
    expect(gradeSurge(surge([]))[0]!.message).toMatch(/WATERMARK/);
  });
});

describe("the ETL grader", () => {
  const raw = topic("page-views", [
    { user: "u1", page: "/", country: "DE" },
    { user: "u2", page: "/docs", country: "XX" },
  ]);
  it("passes clean views with country names, unknown codes as unknown", () => {
    const clean = topic("page-views-clean", [
      { user: "u1", page: "/", country: "Germany" },
      { user: "u2", page: "/docs", country: "unknown" },
    ]);
    expect(gradeEtl({ groups: {}, topics: { "page-views": raw, "page-views-clean": clean } })[0]).toMatchObject({ status: "pass" });
  });

  it("fails codes copied as they are", () => {
    const clean = topic("page-views-clean", [
      { user: "u1", page: "/", country: "DE" },
      { user: "u2", page: "/docs", country: "XX" },
    ]);
    expect(gradeEtl({ groups: {}, topics: { "page-views": raw, "page-views-clean": clean } })[0]!.message).toMatch(/"country":"Germany"/);
  });

  it("fails a clean view that still carries the user agent", () => {
    const clean = topic("page-views-clean", [{ user: "u1", page: "/", country: "Germany", userAgent: "Mozilla" }]);
    expect(gradeEtl({ groups: {}, topics: { "page-views": raw, "page-views-clean": clean } })[0]!.message).toMatch(/carries userAgent/);
  });
});

describe("the page-views table grader", () => {
  it("fails views without a country and passes six with one", () => {
    const without = topic(
      "page-views",
      Array.from({ length: 8 }, (_, i) => ({ user: `u${i}`, page: "/" })),
    );
    expect(gradeTable({ groups: {}, topics: { "page-views": without } })[0]).toMatchObject({ status: "fail" });
    const withCountry = topic(
      "page-views",
      Array.from({ length: 6 }, (_, i) => ({ user: `u${i}`, page: "/", country: "DE" })),
    );
    expect(gradeTable({ groups: {}, topics: { "page-views": withCountry } })[0]).toMatchObject({ status: "pass" });
  });
});
