// Passes when `window-surge-prices` holds exactly one row for every area and closed 10-second window of event
// time, with the number of requests made in it, computed here from `window-trip-requests`; and nothing more:
// no window twice, none that overlaps another, none the input cannot have closed. Both topics are made anew
// before every run, so every record was written by the judged run's SQL.
import type { GraderCheck, GraderInput } from "#contract/grader";
import {
  extraWindow,
  readSurge,
  repeatedWindow,
  requestCount,
  show,
  WINDOW_MS,
  windowKey,
  windowOf,
  windowShapeMistake,
  windowsOfInput,
  type TripRequest,
} from "../../surge-rows.ts";

const INPUT = "window-trip-requests";
const OUTPUT = "window-surge-prices";
/** Windows that end this long before the latest request have closed, whatever the delay (the script's is 2 s). */
const CLOSED_AFTER_MS = 10_000;
/** The watermark's delay the script declares, to explain an empty output in its terms. */
const SCRIPT_DELAY_MS = 2_000;

const where = (area: string, start: number) => `${area} ${show(start)}–${show(start + WINDOW_MS)}`;

/** Why no window was written: the watermark has not passed any window's end. */
function noWindowMessage(requests: TripRequest[], required: Map<string, TripRequest[]>): string {
  const latest = Math.max(...requests.map((request) => request.at));
  const watermark = latest - SCRIPT_DELAY_MS;
  const firstStart = Math.min(...requests.map((request) => windowOf(request.at)));
  const ends = [...new Set([...required.values()].map((made) => windowOf(made[0]!.at) + WINDOW_MS))].sort((a, b) => a - b);
  return (
    `No window has closed: \`${OUTPUT}\` is empty. A window's row is written once the watermark passes its end, and the watermark is the latest request's time (${show(latest)}) minus the delay. ` +
    `With the script's ${SCRIPT_DELAY_MS / 1000}-second delay it reaches ${show(watermark)}: past the ends of the 10-second windows (${ends.map(show).join(" and ")}), ` +
    `but windows longer than ${(watermark - firstStart) / 1000} s (a minute, say) close none, nor does a delay longer than ${(latest - firstStart - WINDOW_MS) / 1000} s. ` +
    "Does trip_requests declare WATERMARK FOR `at`, and are your windows 10 s long? (Or your INSERT INTO surge_prices has not started yet: windows appear a few seconds after the run begins.)"
  );
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = `\`${OUTPUT}\` holds one row for each area and closed 10-second window of event time, with its number of requests, and nothing more`;
  const fail = (message: string): GraderCheck[] => [{ title, status: "fail", message }];
  const read = readSurge(input, INPUT, OUTPUT);
  if ("unjudged" in read) return fail(read.unjudged);
  const { requests, rows } = read;
  const { required, possible } = windowsOfInput(requests, CLOSED_AFTER_MS);
  if (rows.length === 0) return fail(noWindowMessage(requests, required));
  const mistake = windowShapeMistake(rows, requests) ?? repeatedWindow(rows, OUTPUT) ?? extraWindow(rows, possible, OUTPUT);
  if (mistake) return fail(mistake);
  const found = new Map(rows.map((row) => [windowKey(row.area, row.start), row]));
  for (const [key, made] of required) {
    if (!found.has(key)) return fail(`No count for ${where(made[0]!.area, Number(key.split("@")[1]))} in \`${OUTPUT}\`; it had ${requestCount(made.length)}.`);
  }
  for (const row of rows) {
    const made = possible.get(windowKey(row.area, row.start))!;
    if (row.requests !== made.length) return fail(`${where(row.area, row.start)} had ${requestCount(made.length)}; \`${OUTPUT}\` says ${row.requests}.`);
  }
  const [first] = rows;
  return [
    {
      title,
      status: "pass",
      message: `All ${rows.length} counts are right, one row per area and window, e.g. ${where(first!.area, first!.start)}: ${requestCount(first!.requests)}.`,
    },
  ];
}
