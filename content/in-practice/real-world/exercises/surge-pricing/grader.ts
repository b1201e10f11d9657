// Recomputes, from the trip requests the program read, how many requests each area had in each
// 10-second window of event time (the request's own `at`), and compares every price record with it.
import type { GraderCheck, GraderInput } from "../../../../../sandbox-server/src/contract/grader.ts";

const WINDOW_MS = 10_000;

interface Price {
  area?: string;
  window?: string;
  requests?: number;
}

const parse = <T>(text: string | null): T | undefined => {
  try {
    return JSON.parse(text ?? "") as T;
  } catch {
    return undefined;
  }
};

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const span = (start: number) => `${clock(start)}–${clock(start + WINDOW_MS)}`;

export default function grade(input: GraderInput): GraderCheck[] {
  const requests = (input.topics["trip-requests"]?.records ?? []).map((r) => parse<{ area: string; at: number }>(r.value)).filter((r) => r?.area !== undefined);
  const expected = new Map<string, number>();
  const totalOf = new Map<string, number>();
  for (const r of requests) {
    const key = `${r!.area}@${Math.floor(r!.at / WINDOW_MS) * WINDOW_MS}`;
    expected.set(key, (expected.get(key) ?? 0) + 1);
    totalOf.set(r!.area, (totalOf.get(r!.area) ?? 0) + 1);
  }
  const prices = (input.topics["surge-prices"]?.records ?? []).map((r) => parse<Price>(r.value) ?? {});

  const title = "Each price counts its area's requests in its 10-second window";
  const checks: GraderCheck[] = [];
  let wrong: string | undefined;
  for (const price of prices) {
    const start = Date.parse(price.window ?? "");
    if (!price.area || Number.isNaN(start)) {
      wrong = `The price ${JSON.stringify(price)} has no area or no window start (an ISO time such as "${new Date(0).toISOString()}").`;
      break;
    }
    const has = expected.get(`${price.area}@${start}`);
    if (start % WINDOW_MS !== 0) {
      wrong = `A window of area ${price.area} starts at ${clock(start)}, but 10-second windows start at :00, :10, :20 …: round request.at down to a multiple of WINDOW_MS. Are your windows 10 s long?`;
    } else if (has === undefined) {
      const inputStarts = [...expected.keys()].map((k) => Number(k.split("@")[1]));
      const outside = inputStarts.length > 0 && (start < Math.min(...inputStarts) || start > Math.max(...inputStarts));
      wrong = outside
        ? `Your price for area ${price.area} is for window ${span(start)}, but no request of the input falls in it: the requests happened between ${clock(Math.min(...inputStarts))} and ${clock(Math.max(...inputStarts) + WINDOW_MS)}. Window by each request's own time (request.at), not by the clock.`
        : `Your price for area ${price.area} is for window ${span(start)}, which holds no request of ${price.area}. Round request.at down to the window's start: Math.floor(request.at / WINDOW_MS) * WINDOW_MS.`;
    } else if (price.requests !== has) {
      const all = price.requests === totalOf.get(price.area) ? ` That is every request of ${price.area}: are you windowing by the clock instead of request.at?` : " Are your windows 10 s long, starting at request.at rounded down to a multiple of WINDOW_MS?";
      wrong = `Window ${span(start)}, area ${price.area}: the input has ${has} requests, your record says ${price.requests}.${all}`;
    }
    if (wrong) break;
  }
  checks.push(wrong ? { title, status: "fail", message: wrong } : { title, status: "pass", message: `All ${prices.length} prices match the input.` });

  const complete = "Every area and window has a price";
  const priced = new Set(prices.map((p) => `${p.area}@${Date.parse(p.window ?? "")}`));
  const missing = [...expected.keys()].find((key) => !priced.has(key));
  if (missing) {
    const [area, start] = missing.split("@");
    checks.push({ title: complete, status: "fail", message: `There is no price for area ${area} in window ${span(Number(start))} (${expected.get(missing)} requests). ${prices.length === 0 ? "Count each request into `counts` under its area and window start." : "Publish one price per area and window."}` });
  } else {
    checks.push({ title: complete, status: "pass", message: `${expected.size} area-windows, each priced.` });
  }
  return checks;
}
