// For each watch event, in each member's order, the recommendation must be the first title of the event's genre
// that member has not watched yet (the one just watched, and every earlier one, included), keyed by the member.
// One per event. The data has members who watch two titles of one genre, so the history is put to the test.
import type { GraderCheck, GraderInput } from "#contract/grader";

export const CATALOG: Record<string, string[]> = {
  drama: ["The Crown", "Ozark", "Narcos", "Mindhunter"],
  comedy: ["Big Mouth", "Sex Education", "Russian Doll"],
  scifi: ["Stranger Things", "Dark", "Black Mirror", "Altered Carbon"],
};

interface Watched {
  member: string;
  genre: string;
  title: string;
}
interface Recommendation {
  key: string | null;
  member?: string;
  because?: string;
  recommend?: string;
}
/** What one watch event should yield, and what the member had watched by then (that event included). */
interface Expected {
  member: string;
  because: string;
  recommend: string | undefined;
  watched: Set<string>;
}

const parse = <T>(text: string | null): T | undefined => {
  try {
    return JSON.parse(text ?? "") as T;
  } catch {
    return undefined;
  }
};

/** Every watch event with the recommendation it should yield, in each member's order. */
export function expectedRecommendations(events: Watched[]): Expected[] {
  const history = new Map<string, Set<string>>();
  return events.map((e) => {
    const watched = new Set(history.get(e.member)).add(e.title);
    history.set(e.member, watched);
    return { member: e.member, because: e.title, recommend: CATALOG[e.genre]?.find((title) => !watched.has(title)), watched };
  });
}

function judgeOne(r: Recommendation, right: Expected | undefined): string | undefined {
  if (!right) return `The recommendation ${JSON.stringify({ member: r.member, because: r.because, recommend: r.recommend })} answers no watch event: \`because\` should be the title the member just watched.`;
  if (r.recommend === right.recommend) return undefined;
  if (r.recommend === r.because)
    return `\`${r.member}\` watched ${r.because} and was recommended ${r.recommend}, the title they have just watched. Add the watched title to the member's history before looking for the next one.`;
  if (r.recommend && right.watched.has(r.recommend))
    return `\`${r.member}\` watched ${r.because} and was recommended ${r.recommend}, which they have already watched: look for the first title of the genre that is not in the member's history (the next unseen one is ${right.recommend}).`;
  return `\`${r.member}\` watched ${r.because}: the next title of its genre they have not seen is ${right.recommend}, but your record recommends ${r.recommend}.`;
}

export default function grade(input: GraderInput): GraderCheck[] {
  // Records come in partition then offset order; a member's events share a partition (keyed by member).
  const events = (input.topics.watched?.records ?? []).map((r) => parse<Watched>(r.value)).filter((e): e is Watched => !!e?.member);
  const recs = (input.topics.recommendations?.records ?? []).map((r): Recommendation => ({ key: r.key, ...parse<Omit<Recommendation, "key">>(r.value) }));
  const expected = expectedRecommendations(events);
  const due = expected.filter((x) => x.recommend !== undefined);
  const checks: GraderCheck[] = [];

  const right = "Each recommendation is the next unseen title of the genre";
  const answered = new Set<Expected>();
  let wrong: string | undefined;
  for (const r of recs) {
    const event = expected.find((x) => !answered.has(x) && x.member === r.member && x.because === r.because);
    if (event) answered.add(event);
    wrong = judgeOne(r, event);
    if (wrong) break;
  }
  checks.push(wrong ? { title: right, status: "fail", message: wrong } : { title: right, status: "pass", message: "Every recommendation is the next unseen title of its genre." });

  const each = "There is a recommendation for each watch event";
  const missing = due.filter((x) => !recs.some((r) => r.member === x.member && r.because === x.because));
  checks.push(
    missing.length === 0 && recs.length === due.length
      ? { title: each, status: "pass", message: `${events.length} watch events, ${recs.length} recommendations.` }
      : {
          title: each,
          status: "fail",
          message: `${events.length} watch events but ${recs.length} recommendations${missing[0] ? `; e.g. none for \`${missing[0].member}\` watching ${missing[0].because} (it should be ${missing[0].recommend})` : ""}. Produce one recommendation for every watch event.`,
        },
  );

  const keyed = "Each recommendation is keyed by its member";
  const stray = recs.find((r) => r.key !== r.member);
  checks.push(
    stray
      ? {
          title: keyed,
          status: "fail",
          message: `The recommendation for \`${stray.member}\` (because of ${stray.because}) has ${stray.key === null ? "no key" : `key "${stray.key}"`}: each recommendation must be keyed by its member, so a member's recommendations stay in one partition, in order.`,
        }
      : { title: keyed, status: "pass", message: "Every recommendation is keyed by its member." },
  );
  return checks;
}
