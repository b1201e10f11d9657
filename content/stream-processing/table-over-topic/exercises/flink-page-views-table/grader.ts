// Passes when `table-page-views` holds the eight page views the script's INSERT writes through the table, each
// once, each a JSON record of exactly a user, a page and a country (what a table of those three columns
// writes), and nothing more. The topic is made anew before every run, so every record was written by the
// judged run's SQL. A run that stopped at an error (a SELECT without a startup mode, say) is failed before
// this grader by the checkpoint's own rule about the latest run.
import { recordsOfLatestRun, type GraderCheck, type GraderInput } from "#contract/grader";

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

const TOPIC = "table-page-views";
const FIELDS = ["user", "page", "country"];
const viewKey = (view: PageView) => JSON.stringify([view.user, view.page, view.country]);
const times = (n: number) => (n === 2 ? "twice" : `${n} times`);

function parse(value: string | null): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value ?? "");
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** What is wrong with a record's fields (not JSON, too few, too many), if anything. */
function fieldsMistake(value: string | null): string | undefined {
  const record = parse(value);
  if (!record) return `\`${TOPIC}\` holds ${value ?? "a record without a value"}, which is not a JSON object: the table's 'format' is 'json'.`;
  const missing = FIELDS.filter((field) => typeof record[field] !== "string");
  if (missing.length) return `\`${TOPIC}\`'s record ${value} lacks ${missing.join(" and ")}: does your table declare all three columns, \`user\`, page and country?`;
  const extra = Object.keys(record).filter((field) => !FIELDS.includes(field));
  if (extra.length) return `\`${TOPIC}\`'s record ${value} carries ${extra.join(" and ")}: a table of the columns \`user\`, page and country writes those three only.`;
  return undefined;
}

/** The script's views missing from the topic, written more often than once, or not the script's at all. */
function countsMistake(views: PageView[]): string | undefined {
  const written = new Map<string, number>();
  for (const view of views) written.set(viewKey(view), (written.get(viewKey(view)) ?? 0) + 1);
  const missing = SCRIPT_VIEWS.filter((view) => !written.has(viewKey(view)));
  if (missing.length) {
    return `\`${TOPIC}\` lacks ${missing.length} of the ${SCRIPT_VIEWS.length} page views your INSERT writes, e.g. ${JSON.stringify(missing[0])}: run the whole INSERT as given.`;
  }
  const stranger = views.find((view) => !SCRIPT_VIEWS.some((scripted) => viewKey(scripted) === viewKey(view)));
  if (stranger) return `\`${TOPIC}\` holds ${JSON.stringify(stranger)}, which the script's INSERT does not write: write the ${SCRIPT_VIEWS.length} page views as given, and nothing more.`;
  const repeated = SCRIPT_VIEWS.find((view) => written.get(viewKey(view))! > 1);
  if (repeated) {
    const count = written.get(viewKey(repeated))!;
    return `\`${TOPIC}\` holds ${JSON.stringify(repeated)} ${times(count)}: each page view is written once. Does your script run the INSERT INTO page_views more than once?`;
  }
  return undefined;
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = `\`${TOPIC}\` holds the ${SCRIPT_VIEWS.length} page views the script writes through your table, each once, with user, page and country`;
  const fail = (message: string): GraderCheck[] => [{ title, status: "fail", message }];
  const topic = input.topics[TOPIC];
  if (!topic) return fail(`There is no topic \`${TOPIC}\` yet: run the script, whose table says 'topic' = '${TOPIC}'.`);
  const records = recordsOfLatestRun(topic);
  if (records.length === 0) {
    return fail(
      `\`${TOPIC}\` is empty: your INSERT wrote none of the ${SCRIPT_VIEWS.length} page views to it. Does your table say 'topic' = '${TOPIC}'? ` +
        "If the run stopped at an error, the terminal names its line.",
    );
  }
  for (const record of records) {
    const mistake = fieldsMistake(record.value);
    if (mistake) return fail(mistake);
  }
  const mistake = countsMistake(records.map((record) => parse(record.value) as PageView));
  if (mistake) return fail(mistake);
  return [{ title, status: "pass", message: `\`${TOPIC}\` holds the ${SCRIPT_VIEWS.length} page views of your INSERT, each once, e.g. ${records[0]!.value}.` }];
}
