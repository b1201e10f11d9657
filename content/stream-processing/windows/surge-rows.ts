// What the two window exercises' graders share: trip requests and surge-price rows as Flink writes them in
// JSON, and the rules every surge-price table keeps whatever its watermark: each request once in the input,
// 10-second tumbling windows of event time, one row per area and window, and no window the input cannot close.
import { recordsOfLatestRun, type GradedTopic, type GraderInput } from "#contract/grader";

export const WINDOW_MS = 10_000;
/** A window this far from every request's time was opened by the clock Flink read at, not by `at`. */
const PROCESSING_TIME_GAP_MS = 60 * 60 * 1000;

/** A trip request as the script writes it, in the order it reached Kafka. */
export interface TripRequest {
  id: number;
  area: string;
  at: number;
  /** The latest `at` among the requests that reached the topic before this one (-Infinity for the first). */
  latestBefore: number;
}

/** One row of a surge-price table: an area's count in one window. */
export interface SurgeRow {
  area: string;
  start: number;
  end: number;
  requests: number;
}

/** Flink writes TIMESTAMP(3) in JSON as "2026-01-01 08:00:10" (UTC here). */
export function eventTime(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const ms = Date.parse(`${text.replace(" ", "T")}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

export const show = (ms: number) => new Date(ms).toISOString().slice(11, 19);
export const windowOf = (at: number) => Math.floor(at / WINDOW_MS) * WINDOW_MS;
export const windowKey = (area: string, start: number) => `${area}@${start}`;
export const seconds = (ms: number) => `${ms / 1000} s`;
export const requestCount = (n: number) => (n === 1 ? "1 request" : `${n} requests`);
const times = (n: number) => (n === 2 ? "twice" : `${n} times`);

function parse(value: string | null): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value ?? "");
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The judged run's trip requests, in the order they reached Kafka (a topic of one partition keeps it). */
function tripRequests(topic: GradedTopic | undefined): TripRequest[] {
  const requests: TripRequest[] = [];
  let latest = Number.NEGATIVE_INFINITY;
  for (const record of topic ? recordsOfLatestRun(topic) : []) {
    const request = parse(record.value);
    const at = eventTime(request?.at);
    if (!request || typeof request.id !== "number" || typeof request.area !== "string" || at === undefined) continue;
    requests.push({ id: request.id, area: request.area, at, latestBefore: latest });
    latest = Math.max(latest, at);
  }
  return requests;
}

/** The judged run's surge-price rows, or what is wrong with the first record that is not one. */
function surgeRows(topic: GradedTopic | undefined): { rows: SurgeRow[]; malformed?: string } {
  const rows: SurgeRow[] = [];
  for (const record of topic ? recordsOfLatestRun(topic) : []) {
    const row = parse(record.value);
    const start = eventTime(row?.window_start);
    const end = eventTime(row?.window_end);
    if (!row || typeof row.area !== "string" || start === undefined || end === undefined || typeof row.requests !== "number") {
      const malformed = `\`${topic!.name}\` holds ${record.value}, which is not a surge price: each row has area, window_start, window_end and requests (a count), as the table surge_prices declares them.`;
      return { rows, malformed };
    }
    rows.push({ area: row.area, start, end, requests: row.requests });
  }
  return { rows };
}

/** A request the input holds more than once: the script's INSERT INTO trip_requests ran more than once. */
function repeatedRequest(requests: TripRequest[], topicName: string): string | undefined {
  const copies = new Map<number, number>();
  for (const { id } of requests) copies.set(id, (copies.get(id) ?? 0) + 1);
  const repeated = [...copies].find(([, count]) => count > 1);
  if (!repeated) return undefined;
  const [id, count] = repeated;
  return (
    `\`${topicName}\` holds request ${id} ${times(count)}: your script wrote the trip requests more than once, so every count would be off. ` +
    "Keep one INSERT INTO trip_requests VALUES, as given."
  );
}

/**
 * The judged run's trip requests and surge-price rows, or why they cannot be judged yet: no request, a request
 * written twice, or a row that is no surge price.
 */
export function readSurge(input: GraderInput, requestsTopic: string, pricesTopic: string): { requests: TripRequest[]; rows: SurgeRow[] } | { unjudged: string } {
  const requests = tripRequests(input.topics[requestsTopic]);
  if (requests.length === 0) return { unjudged: `\`${requestsTopic}\` holds no requests yet: run the whole script, INSERT INTO trip_requests included.` };
  const twice = repeatedRequest(requests, requestsTopic);
  if (twice) return { unjudged: twice };
  const { rows, malformed } = surgeRows(input.topics[pricesTopic]);
  return malformed ? { unjudged: malformed } : { requests, rows };
}

