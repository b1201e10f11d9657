// The spam signals must be exactly the members who sent more than LIMIT messages within one minute
// of event time (the events' own `at`), each flagged once: no false positives, no misses.
import type { GraderCheck, GraderInput } from "../../../../../sandbox-server/src/contract/grader.ts";

const LIMIT = 10;
const WINDOW_MS = 60_000;

interface Interaction {
  member: string;
  action: string;
  at: number;
}

const parse = <T>(text: string | null): T | undefined => {
  try {
    return JSON.parse(text ?? "") as T;
  } catch {
    return undefined;
  }
};

/** The most messages a member sent within any one minute (the window ending at each message). */
function mostInAMinute(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return Math.max(0, ...sorted.map((t, i) => i + 1 - sorted.findIndex((s) => s > t - WINDOW_MS)));
}

export default function grade(input: GraderInput): GraderCheck[] {
  const events = (input.topics.interactions?.records ?? []).map((r) => parse<Interaction>(r.value)).filter((e): e is Interaction => !!e?.member);
  const signals = (input.topics["spam-signals"]?.records ?? []).map((r) => parse<{ member?: string }>(r.value)?.member).filter((m): m is string => !!m);
  const timesOf = new Map<string, number[]>();
  for (const e of events) if (e.action === "message") timesOf.set(e.member, [...(timesOf.get(e.member) ?? []), e.at]);
  const most = new Map([...timesOf].map(([member, times]) => [member, mostInAMinute(times)]));
  const spammers = [...most].filter(([, n]) => n > LIMIT).map(([member]) => member);

  const precise = "No member is flagged who should not be";
  const falsePositive = [...new Set(signals)].find((member) => !spammers.includes(member));
  const checks: GraderCheck[] = [];
  if (falsePositive) {
    const n = most.get(falsePositive) ?? 0;
    const sent = timesOf.get(falsePositive)?.length ?? 0;
    const why =
      n === LIMIT
        ? `exactly ${LIMIT}, the most allowed: only more than ${LIMIT} is spam (\`>\`, not \`>=\`).`
        : sent > LIMIT
          ? `at most ${n} within any minute of their events' own time, though ${sent} in all: measure the minute with event.at, not the clock.`
          : `at most ${n} within any minute.`;
    checks.push({ title: precise, status: "fail", message: `\`${falsePositive}\` was flagged, but sent ${why}` });
  } else {
    checks.push({ title: precise, status: "pass", message: `Every flagged member sent more than ${LIMIT} messages within a minute.` });
  }

  const complete = "Every spammer is flagged";
  const missed = spammers.find((member) => !signals.includes(member));
  checks.push(
    missed
      ? { title: complete, status: "fail", message: `\`${missed}\` sent ${most.get(missed)} messages within one minute but was not flagged. For each "message" event keep the member's times within the last minute, and flag them once past ${LIMIT}.` }
      : { title: complete, status: "pass", message: `${spammers.length} spammers flagged: ${spammers.join(", ")}.` },
  );

  const once = "Each member is flagged once";
  const twice = signals.find((member, i) => signals.indexOf(member) !== i);
  checks.push(
    twice
      ? { title: once, status: "fail", message: `\`${twice}\` was flagged ${signals.filter((m) => m === twice).length} times: remember whom you flagged (the \`flagged\` set) and signal each member once.` }
      : { title: once, status: "pass", message: "No member is flagged twice." },
  );
  return checks;
}
