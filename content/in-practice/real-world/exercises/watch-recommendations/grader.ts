// For each watch event, in each member's order, the recommendation must be the first title of the
// event's genre that member has not watched yet (the one just watched included). One per event.
import type { GraderCheck, GraderInput } from "../../../../../sandbox-server/src/contract/grader.ts";

const CATALOG: Record<string, string[]> = {
  drama: ["The Crown", "Ozark", "Narcos", "Mindhunter"],
  comedy: ["Big Mouth", "Sex Education", "Russian Doll"],
  scifi: ["Stranger Things", "Dark", "Black Mirror", "Altered Carbon"],
};

const parse = <T>(text: string | null): T | undefined => {
  try {
    return JSON.parse(text ?? "") as T;
  } catch {
    return undefined;
  }
};

export default function grade(input: GraderInput): GraderCheck[] {
  // Records come in partition then offset order; a member's events share a partition (keyed by member).
  const events = (input.topics.watched?.records ?? []).map((r) => parse<{ member: string; genre: string; title: string }>(r.value)).filter((e) => e?.member);
  const recs = (input.topics.recommendations?.records ?? []).map((r) => parse<{ member?: string; because?: string; recommend?: string }>(r.value) ?? {});
  const expected: { member: string; because: string; recommend: string }[] = [];
  const seen = new Map<string, Set<string>>();
  for (const e of events) {
    const titles = seen.get(e!.member) ?? new Set<string>();
    titles.add(e!.title);
    seen.set(e!.member, titles);
    const next = CATALOG[e!.genre]?.find((title) => !titles.has(title));
    if (next) expected.push({ member: e!.member, because: e!.title, recommend: next });
  }

  const title = "Each recommendation is the next unseen title of the genre";
  const unseen = recs.find((r) => r.member && r.recommend && seen.get(r.member)?.has(r.recommend) && r.recommend === r.because);
  const wrongOne = recs.find((r) => !expected.some((x) => x.member === r.member && x.because === r.because && x.recommend === r.recommend));
  const checks: GraderCheck[] = [];
  if (unseen) {
    checks.push({ title, status: "fail", message: `\`${unseen.member}\` watched ${unseen.because} and was recommended ${unseen.recommend}, the title they have just watched. Add the watched title to the member's history before looking for the next one.` });
  } else if (wrongOne) {
    const right = expected.find((x) => x.member === wrongOne.member && x.because === wrongOne.because);
    checks.push({
      title,
      status: "fail",
      message: right
        ? `\`${right.member}\` watched ${right.because}: the next title of its genre they have not seen is ${right.recommend}, but your record recommends ${wrongOne.recommend}.`
        : `The recommendation ${JSON.stringify(wrongOne)} answers no watch event: \`because\` should be the title the member just watched.`,
    });
  } else {
    checks.push({ title, status: "pass", message: "Every recommendation is the next unseen title of its genre." });
  }

  const each = "There is a recommendation for each watch event";
  const missing = expected.filter((x) => !recs.some((r) => r.member === x.member && r.because === x.because));
  checks.push(
    missing.length === 0 && recs.length === expected.length
      ? { title: each, status: "pass", message: `${expected.length} watch events, ${recs.length} recommendations.` }
      : {
          title: each,
          status: "fail",
          message: `${events.length} watch events but ${recs.length} recommendations${missing[0] ? `; e.g. none for \`${missing[0].member}\` watching ${missing[0].because} (it should be ${missing[0].recommend})` : ""}. Produce one recommendation for every watch event.`,
        },
  );
  return checks;
}
