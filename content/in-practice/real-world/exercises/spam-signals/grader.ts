// The spam signals must be exactly the members who sent more than LIMIT messages within one minute
// of event time (the events' own `at`), each flagged once and keyed by member: no false positives, no
// misses. Likes stand beside messages in the data, so counting every interaction is caught.
import type { GraderCheck, GraderInput } from "#contract/grader";

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
  const records = (input.topics["spam-signals"]?.records ?? []).map((r) => ({ key: r.key, ...parse<{ member?: string; messagesInLastMinute?: unknown }>(r.value) }));
  const signals = records.map((r) => r.member).filter((m): m is string => !!m);
  const timesOf = new Map<string, number[]>();
  const interactionsOf = new Map<string, number[]>();
  for (const e of events) {
    if (e.action === "message") timesOf.set(e.member, [...(timesOf.get(e.member) ?? []), e.at]);
    interactionsOf.set(e.member, [...(interactionsOf.get(e.member) ?? []), e.at]);
  }
  const most = new Map([...timesOf].map(([member, times]) => [member, mostInAMinute(times)]));
  const spammers = [...most].filter(([, n]) => n > LIMIT).map(([member]) => member);

  const eventTime = input.run?.language === "python" ? 'event["at"]' : "event.at";
  const precise = "No member is flagged who should not be";
  const falsePositive = [...new Set(signals)].find((member) => !spammers.includes(member));
  const checks: GraderCheck[] = [];
  if (falsePositive) {
    const n = most.get(falsePositive) ?? 0;
    const sent = timesOf.get(falsePositive)?.length ?? 0;
    const withLikes = mostInAMinute(interactionsOf.get(falsePositive) ?? []);
    const why =
      withLikes > LIMIT && n <= LIMIT && sent <= LIMIT
        ? `at most ${n} messages within any minute; the other ${withLikes - n} of their interactions in that minute were likes. Count only the events whose action is "message".`
        : n === LIMIT
        ? `exactly ${LIMIT}, the most allowed: only more than ${LIMIT} is spam (\`>\`, not \`>=\`).`
        : sent > LIMIT
          ? `at most ${n} within any minute of their events' own time, though ${sent} in all: measure the minute with ${eventTime}, not the clock.`
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

  const keyed = "Each signal is keyed by its member";
  const stray = records.find((r) => r.member && r.key !== r.member);
  checks.push(
    stray
      ? { title: keyed, status: "fail", message: `The signal for \`${stray.member}\` has ${stray.key === null ? "no key" : `key "${stray.key}"`}: key each signal by the member it flags.` }
      : { title: keyed, status: "pass", message: "Every signal is keyed by its member." },
  );

  const counted = "Each signal says how many messages the member sent within the minute";
  const miscounted = records.find((r) => r.member && (typeof r.messagesInLastMinute !== "number" || r.messagesInLastMinute <= LIMIT || r.messagesInLastMinute > (most.get(r.member) ?? 0)));
  checks.push(
    miscounted
      ? {
          title: counted,
          status: "fail",
          message: `The signal for \`${miscounted.member}\` says messagesInLastMinute is ${JSON.stringify(miscounted.messagesInLastMinute)}; it should be the number of their messages within the minute when they passed ${LIMIT}, ${LIMIT + 1} when flagged at once.`,
        }
      : { title: counted, status: "pass", message: "Every signal counts the member's messages within the minute." },
  );
  return checks;
}
