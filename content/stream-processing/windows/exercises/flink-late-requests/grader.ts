// Passes when `late-surge-prices` counts, for every area and closed 10-second window of event time, every
// request made in it, the one that reached Kafka late included. The expected counts, and which request came
// late and by how much, are computed here from `late-trip-requests` in the order its records arrived.
import type { GraderCheck, GraderInput } from "../../../../../sandbox-server/src/contract/grader.ts";

const WINDOW_MS = 10_000;
/** Windows that end this long before the latest request must have closed: a delay up to this closes them. */
const CLOSED_AFTER_MS = 10_000;
/** A window this far from every request's time was opened by the clock Flink read at, not by `at`. */
const PROCESSING_TIME_GAP_MS = 60 * 60 * 1000;

/** A trip request as the script writes it, with the latest event time Kafka held when it arrived. */
export interface ArrivedRequest {
  id: number;
  area: string;
  at: number;
  /** The latest `at` among the requests that reached the topic before this one (-Infinity for the first). */
  latestBefore: number;
}

/** Flink writes TIMESTAMP(3) in JSON as "2026-01-01 08:00:10" (UTC here). */
function eventTime(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const ms = Date.parse(`${text.replace(" ", "T")}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

const show = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const windowOf = (at: number) => Math.floor(at / WINDOW_MS) * WINDOW_MS;
const seconds = (ms: number) => `${ms / 1000} s`;

function parse(value: string | null): Record<string, unknown> | undefined {
  try {
    return JSON.parse(value ?? "") as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Each request once (its first copy: a script run again writes them all again, and the second copy reaches
 * Flink after the first, so it is late for every window the first copy closed), in the order they arrived.
 */
export function arrivedRequests(input: GraderInput): ArrivedRequest[] {
  const requests: ArrivedRequest[] = [];
  const seen = new Set<number>();
  let latest = Number.NEGATIVE_INFINITY;
  for (const record of input.topics["late-trip-requests"]?.records ?? []) {
    const request = parse(record.value);
    const at = eventTime(request?.at);
    if (!request || typeof request.id !== "number" || typeof request.area !== "string" || at === undefined) continue;
    if (!seen.has(request.id)) requests.push({ id: request.id, area: request.area, at, latestBefore: latest });
    seen.add(request.id);
    latest = Math.max(latest, at);
  }
  return requests;
}

/**
 * The smallest whole number of seconds of delay that keeps the watermark short of `windowEnd` when a request
 * arrives after one made at `latestBefore`. Flink writes a window once the watermark reaches its last
 * millisecond (end − 1 ms), so the watermark (latest − delay) must stay below that.
 */
export function delayToWaitFor(latestBefore: number, windowEnd: number): number {
  return Math.floor((latestBefore - windowEnd + 1) / 1000) + 1;
}

interface WindowCount {
  area: string;
  start: number;
  end: number;
  count: number;
}

/** The latest count of each "area@start" in the output: a script run again writes its windows again. */
function foundCounts(input: GraderInput): Map<string, WindowCount> {
  const found = new Map<string, WindowCount>();
  for (const record of input.topics["late-surge-prices"]?.records ?? []) {
    const row = parse(record.value);
    const start = eventTime(row?.window_start);
    const end = eventTime(row?.window_end);
    if (!row || typeof row.area !== "string" || start === undefined || end === undefined) continue;
    found.set(`${row.area}@${start}`, { area: row.area, start, end, count: Number(row.requests) });
  }
  return found;
}

/** What is wrong with the windows themselves (size, or the clock they follow), if anything. */
function windowMistake(found: Map<string, WindowCount>, requests: ArrivedRequest[]): string | undefined {
  for (const { start, end } of found.values()) {
    if (requests.every((request) => Math.abs(request.at - start) > PROCESSING_TIME_GAP_MS)) {
      return `A window starts at ${new Date(start).toISOString()}, long after every request was made: it windows the time Flink read them (processing time), not \`at\` (event time). Processing time never drops a late request, but it does not count requests by when they were made.`;
    }
    if (end - start !== WINDOW_MS) return `A window runs from ${show(start)} to ${show(end)}: ${seconds(end - start)}. Surge prices use 10-second windows.`;
  }
  return undefined;
}

