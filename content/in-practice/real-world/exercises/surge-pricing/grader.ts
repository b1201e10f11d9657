// Recomputes, from the trip requests the program read, how many requests each area had in each 10-second window
// of event time (the request's own `at`), and compares every price record with it: its count, its multiplier, its
// key, one price per area and window. A wrong price is explained by the window rule that would give it (the
// clock, a window rounded up, windows of another length), so the advice names what the program did.
import type { GraderCheck, GraderInput } from "#contract/grader";

const WINDOW_MS = 10_000;
/** Window lengths a program might have used instead, in milliseconds. */
const OTHER_SIZES = [1, 2, 5, 15, 20, 30, 60, 120, 300].map((s) => s * 1000);

interface Request {
  area: string;
  at: number;
}
interface Price {
  key: string | null;
  area?: string;
  window?: string;
  requests?: number;
  multiplier?: number;
}

const parse = <T>(text: string | null): T | undefined => {
  try {
    return JSON.parse(text ?? "") as T;
  } catch {
    return undefined;
  }
};

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const span = (start: number, size = WINDOW_MS) => `${clock(start)}–${clock(start + size)}`;
/** The multiplier a window with `n` requests gets: 1.0 up to 5, then 0.25 more for every 3 beyond. */
export const multiplier = (n: number) => (n <= 5 ? 1 : 1 + 0.25 * Math.ceil((n - 5) / 3));

/** Requests per "area@windowStart", each request in the window its time rounds to. */
export function countWindows(requests: Request[], size: number, round: (x: number) => number = Math.floor): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const key = `${r.area}@${round(r.at / size) * size}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The other window lengths that give every one of the learner's prices its count. */
function lengthsThatFit(prices: Price[], requests: Request[]): number[] {
  return OTHER_SIZES.filter((size) => {
    const counts = countWindows(requests, size);
    return prices.every((p) => counts.get(`${p.area}@${Date.parse(p.window ?? "")}`) === p.requests);
  });
}

/** Why a price's count is not the input's: the window rule that would give it, in words a learner can act on. */
function explain(price: Price & { area: string }, start: number, prices: Price[], requests: Request[], words: { at: string; floor: string }): string {
  const lastAt = Math.max(...requests.map((r) => r.at));
  const firstAt = Math.min(...requests.map((r) => r.at));
  if (start > lastAt + WINDOW_MS) {
    return `Your price for area ${price.area} is for window ${span(start)}, but the requests happened between ${clock(firstAt)} and ${clock(lastAt)}: window by each request's own time (${words.at}), not by the clock.`;
  }
  if (countWindows(requests, WINDOW_MS, Math.ceil).get(`${price.area}@${start}`) === price.requests) {
    return `Window ${span(start)}, area ${price.area}: your record counts the requests whose time rounds up to ${clock(start)}. A window is named by its start: ${words.at} rounded down, ${words.floor}.`;
  }
  const lengths = lengthsThatFit(prices, requests).map((size) => size / 1000);
  if (lengths.length) {
    // On this data, longer windows can hold the same requests: name every length that fits.
    const named = lengths.length === 1 ? `${lengths[0]}` : `${lengths.slice(0, -1).join(", ")} or ${lengths.at(-1)}`;
    return `Your price for area ${price.area}, window ${span(start)}, counts ${price.requests} requests: your windows are ${named} s long. Count in 10-second windows: ${words.floor}.`;
  }
  const has = countWindows(requests, WINDOW_MS).get(`${price.area}@${start}`) ?? 0;
  return `Window ${span(start)}, area ${price.area}: the input has ${has} requests, your record says ${price.requests}. Count each request once, in the window ${words.floor} names.`;
}

export default function grade(input: GraderInput): GraderCheck[] {
  const words =
    input.run?.language === "python"
      ? { at: 'request["at"]', floor: 'request["at"] // WINDOW_MS * WINDOW_MS' }
      : { at: "request.at", floor: "Math.floor(request.at / WINDOW_MS) * WINDOW_MS" };
  const requests = (input.topics["trip-requests"]?.records ?? []).map((r) => parse<Request>(r.value)).filter((r): r is Request => r?.area !== undefined);
  const expected = countWindows(requests, WINDOW_MS);
  const prices = (input.topics["surge-prices"]?.records ?? []).map((r): Price => ({ key: r.key, ...parse<Omit<Price, "key">>(r.value) }));
  const checks: GraderCheck[] = [];

  const counted = "Each price counts its area's requests in its 10-second window";
  let wrong: string | undefined;
  for (const price of prices) {
    const start = Date.parse(price.window ?? "");
    if (!price.area || Number.isNaN(start)) {
      wrong = `The price ${JSON.stringify({ ...price, key: undefined })} has no area or no window start (an ISO time such as "${new Date(0).toISOString()}").`;
    } else if (requests.length && expected.get(`${price.area}@${start}`) !== price.requests) {
      wrong = explain({ ...price, area: price.area }, start, prices, requests, words);
    }
    if (wrong) break;
  }
  checks.push(wrong ? { title: counted, status: "fail", message: wrong } : { title: counted, status: "pass", message: `All ${prices.length} prices match the input.` });

  const complete = "Every area and window has one price";
  const priced = prices.map((p) => `${p.area}@${Date.parse(p.window ?? "")}`);
  const missing = [...expected.keys()].find((key) => !priced.includes(key));
  const twice = priced.find((key, i) => priced.indexOf(key) !== i);
  if (missing) {
    const [area, start] = missing.split("@");
    const how = prices.length === 0 ? "Count each request into `counts` under its area and window start." : "Publish one price per area and window.";
    checks.push({ title: complete, status: "fail", message: `There is no price for area ${area} in window ${span(Number(start))} (${expected.get(missing)} requests). ${how}` });
  } else if (twice) {
    const [area, start] = twice.split("@");
    checks.push({ title: complete, status: "fail", message: `Area ${area}, window ${span(Number(start))} has ${priced.filter((k) => k === twice).length} prices: publish each area and window once.` });
  } else {
    checks.push({ title: complete, status: "pass", message: `${expected.size} area-windows, each priced once.` });
  }

  const priceRule = "Each multiplier follows the price rule, and each price is keyed by its area";
  const mispriced = prices.find((p) => typeof p.requests === "number" && p.multiplier !== multiplier(p.requests));
  const unkeyed = prices.find((p) => p.key !== p.area);
  checks.push(
    mispriced
      ? {
          title: priceRule,
          status: "fail",
          message: `Area ${mispriced.area}, ${mispriced.requests} requests: the multiplier should be ${multiplier(mispriced.requests!)}, not ${mispriced.multiplier} (1.0 up to 5 requests, then 0.25 more for every 3 beyond).`,
        }
      : unkeyed
        ? { title: priceRule, status: "fail", message: `The price for area ${unkeyed.area} has ${unkeyed.key === null ? "no key" : `key "${unkeyed.key}"`}: key each price by its area.` }
        : { title: priceRule, status: "pass", message: "Every multiplier follows the rule, and every price is keyed by its area." },
  );
  return checks;
}
