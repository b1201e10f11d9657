// The lab's brokers over a run, as the graders of "When a broker dies" read them from the stops and starts the
// learner made on the page: which brokers ran when, whether the run saw its partition's leader die and then a
// second broker, and moments of the run in a learner's words ("1:05 into your run").
import type { GradedLab, GradedLabChange, GraderCheck, GraderInput } from "#contract/grader";

/** The time span the checkpoint judges: the run, from its start to its end (or the ledger's, or now). */
export interface RunSpan {
  from: number;
  to: number;
}

export function runSpanOf(input: GraderInput, ledger?: { startedAt: number; endedAt: number }): RunSpan {
  const from = Date.parse(input.run?.startedAt ?? "") || ledger?.startedAt || 0;
  const to = Date.parse(input.run?.endedAt ?? "") || ledger?.endedAt || Number.POSITIVE_INFINITY;
  return { from, to };
}

/** A moment of the run as minutes and seconds since it started: "1:05". */
export function runClock(at: number, run: RunSpan): string {
  const seconds = Math.max(0, Math.round((at - run.from) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** "1:05 into your run", or "40 s before your run began". */
export function sinceRun(at: number, run: RunSpan): string {
  return at < run.from ? `${Math.round((run.from - at) / 1000)} s before your run began` : `${runClock(at, run)} into your run`;
}

/** A stretch of time when only the broker `up` ran (or none, when `up` is undefined). */
export interface LoneBrokerSpan {
  from: number;
  to: number;
  up: number | undefined;
}

/** Each change of the lab, with the brokers down just before it and just after it. */
export function labTimeline(lab: GradedLab): { change: GradedLabChange; downBefore: number[]; downAfter: number[] }[] {
  const down = new Set<number>();
  return [...lab.changes]
    .sort((a, b) => a.at - b.at)
    .map((change) => {
      const downBefore = [...down].sort((a, b) => a - b);
      if (change.change === "stopped") down.add(change.broker);
      else down.delete(change.broker);
      return { change, downBefore, downAfter: [...down].sort((a, b) => a - b) };
    });
}

/** When at most one of the lab's brokers ran, as far as its stops and starts tell, clipped to `span`. */
export function loneBrokerSpans(lab: GradedLab, span: RunSpan): LoneBrokerSpan[] {
  const spans: LoneBrokerSpan[] = [];
  let open: LoneBrokerSpan | undefined;
  for (const { change, downAfter } of labTimeline(lab)) {
    const up = lab.brokers.filter((broker) => !downAfter.includes(broker));
    if (up.length <= 1 && !open) open = { from: change.at, to: Number.POSITIVE_INFINITY, up: up[0] };
    else if (up.length <= 1 && open) open.up = up[0];
    else if (open) {
      open.to = change.at;
      spans.push(open);
      open = undefined;
    }
  }
  if (open) spans.push(open);
  return spans
    .map((s) => ({ ...s, from: Math.max(s.from, span.from), to: Math.min(s.to, span.to) }))
    .filter((s) => s.from < s.to);
}

/** The faults a run is meant to see: its partition's leader stopped while the others ran, then a second broker while it was down. */
export interface Faults {
  leaderStop?: GradedLabChange;
  secondStop?: GradedLabChange;
  /** Why the faults were not as planned, in a learner's words; undefined when they were. */
  problem?: string;
}

/** The run's faults, read from the lab's changes; `partition` is named as `led` names it ("safe-payments-0"). */
export function faultsDuring(lab: GradedLab | undefined, run: RunSpan, partition: string): Faults {
  const shown = partition.replace(/-(\d+)$/, " $1");
  const plan = `In the lab panel, while your program runs: Stop the broker the live view marks as leader of \`${shown}\`, wait until payments are acknowledged again, then Stop a second broker.`;
  if (!lab) return { problem: `Your run did not run on your lab cluster, so no broker could be stopped under it. Start your lab, then Run. ${plan}` };
  const timeline = labTimeline(lab);
  const during = timeline.filter(({ change }) => change.at >= run.from && change.at <= run.to);
  const stops = during.filter(({ change }) => change.change === "stopped");
  if (stops.length === 0) {
    const before = timeline.filter(({ change }) => change.at < run.from && change.change === "stopped").at(-1);
    const earlier = before ? ` (you stopped broker ${before.change.broker} ${sinceRun(before.change.at, run)})` : "";
    return { problem: `You stopped no broker while your latest run ran${earlier}, so Kafka never had to elect a leader or refuse a payment. ${plan}` };
  }
  const leader = stops.find(({ change, downBefore }) => change.led.includes(partition) && downBefore.length === 0);
  if (!leader) {
    const first = stops[0]!;
    const why = first.change.led.includes(partition)
      ? `it led \`${shown}\`, but broker ${first.downBefore.join(" and ")} was already down: stop the leader while the other two run, so that one of them takes over and payments carry on.`
      : `it did not lead \`${shown}\` then, so no leader had to be elected.`;
    return { problem: `Broker ${first.change.broker} was the first you stopped during your run (${sinceRun(first.change.at, run)}), but ${why} ${plan}` };
  }
  const after = timeline.slice(timeline.indexOf(leader) + 1);
  const restart = after.find(({ change }) => change.broker === leader.change.broker && change.change === "started");
  const second = after.find(
    ({ change }) => change.change === "stopped" && change.broker !== leader.change.broker && change.at <= run.to && (!restart || change.at < restart.change.at),
  );
  if (!second) {
    const back = restart && restart.change.at <= run.to ? `, and started it again ${sinceRun(restart.change.at, run)}` : "";
    return {
      leaderStop: leader.change,
      problem: `You stopped broker ${leader.change.broker}, the leader of \`${shown}\`, ${sinceRun(leader.change.at, run)}${back}, but no second broker while it was down: Kafka never ran on one broker. Stop a second broker while the first is still down, and start both again once Kafka refuses a payment.`,
    };
  }
  return { leaderStop: leader.change, secondStop: second.change };
}

/** The check that the run saw the planned faults, for the payments topic `topic`. */
export function faultsCheck(faults: Faults, run: RunSpan, topic: string): GraderCheck {
  const title = "You stopped the leader, then a second broker, while your run ran";
  if (faults.problem) return { title, status: "fail", message: faults.problem };
  const { leaderStop, secondStop } = faults as Required<Omit<Faults, "problem">>;
  return {
    title,
    status: "pass",
    message: `Broker ${leaderStop.broker} led \`${topic}\` 0 when you stopped it ${sinceRun(leaderStop.at, run)}, and you stopped broker ${secondStop.broker} ${sinceRun(secondStop.at, run)} while it was down: one broker ran.`,
  };
}
