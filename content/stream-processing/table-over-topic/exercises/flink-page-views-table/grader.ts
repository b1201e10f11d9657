// Passes when table-page-views holds the eight page views the script's INSERT writes through the table, each a JSON
// record of exactly a user, a page and a country: what a table of those three columns writes. Page views
// other programs wrote (the TypeScript ETL lab's carry a user agent and a session cookie too) do not count,
// so only this exercise's SQL can pass it.
import type { GraderCheck, GraderInput } from "../../../../../sandbox-server/src/contract/grader.ts";

type PageView = { user: string; page: string; country: string };

/** The rows of the script's `INSERT INTO page_views VALUES`, as the learner sees them in the starter. */
export const SCRIPT_VIEWS: readonly PageView[] = [
  { user: "user-1", page: "/", country: "DE" },
  { user: "user-2", page: "/pricing", country: "FR" },
  { user: "user-3", page: "/docs", country: "JP" },
  { user: "user-1", page: "/blog", country: "BR" },
  { user: "user-4", page: "/", country: "DE" },
  { user: "user-2", page: "/docs", country: "FR" },
  { user: "user-5", page: "/pricing", country: "JP" },
  { user: "user-3", page: "/", country: "BR" },
];

const FIELDS = ["country", "page", "user"];
const keyOf = (view: PageView) => JSON.stringify([view.user, view.page, view.country]);

function parse(value: string | null): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value ?? "");
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A record a table of the columns `user`, page and country wrote: those three fields, strings, nothing else. */
function tableRow(record: Record<string, unknown>): PageView | undefined {
  const { user, page, country } = record;
  const exactFields = Object.keys(record).sort().join() === FIELDS.join();
  return exactFields && typeof user === "string" && typeof page === "string" && typeof country === "string" ? { user, page, country } : undefined;
}

/** What the records that are not the script's rows say about the mistake, or undefined when there are none. */
function strayRecordsNote(records: Record<string, unknown>[]): string | undefined {
  const extra = records.find((record) => Object.keys(record).some((field) => !FIELDS.includes(field)));
  if (extra) {
    const fields = Object.keys(extra).filter((field) => !FIELDS.includes(field));
    return `Its records with ${fields.join(" and ")} were written by another program (the TypeScript ETL lab), not through your table, and do not count.`;
  }
  const partial = records.find((record) => FIELDS.some((field) => !(field in record)));
  if (partial) return `Its record ${JSON.stringify(partial)} lacks ${FIELDS.filter((field) => !(field in partial)).join(" and ")}: does your table declare all three columns?`;
  return undefined;
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = `\`table-page-views\` holds the ${SCRIPT_VIEWS.length} page views the script writes through your table, each with user, page and country`;
  const fail = (message: string): GraderCheck[] => [{ title, status: "fail", message }];
  const topic = input.topics["table-page-views"];
  if (!topic) return fail("There is no topic `table-page-views` yet: create the table with 'topic' = 'table-page-views' and run the INSERT.");
  const records = topic.records.map((record) => parse(record.value)).filter((record) => record !== undefined);
  const written = new Set(records.map(tableRow).flatMap((view) => (view ? [keyOf(view)] : [])));
  const missing = SCRIPT_VIEWS.filter((view) => !written.has(keyOf(view)));
  if (missing.length === 0) {
    return [{ title, status: "pass", message: `\`table-page-views\` holds all ${SCRIPT_VIEWS.length} page views of your INSERT, e.g. ${JSON.stringify(SCRIPT_VIEWS[0])}.` }];
  }
  const none = missing.length === SCRIPT_VIEWS.length;
  const said = none
    ? `\`table-page-views\` holds none of the ${SCRIPT_VIEWS.length} page views your INSERT writes (such as ${JSON.stringify(missing[0])}): did the INSERT run? If the planner stopped it, the terminal names the line.`
    : `\`table-page-views\` lacks ${missing.length} of the ${SCRIPT_VIEWS.length} page views your INSERT writes, e.g. ${JSON.stringify(missing[0])}: run the whole INSERT as given.`;
  const note = strayRecordsNote(records.filter((record) => !tableRow(record)));
  return fail(note ? `${said} ${note}` : said);
}
