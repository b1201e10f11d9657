// Every raw view must reach page-views-clean exactly once, transformed: user and page kept, the
// country code replaced by its name, keyed by user. Computed from the raw views the program read.
import type { GraderCheck, GraderInput } from "../../../../../sandbox-server/src/contract/grader.ts";

const COUNTRIES: Record<string, string> = { DE: "Germany", FR: "France", JP: "Japan", BR: "Brazil" };

function json(text: string | null): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text ?? "");
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = "Each raw page view is in `page-views-clean` once, transformed";
  const raw = input.topics["page-views"]?.records ?? [];
  const clean = input.topics["page-views-clean"]?.records ?? [];
  if (raw.length === 0) return [{ title, status: "fail", message: "`page-views` holds no raw views yet: run the program." }];
  if (clean.length === 0) {
    return [{ title, status: "fail", message: `\`page-views-clean\` is empty, though ${raw.length} raw views were read: transform each view and send it to CLEAN inside eachMessage.` }];
  }
  // What each raw view should become, as a multiset of JSON texts.
  const expected = new Map<string, number>();
  for (const r of raw) {
    const view = json(r.value);
    if (!view) continue;
    const text = JSON.stringify({ user: view.user, page: view.page, country: COUNTRIES[String(view.country)] ?? "unknown" });
    expected.set(text, (expected.get(text) ?? 0) + 1);
  }
  for (const r of clean) {
    const view = json(r.value);
    if (!view) return [{ title, status: "fail", message: `The clean view at offset ${r.offset} is ${JSON.stringify(r.value)}, not a JSON object: send JSON.stringify(clean).` }];
    const text = JSON.stringify({ user: view.user, page: view.page, country: view.country });
    if (typeof view.country === "string" && view.country in COUNTRIES) {
      return [{ title, status: "fail", message: `The clean view ${r.value} still has the country code "${view.country}": replace it with its name, COUNTRIES[raw.country] ("${COUNTRIES[view.country]}").` }];
    }
    if (r.key !== view.user) return [{ title, status: "fail", message: `The clean view ${r.value} has key ${r.key === null ? "none" : `"${r.key}"`}; key it by its user, "${String(view.user)}".` }];
    const left = expected.get(text) ?? 0;
    if (left === 0) {
      return [{ title, status: "fail", message: `The clean view ${r.value} comes from no raw view${expected.size ? "" : " left"}: each raw view should give { user, page, country name }, once.` }];
    }
    expected.set(text, left - 1);
  }
  const missing = [...expected].filter(([, n]) => n > 0);
  if (missing.length) {
    const count = missing.reduce((sum, [, n]) => sum + n, 0);
    return [{ title, status: "fail", message: `${count} of the ${raw.length} raw views have no clean view, e.g. ${missing[0]![0]}. Send one for every view the processor reads.` }];
  }
  return [{ title, status: "pass", message: `All ${raw.length} raw views were loaded, each once, transformed.` }];
}
