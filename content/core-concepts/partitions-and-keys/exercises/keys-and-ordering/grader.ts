// Every ride event must carry its own ride's key: the value names the ride ("ride-3 picked up"), and the key must
// be that ride ("ride-3"), or the partitioner keeps together events of different rides under one name. And each
// ride's three events must stand in its partition in the order they happened.
import { recordsOfLatestRun, type GraderCheck, type GraderInput } from "#contract/grader";

export const STEPS = ["requested", "picked up", "dropped off"];
export const RIDES = 10;

const KEY_ADVICE = {
  typescript: "Key each event with the ride its value names: `ride-${i + 1}` for the value `ride-${i + 1} ${step}`.",
  python: 'Key each event with the ride its value names: `key=f"ride-{ride}".encode()` beside `value=f"ride-{ride} {step}".encode()`.',
};

export default function grade(input: GraderInput): GraderCheck[] {
  const advice = KEY_ADVICE[input.run?.language === "python" ? "python" : "typescript"];
  const topic = input.topics.rides;
  const records = topic ? recordsOfLatestRun(topic) : [];
  const events = records.map((r) => ({ ...r, ride: /^(ride-\d+) /.exec(r.value ?? "")?.[1], step: (r.value ?? "").replace(/^ride-\d+ /, "") }));
  const checks: GraderCheck[] = [];

  const ownKey = "Each event's key is the ride its value names";
  const mismatch = events.find((e) => e.key !== null && e.ride !== undefined && e.key !== e.ride);
  checks.push(
    mismatch
      ? { title: ownKey, status: "fail", message: `The event "${mismatch.value}" has key "${mismatch.key}": its key must be its own ride, "${mismatch.ride}". ${advice}` }
      : { title: ownKey, status: "pass", message: "Every event is keyed by its own ride." },
  );

  const inOrder = "Each ride's three events are in its partition, in the order they happened";
  const rides = Array.from({ length: RIDES }, (_, i) => `ride-${i + 1}`);
  let problem: string | undefined;
  for (const ride of rides) {
    const steps = events
      .filter((e) => e.ride === ride)
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
      .map((e) => e.step);
    if (steps.join("|") !== STEPS.join("|")) {
      problem =
        steps.length === 0
          ? `There is no event of ${ride} in \`rides\`: send all ten rides' events, "ride-1 requested" to "ride-10 dropped off".`
          : `${ride}'s events read ${steps.map((s) => `"${s}"`).join(", ")}; they should be "${STEPS.join('", "')}", once each and in that order.`;
      break;
    }
  }
  checks.push(problem ? { title: inOrder, status: "fail", message: problem } : { title: inOrder, status: "pass", message: `All ${RIDES} rides' events are in order.` });
  return checks;
}
