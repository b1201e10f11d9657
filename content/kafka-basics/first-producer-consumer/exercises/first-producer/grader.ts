// The latest run must have sent the ten messages once each and nothing else: a message sent twice
// (or ten times, in a loop around the whole batch) gives a consumer the same message again.
import { recordsOfLatestRun, type GraderCheck, type GraderInput } from "#contract/grader";

const EXPECTED = Array.from({ length: 10 }, (_, i) => ({ key: String(i + 1), value: `message ${i + 1}` }));

const shown = (text: string | null) => (text === null ? "no key" : `"${text.length > 40 ? `${text.slice(0, 37)}…` : text}"`);
const times = (n: number) => (n === 2 ? "twice" : `${n} times`);

export default function grade(input: GraderInput): GraderCheck[] {
  const title = "Your latest run sent each of the ten messages once, and nothing else";
  const topic = input.topics.messages;
  const records = topic ? recordsOfLatestRun(topic) : [];
  const fail = (message: string): GraderCheck[] => [{ title, status: "fail", message }];
  if (records.length === 0) return fail("Your latest run sent no message to `messages`: send the ten messages, then check again.");

  const offsetsOf = new Map<string, number[]>();
  for (const r of records) {
    const id = `${r.key}\u0000${r.value}`;
    offsetsOf.set(id, [...(offsetsOf.get(id) ?? []), r.offset]);
  }
  const extra = records.find((r) => !EXPECTED.some((e) => e.key === r.key && e.value === r.value));
  if (extra) {
    return fail(
      `Your latest run also sent ${shown(extra.value)} with ${extra.key === null ? "no key" : `key ${shown(extra.key)}`} (offset ${extra.offset}), which is not one of the ten: send key "1" with value "message 1" up to key "10" with value "message 10", and nothing else.`,
    );
  }
  const repeated = EXPECTED.find((e) => (offsetsOf.get(`${e.key}\u0000${e.value}`)?.length ?? 0) > 1);
  if (repeated) {
    const offsets = offsetsOf.get(`${repeated.key}\u0000${repeated.value}`)!;
    return fail(
      `Your latest run sent "${repeated.value}" (key "${repeated.key}") ${times(offsets.length)}, at offsets ${offsets.slice(0, 3).join(", ")}${offsets.length > 3 ? " …" : ""}: a consumer would read it ${times(offsets.length)}. Send each message once.`,
    );
  }
  const missing = EXPECTED.find((e) => !offsetsOf.has(`${e.key}\u0000${e.value}`));
  if (missing) {
    return fail(`Your latest run sent ${records.length} of the ten messages; there is no message "${missing.value}" with key "${missing.key}".`);
  }
  return [{ title, status: "pass", message: "Your latest run sent the ten messages, each once." }];
}
