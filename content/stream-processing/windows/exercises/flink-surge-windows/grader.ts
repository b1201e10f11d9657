// Passes when `window-surge-prices` holds, for every area and 10-second window of event time that the input
// has closed, the number of distinct trip requests (by id) in it, computed here from `window-trip-requests`.
import type { GraderCheck, GraderInput } from "../../../../../sandbox-server/src/contract/grader.ts";

const WINDOW_MS = 10_000;
/** Windows that end this long before the latest request are closed, whatever watermark delay up to it. */
const CLOSED_AFTER_MS = 10_000;

/** Flink writes TIMESTAMP(3) in JSON as "2026-01-01 08:00:10" (UTC here). */
export function eventTime(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const ms = Date.parse(text.replace(" ", "T") + "Z");
  return Number.isNaN(ms) ? undefined : ms;
}

const show = (ms: number) => new Date(ms).toISOString().slice(11, 19);

function parse(value: string | null): Record<string, unknown> | undefined {
  try {
    return JSON.parse(value ?? "") as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Requests per "area@windowStart" of the closed windows: `distinct` counts each request id once, `all`
 * counts every copy. A script run twice writes its requests twice, and whether Flink counts the copies
 * depends on whether its watermark had passed the window when it read them; either count is right.
 */
export function expectedCounts(input: GraderInput): { distinct: Map<string, number>; all: Map<string, number> } {
  const requests: { id: number; area: string; at: number }[] = [];
  for (const record of input.topics["window-trip-requests"]?.records ?? []) {
    const request = parse(record.value);
    const at = eventTime(request?.at);
    if (request && typeof request.id === "number" && typeof request.area === "string" && at !== undefined) requests.push({ id: request.id, area: request.area, at });
  }
  const latest = Math.max(...requests.map((r) => r.at));
  const distinct = new Map<string, number>();
  const all = new Map<string, number>();
  const seen = new Set<number>();
  for (const { id, area, at } of requests) {
    const start = Math.floor(at / WINDOW_MS) * WINDOW_MS;
    if (start + WINDOW_MS > latest - CLOSED_AFTER_MS) continue;
    const key = `${area}@${start}`;
    all.set(key, (all.get(key) ?? 0) + 1);
    if (!seen.has(id)) distinct.set(key, (distinct.get(key) ?? 0) + 1);
    seen.add(id);
  }
  return { distinct, all };
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = "`window-surge-prices` counts the requests of each area in each 10-second window of event time";
  const { distinct: expected, all } = expectedCounts(input);
  if (expected.size === 0) return [{ title, status: "fail", message: "`window-trip-requests` holds no requests yet: run the whole script, INSERT INTO trip_requests included." }];
  // The latest count for each area and window wins: a script run again writes its windows again.
  const found = new Map<string, { count: number; end: number }>();
  for (const record of input.topics["window-surge-prices"]?.records ?? []) {
    const price = parse(record.value);
    const start = eventTime(price?.window_start);
    const end = eventTime(price?.window_end);
    if (!price || typeof price.area !== "string" || start === undefined || end === undefined) continue;
    found.set(`${price.area}@${start}`, { count: Number(price.requests), end });
  }
  if (found.size === 0) {
    return [{ title, status: "fail", message: "`window-surge-prices` holds no window yet. A window's row appears once the watermark passes its end: does trip_requests declare a WATERMARK on `at`?" }];
  }
  for (const [key, { end }] of found) {
    const start = Number(key.split("@")[1]);
    if (end - start !== WINDOW_MS) {
      return [{ title, status: "fail", message: `A window runs from ${show(start)} to ${show(end)}: ${(end - start) / 1000} s. Surge prices use 10-second windows.` }];
    }
    if (!expected.has(key) && start % WINDOW_MS === 0 && start > Math.max(...[...expected.keys()].map((k) => Number(k.split("@")[1]))) + 60 * 60 * 1000) {
      return [{ title, status: "fail", message: `A window starts at ${new Date(start).toISOString()}, long after every request was made: it windows the time Flink read them (processing time), not \`at\` (event time).` }];
    }
  }
  for (const [key, count] of expected) {
    const [area, start] = key.split("@");
    const row = found.get(key);
    const where = `${area} ${show(Number(start))}–${show(Number(start) + WINDOW_MS)}`;
    if (!row) return [{ title, status: "fail", message: `No count for ${where} in \`window-surge-prices\`; it had ${count} requests.` }];
    if (row.count !== count && row.count !== all.get(key)) return [{ title, status: "fail", message: `${where} had ${count} requests; \`window-surge-prices\` says ${row.count}.` }];
  }
  return [{ title, status: "pass", message: `All ${expected.size} counts are right, e.g. downtown had ${expected.get(`downtown@${[...expected.keys()][0]!.split("@")[1]}`) ?? "?"} requests in the first window.` }];
}
