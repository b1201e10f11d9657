// Both targets, `billing` and `shipping`, must have read `orders` to its end. A group left behind says
// what its consumer did: it never joined, joined and read nothing, or read none or part of what the
// latest run wrote; and the verdict names the group that did read the orders, so a misnamed group
// is plain to see.
import { recordsOfLatestRun, type GradedGroup, type GradedTopic, type GraderCheck, type GraderInput } from "#contract/grader";

type Language = "typescript" | "python";
const TARGETS = ["billing", "shipping"] as const;

/** Where the judged run's orders begin and where `orders` ends, per partition. */
interface Span {
  partition: number;
  start: number;
  end: number;
}

function spans(topic: GradedTopic): Span[] {
  const ends = new Map<number, number>();
  for (const r of topic.records) ends.set(r.partition, Math.max(ends.get(r.partition) ?? 0, r.offset + 1));
  return [...ends].map(([partition, end]) => ({ partition, start: Math.min(topic.runStart[partition] ?? 0, end), end }));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Why a group has committed nothing: no consumer ever joined it, one is in it now, or one left. */
function noCommitReason(name: string, group: GradedGroup | undefined, language: Language): string {
  if (!group || group.state === "Dead") {
    return `No consumer has joined group \`${name}\`: no target read \`orders\` in it. Call target("${name}"), with that exact name.`;
  }
  if ((group.members ?? 0) > 0) {
    return language === "python"
      ? `A consumer is in group \`${name}\` but has committed nothing on \`orders\`: with enable_auto_commit=False, call consumer.commit() once it has read the orders (target() does).`
      : `A consumer is in group \`${name}\` but has handled no order. Did it subscribe with fromBeginning: true? A new group otherwise starts at the end of \`orders\` and waits for new orders only (target() subscribes so).`;
  }
  return language === "python"
    ? `A consumer joined group \`${name}\` and left without committing how far it read: call consumer.commit() before consumer.close() (target() does).`
    : `A consumer joined group \`${name}\` and left without handling any order: a new group starts at the oldest order only with fromBeginning: true (target() subscribes so).`;
}

/** One target's check: its group has committed the end of every partition of `orders`. */
function targetCheck(name: string, input: GraderInput, orders: GradedTopic, language: Language): GraderCheck {
  const title = `Group \`${name}\` has read every order of \`orders\``;
  const fail = (message: string): GraderCheck => ({ title, status: "fail", message });
  const group = input.groups[`${name}/orders`];
  const committed = group?.committed ?? {};
  const parts = spans(orders);
  const total = parts.reduce((sum, p) => sum + p.end, 0);
  const others = TARGETS.filter((other) => other !== name && caughtUp(input.groups[`${other}/orders`], parts));
  const otherNote = others.length ? ` Group \`${others[0]}\` did read them all.` : "";
  if (Object.keys(committed).length === 0) return fail(`Group \`${name}\` has read no order. ${noCommitReason(name, group, language)}${otherNote}`);

  const past = parts.find((p) => (committed[p.partition] ?? 0) > p.end);
  if (past) {
    return fail(
      `Group \`${name}\` committed offset ${committed[past.partition]} on partition ${past.partition} of \`orders\`, past its end (${past.end}). Commit the offset of the next order to read, no more.`,
    );
  }
  const at = (p: Span) => committed[p.partition] ?? 0;
  const behind = parts.reduce((sum, p) => sum + p.end - at(p), 0);
  if (behind === 0) return { title, status: "pass", message: `Group \`${name}\` has read all ${plural(total, "order")} of \`orders\`.` };

  const wrote = parts.reduce((sum, p) => sum + p.end - p.start, 0);
  const readOfLatest = parts.reduce((sum, p) => sum + Math.max(0, Math.min(at(p), p.end) - p.start), 0);
  const first = parts.find((p) => at(p) < p.end)!;
  const where = `it is at offset ${at(first)} of \`orders\`, which ends at ${first.end}`;
  const running = input.run !== undefined && input.run.outcome === undefined ? " Your latest run is still going: check again once it has ended." : "";
  if (readOfLatest === 0) {
    // Its position may be where an earlier run left it, or where a target that stopped early got to.
    return fail(
      `Group \`${name}\` has read none of the ${plural(wrote, "order")} your latest run wrote: ${where}, ${plural(behind, "order")} behind.${otherNote} Either no target of your latest run read in group "${name}" (is it spelt exactly so: target("${name}")?), or it stopped before the end: a target reads until it has caught up with the end of \`orders\`, not a fixed number of orders.${running}`,
    );
  }
  return fail(
    `Group \`${name}\` read ${readOfLatest} of the ${plural(wrote, "order")} your latest run wrote, then stopped: ${where}. A target reads until it has caught up with the end of \`orders\`, not a fixed number of orders.${running}`,
  );
}

function caughtUp(group: GradedGroup | undefined, parts: Span[]): boolean {
  return parts.every((p) => (group?.committed[p.partition] ?? -1) >= p.end);
}

export default function grade(input: GraderInput): GraderCheck[] {
  const language: Language = input.run?.language === "python" ? "python" : "typescript";
  const orders = input.topics.orders;
  const title = "Your latest run's source wrote its five orders";
  const written = orders ? recordsOfLatestRun(orders).length : 0;
  if (!orders || written === 0) {
    return [
      {
        title,
        status: "fail",
        message: "Your latest run wrote no order to `orders`: keep the source's lines, which write five orders each run, and let the program run to its end.",
      },
    ];
  }
  return [{ title, status: "pass", message: `Your latest run wrote ${plural(written, "order")}.` }, ...TARGETS.map((name) => targetCheck(name, input, orders, language))];
}
