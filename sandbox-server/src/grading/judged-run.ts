// The run a Check judges: the learner's latest run of the exercise that got to run. Here: which of the
// exercise's records that run wrote, whether it ended in a way that can be judged, and what the verdict
// says about it.
import type { BrokerSnapshot } from "../kafka/index.ts";
import type { ExerciseRuns, RunRecord } from "../runs/run-record.ts";
import type { CheckResult, JudgedRun } from "../contract/verdict.ts";

/**
 * Per owned topic, the offsets from which the judged run's records begin. Every record counts when the run
 * started from a clean slate, when the topic did not exist yet, or when it was made anew since (another id,
 * or offsets below the mark).
 */
export function runStartOffsets(
  run: RunRecord | undefined,
  ownedTopics: readonly string[],
  snapshot: BrokerSnapshot,
): Map<string, Record<number, number>> {
  const starts = new Map<string, Record<number, number>>();
  if (!run || run.freshSlate) return starts;
  for (const name of ownedTopics) {
    const mark = run.marks[name];
    const topic = snapshot.topics.get(name);
    if (!mark || !topic) continue;
    const remade =
      (topic.topicId !== undefined && mark.topicId !== "" && topic.topicId !== mark.topicId) ||
      topic.partitions.some((p) => p.high < (mark.offsets[p.partition] ?? 0));
    if (!remade) starts.set(name, { ...mark.offsets });
  }
  return starts;
}

/** Outcomes after which what the run left cannot be judged fairly: the verdict is an error, never stored. */
export function outageDuring(run: RunRecord): string | undefined {
  if (run.outcome === "kafka-unavailable") {
    return "Kafka stopped answering during your latest run, so what it did could not finish and was not judged; your earlier result is kept. Run it again once Kafka is back (`npm run kafka -- status` tells).";
  }
  return undefined;
}

/** A failing check when the judged run ended in an error: the checkpoint judges a run that did its work. */
export function runEndCheck(run: RunRecord): CheckResult | undefined {
  const title = "Your latest run ended without an error";
  const fail = (message: string): CheckResult => ({ title, status: "fail", message });
  switch (run.outcome) {
    case undefined:
    case "stopped":
    case "timeout":
    case "unwatched":
    case "superseded":
    case "server-shutdown":
    case "kafka-unavailable":
      return undefined;
    case "exited":
      return run.exitCode === 0 || run.exitCode === undefined
        ? undefined
        : fail(
            `Your latest run ended with an error (exit code ${run.exitCode}); its output says why. Fix it and run again: the checkpoint judges what your latest run did.`,
          );
    case "compile-error":
      return fail(
        "Your latest run stopped at an error in your code; its output says where. Fix it and run again: the checkpoint judges what your latest run did.",
      );
    case "kafka-denied":
    case "kafka-limit":
      return fail("Kafka refused something your latest run asked for; its output says what. Fix it and run again.");
    case "memory-limit":
    case "cpu-limit":
    case "output-limit":
      return fail(`Your latest run was stopped at a limit (${run.outcome.replace("-limit", "")}); its output says which. Fix it and run again.`);
    case "start-failed":
      return fail("Your latest run could not start; its output says why. Run again.");
  }
}

/** What the verdict says of the run it judged. */
export function judgedRun(run: RunRecord): JudgedRun {
  return {
    id: run.id,
    language: run.language,
    startedAt: run.startedAt,
    ...(run.endedAt ? { endedAt: run.endedAt } : {}),
    ...(run.outcome ? { outcome: run.outcome } : {}),
    freshSlate: run.freshSlate,
  };
}

/** When the latest attempt did not get to run, the verdict says it judged an earlier run. */
export function attemptNote(runs: ExerciseRuns): string | undefined {
  const { attempted, ran } = runs;
  if (!attempted || !ran || attempted.id === ran.id || attempted.launched) return undefined;
  const why = attempted.outcome === "compile-error" ? "did not compile" : attempted.outcome === undefined ? "has not started yet" : "could not start";
  return `Your latest run ${why}, so this verdict judges the latest run that did run, started at ${ran.startedAt}.`;
}