/** What is wrong with the windows themselves (the clock they follow, their size, whether they overlap), if anything. */
export function windowShapeMistake(rows: SurgeRow[], requests: TripRequest[]): string | undefined {
  for (const { area, start, end } of rows) {
    if (requests.every((request) => Math.abs(request.at - start) > PROCESSING_TIME_GAP_MS)) {
      return `A window starts at ${new Date(start).toISOString()}, long after every request was made: it windows the time Flink read them (processing time), not \`at\` (event time).`;
    }
    if (end === start) {
      return (
        `Your rows are single requests, not windows: ${area}'s row runs from ${show(start)} to ${show(end)}. ` +
        "Count the requests of each area in 10-second windows: FROM TABLE(TUMBLE(TABLE trip_requests, DESCRIPTOR(`at`), INTERVAL '10' SECOND)), grouped by area, window_start and window_end."
      );
    }
    if (end - start !== WINDOW_MS) return `A window runs from ${show(start)} to ${show(end)}: ${seconds(end - start)}. Surge prices use 10-second windows.`;
  }
  const shifted = rows.find((row) => row.start % WINDOW_MS !== 0);
  if (shifted) {
    const other = rows.find((row) => row.area === shifted.area && row !== shifted && row.start < shifted.end && shifted.start < row.end);
    return (
      `The window ${show(shifted.start)}–${show(shifted.end)} of ${shifted.area}` +
      (other ? ` overlaps its window ${show(other.start)}–${show(other.end)}` : " starts between the 10-second marks, so it overlaps the windows beside it") +
      ": one request is counted in two windows. Surge prices use tumbling windows, which never overlap: TUMBLE, not HOP."
    );
  }
  return undefined;
}

/** An area and window written more than once: one row per area and window, once. */
export function repeatedWindow(rows: SurgeRow[], topicName: string): string | undefined {
  const written = new Map<string, SurgeRow[]>();
  for (const row of rows) written.set(windowKey(row.area, row.start), [...(written.get(windowKey(row.area, row.start)) ?? []), row]);
  const repeated = [...written.values()].find((copies) => copies.length > 1);
  if (!repeated) return undefined;
  const { area, start, end } = repeated[0]!;
  const counts = repeated.map((row) => row.requests).join(", ");
  return (
    `\`${topicName}\` holds window ${show(start)}–${show(end)} of ${area} ${times(repeated.length)} (counts ${counts}): one row per area and window, once. ` +
    "Does your script run INSERT INTO surge_prices more than once, or group by more than area, window_start and window_end?"
  );
}

/**
 * Windows of the input, per "area@start", with the requests made in each: `required` those that end long
 * enough before the latest request that every sensible delay has closed them, `possible` those that any
 * delay could close (they end by the latest request's time).
 */
export function windowsOfInput(requests: TripRequest[], closedAfterMs: number): { required: Map<string, TripRequest[]>; possible: Map<string, TripRequest[]> } {
  const latest = Math.max(...requests.map((request) => request.at));
  const required = new Map<string, TripRequest[]>();
  const possible = new Map<string, TripRequest[]>();
  for (const request of requests) {
    const start = windowOf(request.at);
    if (start + WINDOW_MS > latest) continue;
    const key = windowKey(request.area, start);
    possible.set(key, [...(possible.get(key) ?? []), request]);
    if (start + WINDOW_MS <= latest - closedAfterMs) required.set(key, possible.get(key)!);
  }
  return { required, possible };
}

/** A row for a window no request of its area was made in, or that no watermark the input makes could close. */
export function extraWindow(rows: SurgeRow[], possible: Map<string, TripRequest[]>, topicName: string): string | undefined {
  const extra = rows.find((row) => !possible.has(windowKey(row.area, row.start)));
  if (!extra) return undefined;
  const where = `window ${show(extra.start)}–${show(extra.end)} of ${extra.area}`;
  return `\`${topicName}\` holds ${where}, which the input cannot have closed: no request of ${extra.area} was made in it, or none was made after its end to move the watermark past it. Nothing more than the closed windows of the input: one row per area and window.`;
}
