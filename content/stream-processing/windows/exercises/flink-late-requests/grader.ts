// Passes when `late-surge-prices` holds exactly one row for every area and closed 10-second window of event
// time, counting every request made in it, the one that reached Kafka late included; and nothing more. The
// expected counts, and which request came late and by how much, are computed here from `late-trip-requests`
// in the order its records arrived. Both topics are made anew before every run.
import type { GraderCheck, GraderInput } from "#contract/grader";
import {
  extraWindow,
  readSurge,
  repeatedWindow,
  requestCount,
  seconds,
  show,
  WINDOW_MS,
  windowKey,
  windowOf,
  windowShapeMistake,
  windowsOfInput,
  type TripRequest,
} from "../../surge-rows.ts";

const INPUT = "late-trip-requests";
const OUTPUT = "late-surge-prices";
/** Windows that end this long before the latest request must have closed: a delay up to this closes them. */
const CLOSED_AFTER_MS = 10_000;

/**
 * The smallest whole number of seconds of delay that keeps the watermark short of `windowEnd` when a request
 * arrives after one made at `latestBefore`. Flink writes a window once the watermark reaches its last
 * millisecond (end − 1 ms), so the watermark (latest − delay) must stay below that.
 */
export function delayToWaitFor(latestBefore: number, windowEnd: number): number {
  return Math.floor((latestBefore - windowEnd + 1) / 1000) + 1;
}

const where = (area: string, start: number) => `window ${show(start)}–${show(start + WINDOW_MS)} in ${area}`;
const wereMade = (n: number) => `${n} ${n === 1 ? "was" : "were"} made in it`;

/** Why a window counted fewer requests than were made in it: the requests that arrived after it had ended. */
function shortCountMessage(place: string, found: number, made: TripRequest[], end: number): string {
  const late = made.filter((request) => request.latestBefore >= end);
  const said = `${place} counted ${requestCount(found)}, but ${wereMade(made.length)}`;
  if (late.length === 0) return `${said}.`;
  // The latest of the late requests sets the delay that waits for all of them.
  const { id, at, latestBefore } = late.reduce((later, request) => (request.latestBefore > later.latestBefore ? request : later));
  return (
    `${said}: request ${id}, made at ${show(at)}, reached Kafka only after a request made at ${show(latestBefore)}. ` +
    `By then the watermark had passed ${show(end)}, the window's end, so Flink had written the window and dropped request ${id} as late. ` +
    `Make the watermark's delay at least ${delayToWaitFor(latestBefore, end)} seconds.`
  );
}

/** Why no window was written: with the delay chosen, the latest request does not move the watermark past any window's end. */
function noWindowMessage(requests: TripRequest[]): string {
  const latest = Math.max(...requests.map((request) => request.at));
  const firstEnd = Math.min(...requests.map((request) => windowOf(request.at))) + WINDOW_MS;
  return (
    `No window has closed: \`${OUTPUT}\` is empty. A window's row is written once the watermark passes its end, and the watermark is the latest request's time (${show(latest)}) minus the delay. ` +
    `A delay of more than ${seconds(latest - firstEnd)} keeps even the first window (ending ${show(firstEnd)}) open for ever; choose one that waits for the late request, but no longer. ` +
    "(Or the INSERT INTO surge_prices has not started yet: its windows appear a few seconds after the run begins.)"
  );
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = `\`${OUTPUT}\` counts every request of each area and closed 10-second window, the late one included, and nothing more`;
  const fail = (message: string): GraderCheck[] => [{ title, status: "fail", message }];
  const read = readSurge(input, INPUT, OUTPUT);
  if ("unjudged" in read) return fail(read.unjudged);
  const { requests, rows } = read;
  const windowed = windowShapeMistake(rows, requests);
  if (windowed) return fail(windowed);
  if (rows.length === 0) return fail(noWindowMessage(requests));
  const { required, possible } = windowsOfInput(requests, CLOSED_AFTER_MS);
  const extra = repeatedWindow(rows, OUTPUT) ?? extraWindow(rows, possible, OUTPUT);
  if (extra) return fail(extra);
  const found = new Map(rows.map((row) => [windowKey(row.area, row.start), row]));
  const latest = Math.max(...requests.map((request) => request.at));
  for (const made of required.values()) {
    const start = windowOf(made[0]!.at);
    if (!found.has(windowKey(made[0]!.area, start))) {
      return fail(
        `No count for ${where(made[0]!.area, start)} in \`${OUTPUT}\`; ${made.length === 1 ? "1 request was" : `${made.length} requests were`} made in it. It closes once the watermark passes ${show(start + WINDOW_MS)}: ` +
          `the latest request, at ${show(latest)}, moves it there only with a delay of ${seconds(latest - start - WINDOW_MS)} or less. A longer delay waits for late requests, but every window appears that much later.`,
      );
    }
  }
  for (const row of rows) {
    const made = possible.get(windowKey(row.area, row.start))!;
    if (row.requests < made.length) return fail(shortCountMessage(where(row.area, row.start), row.requests, made, row.start + WINDOW_MS));
    if (row.requests > made.length) return fail(`${where(row.area, row.start)} counted ${requestCount(row.requests)}, but ${wereMade(made.length)}.`);
  }
  const late = requests.filter((request) => request.latestBefore >= windowOf(request.at) + WINDOW_MS && found.has(windowKey(request.area, windowOf(request.at))));
  const lateNote = late.length ? `, late request ${late.map((request) => request.id).join(", ")} included` : "";
  return [{ title, status: "pass", message: `All ${rows.length} counts are right${lateNote}: Flink waited long enough for it, and every window closed.` }];
}