/** Why a window counted fewer requests than were made in it: the requests that arrived after it had ended. */
function shortCountMessage(where: string, found: number, made: ArrivedRequest[], end: number): string {
  const late = made.filter((request) => request.latestBefore >= end);
  const said = `${where} counted ${found} requests, but ${made.length} were made in it`;
  if (late.length === 0) return `${said}.`;
  // The latest of the late requests sets the delay that waits for all of them.
  const { id, at, latestBefore } = late.reduce((later, request) => (request.latestBefore > later.latestBefore ? request : later));
  return (
    `${said}: request ${id}, made at ${show(at)}, reached Kafka only after a request made at ${show(latestBefore)}. ` +
    `By then the watermark had passed ${show(end)}, the window's end, so Flink had written the window and dropped request ${id} as late. ` +
    `Make the watermark's delay at least ${delayToWaitFor(latestBefore, end)} seconds.`
  );
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = "`late-surge-prices` counts every request of each area and 10-second window, the late one included";
  const fail = (message: string): GraderCheck[] => [{ title, status: "fail", message }];
  const requests = arrivedRequests(input);
  if (requests.length === 0) return fail("`late-trip-requests` holds no requests yet: run the whole script, INSERT INTO trip_requests included.");
  const latest = Math.max(...requests.map((request) => request.at));
  const expected = new Map<string, ArrivedRequest[]>();
  for (const request of requests) {
    const start = windowOf(request.at);
    if (start + WINDOW_MS > latest - CLOSED_AFTER_MS) continue;
    const key = `${request.area}@${start}`;
    expected.set(key, [...(expected.get(key) ?? []), request]);
  }
  const found = foundCounts(input);
  const mistake = windowMistake(found, requests);
  if (mistake) return fail(mistake);
  const firstEnd = Math.min(...requests.map((request) => windowOf(request.at))) + WINDOW_MS;
  if (found.size === 0) {
    return fail(
      `No window closed: \`late-surge-prices\` is empty. A window's row is written once the watermark passes its end, and the watermark is the latest request's time (${show(latest)}) minus the delay. ` +
        `A delay of more than ${seconds(latest - firstEnd)} keeps even the first window (ending ${show(firstEnd)}) open for ever; choose one that waits for the late request, but no longer. ` +
        "(Or the INSERT INTO surge_prices has not started yet: its windows appear a few seconds after the run begins.)",
    );
  }
  for (const [key, made] of expected) {
    const start = windowOf(made[0]!.at);
    const where = `window ${show(start)}–${show(start + WINDOW_MS)} in ${made[0]!.area}`;
    const row = found.get(key);
    if (!row) {
      return fail(
        `No count for ${where} in \`late-surge-prices\`; ${made.length} requests were made in it. It closes once the watermark passes ${show(start + WINDOW_MS)}: ` +
          `the latest request, at ${show(latest)}, moves it there only with a delay of ${seconds(latest - start - WINDOW_MS)} or less. A longer delay waits for late requests, but every window appears that much later.`,
      );
    }
    // Without a watermark after every record, Flink may count a second copy of the requests too: that is no mistake of the query.
    const copies = (input.topics["late-trip-requests"]?.records ?? []).filter((record) => made.some((request) => parse(record.value)?.id === request.id)).length;
    if (row.count !== made.length && row.count !== copies) {
      return fail(row.count < made.length ? shortCountMessage(where, row.count, made, start + WINDOW_MS) : `${where} counted ${row.count} requests, but ${made.length} were made in it.`);
    }
  }
  const late = requests.filter((request) => request.latestBefore >= windowOf(request.at) + WINDOW_MS && expected.has(`${request.area}@${windowOf(request.at)}`));
  const lateNote = late.length ? `, late request ${late.map((request) => request.id).join(", ")} included` : "";
  return [{ title, status: "pass", message: `All ${expected.size} counts are right${lateNote}: Flink waited long enough for it, and every window closed.` }];
}
