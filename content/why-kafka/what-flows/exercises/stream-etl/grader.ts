// Every raw view must reach `page-views-clean` exactly once, transformed: user and page kept, the country
// code replaced by its name ("unknown" for a code the table lacks), nothing else, as JSON keyed by user;
// and the processor must have read `page-views` to its end in the group `etl`. Every run starts from
// a clean slate, so all the records are the latest run's.
import type { GradedGroup, GradedRecord, GraderCheck, GraderInput } from "#contract/grader";

const COUNTRIES: Record<string, string> = { DE: "Germany", FR: "France", JP: "Japan", BR: "Brazil" };
const FIELDS = ["user", "page", "country"];

type Language = "typescript" | "python";
type View = Record<string, unknown>;

function json(text: string | null): View | undefined {
  try {
    const value: unknown = JSON.parse(text ?? "");
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as View) : undefined;
  } catch {
    return undefined;
  }
}

const clean = (raw: View) => JSON.stringify({ user: raw.user, page: raw.page, country: COUNTRIES[String(raw.country)] ?? "unknown" });
const cleanOf = (view: View) => JSON.stringify({ user: view.user, page: view.page, country: view.country });
const times = (n: number) => (n === 1 ? "once" : n === 2 ? "twice" : `${n} times`);

/** Why nothing reached the clean topic, from what group `etl` did. */
function emptyOutput(rawCount: number, group: GradedGroup | undefined, language: Language): string {
  const python = language === "python";
  const read = Object.values(group?.committed ?? {}).reduce((sum, offset) => sum + offset, 0);
  if (read > 0) {
    return python
      ? `\`page-views-clean\` is empty, though group \`etl\` has gone past ${read} of the ${rawCount} raw views. Transform each view and send it to CLEAN in the loop (producer.send), then producer.flush() before the consumer commits. (A new group skips the views already written unless it starts with auto_offset_reset="earliest".)`
      : `\`page-views-clean\` is empty, though your processor read ${read} of the ${rawCount} raw views: transform each view and send it to CLEAN inside eachMessage.`;
  }
  if (!group || group.state === "Dead") {
    return `\`page-views-clean\` is empty, and no consumer has joined group \`etl\`: read the raw views in the group ${python ? 'group_id=group("etl")' : 'groupId: group("etl")'}, then transform and send each one.`;
  }
  return python
    ? '`page-views-clean` is empty, and your processor, in group `etl`, has committed no raw view. Start it with auto_offset_reset="earliest" (the views were written before it joined), send each clean view, and let it commit (consumer.close() commits).'
    : "`page-views-clean` is empty, and your processor, in group `etl`, has handled no raw view. Subscribe with fromBeginning: true: the views were written before it joined, and a new group otherwise starts at the end.";
}

/** What is wrong with one clean view, if anything but whether a raw view gives it. */
function shapeProblem(r: GradedRecord, view: View | undefined, rawOf: (user: unknown, page: unknown) => View | undefined, language: Language): string | undefined {
  if (!view) {
    const send = language === "python" ? "send json.dumps(clean)" : "send JSON.stringify(clean)";
    return `The clean view at offset ${r.offset} is ${JSON.stringify(r.value)}, not a JSON object: ${send}.`;
  }
  const extra = Object.keys(view).find((field) => !FIELDS.includes(field));
  if (extra) return `The clean view ${r.value} still has the field \`${extra}\`, which the target does not want: keep only user, page and country.`;
  const lacks = FIELDS.find((field) => !(field in view));
  if (lacks === "country") {
    const raw = rawOf(view.user, view.page);
    const unknown = raw && !(String(raw.country) in COUNTRIES);
    return unknown
      ? `The clean view ${r.value} has no field \`country\`: its raw view has the code "${String(raw.country)}", and a code COUNTRIES lacks becomes "unknown".`
      : `The clean view ${r.value} has no field \`country\`: replace the code with its name, COUNTRIES[code].`;
  }
  if (lacks) return `The clean view ${r.value} has no field \`${lacks}\`: keep user and page as the raw view has them.`;
  if (typeof view.country === "string" && view.country in COUNTRIES) {
    return `The clean view ${r.value} still has the country code "${view.country}": replace it with its name, "${COUNTRIES[view.country]}".`;
  }
  if (r.key === null) return `The clean view ${r.value} has no key: key it by its user, "${String(view.user)}".`;
  if (r.key !== view.user) return `The clean view ${r.value} has key "${r.key}": key it by its user, "${String(view.user)}".`;
  return undefined;
}

