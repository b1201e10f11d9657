// Passes when `etl-page-views-clean` holds every raw page view of `etl-page-views` once, as exactly
// {user, page, country} with the country's name and keyed by its user, like the TypeScript ETL lab's target;
// and nothing more: no view twice, none that comes from no raw view. Both topics are made anew before every
// run, so every record was written by the judged run's SQL.
import { recordsOfLatestRun, type GradedRecord, type GraderCheck, type GraderInput } from "#contract/grader";

export const COUNTRIES: Record<string, string> = { DE: "Germany", FR: "France", JP: "Japan", BR: "Brazil" };
const FIELDS = ["user", "page", "country"];
const RAW = "etl-page-views";
const CLEAN = "etl-page-views-clean";

type CleanView = { user: string; page: string; country: string };

const viewKey = (view: CleanView) => JSON.stringify([view.user, view.page, view.country]);
const times = (n: number) => (n === 1 ? "once" : n === 2 ? "twice" : `${n} times`);

function parse(value: string | null): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value ?? "");
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The clean view a raw view should become, or undefined for a raw record that is no page view. */
function cleaned(record: GradedRecord): CleanView | undefined {
  const view = parse(record.value);
  if (!view || typeof view.user !== "string" || typeof view.page !== "string" || typeof view.country !== "string") return undefined;
  return { user: view.user, page: view.page, country: COUNTRIES[view.country] ?? "unknown" };
}

/** What is wrong with the fields of a clean record (too many, too few, not JSON), if anything. */
function fieldsMistake(records: GradedRecord[]): string | undefined {
  for (const record of records) {
    const view = parse(record.value);
    if (!view) return `\`${CLEAN}\` holds ${record.value ?? "a record without a value"}, which is not a JSON object: the target table's 'format' is 'json'.`;
    const extra = Object.keys(view).filter((field) => !FIELDS.includes(field));
    if (extra.length) return `A clean page view carries ${extra.join(", ")}: ${record.value}. The target gets user, page and country only.`;
    const missing = FIELDS.filter((field) => typeof view[field] !== "string");
    if (missing.length) {
      return (
        `A clean page view lacks ${missing.join(" and ")}: ${record.value}. The target gets user, page and country, all three in the value` +
        (missing.includes("user") ? ", the key's user too ('value.fields-include' = 'ALL')." : ": does page_views_clean declare them, and does your SELECT fill them?")
      );
    }
  }
  return undefined;
}

/** Each raw view's clean form must be there as often as the raw view was written: missing ones first, then surplus. */
function countsMistake(raw: GradedRecord[], clean: CleanView[]): string | undefined {
  const wanted = new Map<string, { view: CleanView; raw: GradedRecord; count: number }>();
  for (const record of raw) {
    const view = cleaned(record);
    if (view) wanted.set(viewKey(view), { view, raw: record, count: (wanted.get(viewKey(view))?.count ?? 0) + 1 });
  }
  const written = new Map<string, number>();
  for (const view of clean) written.set(viewKey(view), (written.get(viewKey(view)) ?? 0) + 1);
  for (const [key, { view, raw: record }] of wanted) {
    if (written.has(key)) continue;
    const sameView = clean.find((w) => w.user === view.user && w.page === view.page);
    return `The raw view ${record.value} should be in \`${CLEAN}\` as ${JSON.stringify(view)}` + (sameView ? `; found ${JSON.stringify(sameView)}.` : ", and it is not.");
  }
  for (const [key, count] of written) {
    const expected = wanted.get(key);
    if (!expected) {
      const view = clean.find((w) => viewKey(w) === key);
      return `The clean view ${JSON.stringify(view)} comes from no raw view of \`${RAW}\`: nothing more than the raw views goes to the target.`;
    }
    if (count > expected.count) {
      return (
        `The clean view ${JSON.stringify(expected.view)} is in \`${CLEAN}\` ${times(count)}, but its raw view was written ${times(expected.count)}: each raw view is loaded once. ` +
        "Does your script hold the INSERT INTO page_views_clean twice?"
      );
    }
  }
  return undefined;
}

/** Every clean view is keyed by its user, so one user's views stay in one partition, in order. */
function keyMistake(records: GradedRecord[]): string | undefined {
  const unkeyed = records.find((record) => record.key !== parse(record.value)?.user);
  if (!unkeyed) return undefined;
  return (
    `The clean view ${unkeyed.value} has ${unkeyed.key === null ? "no key" : `the key ${JSON.stringify(unkeyed.key)}`}: the target is keyed by user, ` +
    "so that one user's views stay in order. Keep 'key.format' = 'raw' and 'key.fields' = 'user' in page_views_clean's WITH."
  );
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = `Every raw page view is in \`${CLEAN}\` once, as user, page and country name, keyed by user, and nothing more`;
  const fail = (message: string): GraderCheck[] => [{ title, status: "fail", message }];
  const raw = input.topics[RAW] ? recordsOfLatestRun(input.topics[RAW]) : [];
  const clean = input.topics[CLEAN] ? recordsOfLatestRun(input.topics[CLEAN]) : [];
  if (raw.length === 0) return fail(`\`${RAW}\` holds no page views yet: run the whole script, INSERT INTO page_views included.`);
  if (clean.length === 0) {
    return fail(`\`${CLEAN}\` holds nothing yet: your INSERT INTO page_views_clean wrote no row. Does a WHERE keep every row out?`);
  }
  const mistake =
    fieldsMistake(clean) ??
    countsMistake(
      raw,
      clean.map((record) => parse(record.value) as CleanView),
    ) ??
    keyMistake(clean);
  if (mistake) return fail(mistake);
  const example = clean.at(-1)!;
  return [{ title, status: "pass", message: `All ${raw.length} raw page views are in \`${CLEAN}\` once, e.g. ${example.value} under the key ${example.key}.` }];
}
