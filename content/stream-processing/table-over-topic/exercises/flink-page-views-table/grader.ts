// Passes when page-views holds at least six JSON page views with a user, a page and a country.
import type { GraderCheck, GraderInput } from "../../../../../sandbox-server/src/contract/grader.ts";

const WANTED = 6;

function pageView(value: string | null): { user: string; page: string; country: string } | undefined {
  try {
    const view = JSON.parse(value ?? "") as Record<string, unknown>;
    const { user, page, country } = view;
    return typeof user === "string" && typeof page === "string" && typeof country === "string" ? { user, page, country } : undefined;
  } catch {
    return undefined;
  }
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = `\`page-views\` holds at least ${WANTED} page views with user, page and country`;
  const topic = input.topics["page-views"];
  if (!topic) return [{ title, status: "fail", message: "There is no topic `page-views` yet: create the table with 'topic' = 'page-views' and run the INSERT." }];
  const views = topic.records.map((record) => pageView(record.value)).filter((view) => view !== undefined);
  if (views.length >= WANTED) {
    return [{ title, status: "pass", message: `\`page-views\` holds ${views.length} page views, e.g. ${JSON.stringify(views.at(-1))}.` }];
  }
  const example = topic.records.at(-1)?.value;
  return [{
    title,
    status: "fail",
    message: `\`page-views\` holds ${views.length} page views with user, page and country; it needs ${WANTED}.` +
      (example ? ` Its last record is ${example}: does your table declare all three columns?` : " Run your INSERT."),
  }];
}
