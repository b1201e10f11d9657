// Passes when every raw page view of `etl-page-views` is in `etl-page-views-clean` as exactly
// {user, page, country} with the country's name, like the TypeScript ETL lab's target.
import type { GraderCheck, GraderInput } from "../../../../../sandbox-server/src/contract/grader.ts";

export const COUNTRIES: Record<string, string> = { DE: "Germany", FR: "France", JP: "Japan", BR: "Brazil" };

function parse(value: string | null): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(value ?? "") as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export default function grade(input: GraderInput): GraderCheck[] {
  const raw = input.topics["etl-page-views"];
  const clean = input.topics["etl-page-views-clean"];
  const title = "Every raw page view is in `etl-page-views-clean` as user, page and country name";
  if (!raw || raw.records.length === 0) return [{ title, status: "fail", message: "`etl-page-views` holds no page views yet: run the whole script, INSERT INTO page_views included." }];
  if (!clean || clean.records.length === 0) {
    return [{ title, status: "fail", message: "`etl-page-views-clean` holds nothing yet: your INSERT INTO page_views_clean wrote no row. Does its WHERE let rows through?" }];
  }
  const written = clean.records.map((record) => parse(record.value)).filter((view) => view !== undefined);
  const extra = written.find((view) => Object.keys(view).some((key) => !["user", "page", "country"].includes(key)));
  if (extra) {
    const keys = Object.keys(extra).filter((key) => !["user", "page", "country"].includes(key));
    return [{ title, status: "fail", message: `A clean page view carries ${keys.join(", ")}: ${JSON.stringify(extra)}. The target gets user, page and country only.` }];
  }
  const seen = new Set(written.map((view) => `${view.user}|${view.page}|${view.country}`));
  for (const record of raw.records) {
    const view = parse(record.value);
    if (!view || typeof view.user !== "string" || typeof view.page !== "string" || typeof view.country !== "string") continue;
    const expected = { user: view.user, page: view.page, country: COUNTRIES[view.country] ?? "unknown" };
    if (!seen.has(`${expected.user}|${expected.page}|${expected.country}`)) {
      const sameView = written.find((w) => w.user === view.user && w.page === view.page);
      return [{
        title,
        status: "fail",
        message: `The raw view ${record.value} should be in \`etl-page-views-clean\` as ${JSON.stringify(expected)}` +
          (sameView ? `; found ${JSON.stringify(sameView)}.` : ", and it is not."),
      }];
    }
  }
  return [{ title, status: "pass", message: `All ${raw.records.length} raw page views are in \`etl-page-views-clean\`, e.g. ${JSON.stringify(written.at(-1))}.` }];
}