/** What is wrong with the loaded views as a whole, if anything: a view in the wrong shape, one loaded twice or not derived from its raw view, or raw views never loaded. */
function loadProblem(raw: GradedRecord[], out: GradedRecord[], language: Language): string | undefined {
  const raws = raw.map((r) => json(r.value)).filter((view): view is View => view !== undefined);
  const rawOf = (user: unknown, page: unknown) => raws.find((view) => view.user === user && view.page === page);
  // What the raw views should become, as a multiset of JSON texts.
  const expected = new Map<string, number>();
  for (const view of raws) expected.set(clean(view), (expected.get(clean(view)) ?? 0) + 1);
  const left = new Map(expected);
  const seenAt = new Map<string, number[]>();
  for (const r of out) {
    const view = json(r.value);
    const problem = shapeProblem(r, view, rawOf, language);
    if (problem) return problem;
    const text = cleanOf(view!);
    seenAt.set(text, [...(seenAt.get(text) ?? []), r.offset]);
    const remaining = left.get(text) ?? 0;
    if (remaining > 0) {
      left.set(text, remaining - 1);
      continue;
    }
    if (expected.has(text)) {
      const offsets = seenAt.get(text)!;
      return `The clean view ${r.value} is in \`page-views-clean\` ${times(offsets.length)} (offsets ${offsets.join(", ")}), but its raw view was read ${times(expected.get(text)!)}: send each clean view once.`;
    }
    const source = rawOf(view!.user, view!.page);
    if (!source) return `The clean view ${r.value} comes from no raw view: each raw view should give { user, page, country name }, with its own user and page.`;
    const code = String(source.country);
    return `The clean view ${r.value} says country ${JSON.stringify(view!.country)}, but its raw view has the code "${code}", whose name is "${COUNTRIES[code] ?? "unknown"}"${code in COUNTRIES ? "" : ' (a code COUNTRIES lacks becomes "unknown")'}.`;
  }
  const missing = [...left].filter(([, n]) => n > 0);
  if (missing.length === 0) return undefined;
  const count = missing.reduce((sum, [, n]) => sum + n, 0);
  return `${count} of the ${raw.length} raw views have no clean view yet, e.g. ${missing[0]![0]}. Send one for every view the processor reads.`;
}

/** Whether group `etl` has committed reading every raw view, and what to do when it has not. */
function groupProblem(raw: GradedRecord[], group: GradedGroup | undefined, language: Language): string | undefined {
  const end = raw.reduce((max, r) => Math.max(max, r.offset + 1), 0);
  const committed = group?.committed[0] ?? 0;
  if (committed >= end) return undefined;
  return !group || group.state === "Dead" || committed === 0
    ? `Every view was loaded, but group \`etl\` has not committed reading them: read the raw views in the group ${language === "python" ? 'group_id=group("etl")' : 'groupId: group("etl")'}, so the processor's position is kept.`
    : `Every view was loaded, but group \`etl\` is at offset ${committed} of \`page-views\`, which ends at ${end}: let the processor commit what it handled before it ends.`;
}

export default function grade(input: GraderInput): GraderCheck[] {
  const title = "Each raw page view is in `page-views-clean` once, transformed";
  const language: Language = input.run?.language === "python" ? "python" : "typescript";
  const raw = input.topics["page-views"]?.records ?? [];
  const out = input.topics["page-views-clean"]?.records ?? [];
  const group = input.groups["etl/page-views"];
  const problem =
    raw.length === 0
      ? "`page-views` holds no raw views: keep the source's lines, which write 20 views each run, and let the program run to its end."
      : out.length === 0
        ? emptyOutput(raw.length, group, language)
        : (loadProblem(raw, out, language) ?? groupProblem(raw, group, language));
  if (problem) return [{ title, status: "fail", message: problem }];
  return [{ title, status: "pass", message: `All ${raw.length} raw views were loaded, each once, transformed, and group \`etl\` has read them all.` }];
}
