// Why a run ended, in a learner's words: which limit it hit, or what Kafka refused it. Kept apart from the
// run's lifecycle (learner-run.ts), which only decides the reason.
import type { LearnerTopicLimits, RunLimits } from "../config.ts";
import type { ExitReason } from "../contract/run-events.ts";
import { learnerTopicBounds } from "../kafka/index.ts";
import type { Language } from "../contract/languages.ts";

/** What the exit message needs to know of the run. */
export interface ExitContext {
  limits: RunLimits;
  language: Language;
  /** A language may word a reason its own way (a Flink job, not a program). */
  runtime: { exitMessage?(reason: ExitReason, code: number | null, limits: RunLimits): string | undefined };
  kafka: { topicLimits?: LearnerTopicLimits };
}

/**
 * How kafkajs, kafka-python (and Kafka's own clients) word the refusals a learner's program may meet, and
 * the line the course's kits end a program with when too few brokers answered it: a cluster with one broker
 * of three left still answers the server, yet cannot serve a learner's writes.
 */
export const KAFKA_REFUSALS: [ExitReason, RegExp][] = [
  ["kafka-unavailable", /^Kafka could not be reached: /m],
  ["kafka-limit", /do not satisfy the configured policy|POLICY_VIOLATION|PolicyViolation/],
  ["kafka-denied", /authorization failed|Not authorized to access|AUTHORIZATION_FAILED|AuthorizationFailedError/i],
];

function topicLimitsSentence(limits: LearnerTopicLimits | undefined): string {
  if (!limits) return "it would pass the course's limits on topics and partitions";
  return `a learner may have at most ${limits.topics} topics and ${limits.partitions} partitions, at most ${limits.partitionsPerTopic} in one topic`;
}

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

/** The bounds on a learner's topic settings, as the brokers' policies hold them (kafka/learner-topic-policy). */
function topicSettingsSentence(limits: LearnerTopicLimits | undefined): string {
  if (!limits) return "";
  const b = learnerTopicBounds(limits);
  const days = (ms: number) => `${ms / 86_400_000} days`;
  return (
    ` A topic's settings must stay within the course's bounds too: retention.ms up to ${days(b.maxRetentionMs)} and retention.bytes up to ${mib(b.maxRetentionBytes)} per partition (never -1),` +
    ` max.message.bytes up to ${mib(b.maxMessageBytes)}, segment.ms from ${days(b.minSegmentMs)}, segment.bytes from ${mib(b.minSegmentBytes)} to ${mib(b.maxRetentionBytes)},` +
    ` segment.index.bytes from ${mib(b.minSegmentIndexBytes)}, a cleanup.policy that includes delete, and besides those only min.insync.replicas, compression.type and message.timestamp.type.`
  );
}

/** The one sentence the terminal shows when a run ends, naming the limit or the refusal it met. */
export function exitMessage(reason: ExitReason, code: number | null, request: ExitContext): string {
  const { limits } = request;
  const own = request.runtime.exitMessage?.(reason, code, limits);
  if (own) return own;
  switch (reason) {
    case "exited":
      return code === 0 ? "Your program finished." : `Your program exited with code ${code}.`;
    case "kafka-unavailable":
      return code === null
        ? "Stopped: Kafka stopped answering. Run again once it is back (`npm run kafka -- status` tells)."
        : `Your program exited with code ${code}: Kafka stopped answering. Run again once it is back (\`npm run kafka -- status\` tells).`;
    case "kafka-denied":
      return `Your program exited with code ${code}: Kafka refused it access. Name topics with topic() and groups with group() from "tributary": other names belong to nobody or to other learners. A transactional id takes your namespace too: transactionalId() (transactional_id() in Python). Adding partitions to a topic is not allowed either; create it again instead.`;
    case "kafka-limit":
      return `Your program exited with code ${code}: Kafka refused a topic or its settings. A topic is refused when ${topicLimitsSentence(request.kafka.topicLimits)}: delete topics you no longer need (admin.deleteTopics).${topicSettingsSentence(request.kafka.topicLimits)}`;
    case "stopped":
      return "Stopped.";
    case "timeout":
      return `Stopped after ${limits.wallTimeMs / 1000} s, the time limit for this exercise.`;
    case "output-limit":
      return `Stopped: your program wrote more than ${limits.outputLimitBytes / 1024} KiB of output, the output limit.`;
    case "memory-limit":
      return `Stopped: your program used more than ${limits.memoryLimitMb} MiB of memory, the memory limit.`;
    case "cpu-limit":
      return `Stopped: your program used more than ${limits.cpuSeconds} s of CPU time, the CPU limit. Is a loop spinning without waiting?`;
    case "compile-error":
      return request.language === "python"
        ? "Your Python program could not be started; the message above says why."
        : "Your TypeScript did not compile; fix the error above and run again.";
    case "start-failed":
      return "The server could not start your program (the reason is above). Run again; if it keeps failing, tell the course host.";
    case "unwatched":
      return "Stopped because nobody was watching it any more.";
    case "server-shutdown":
      return "Stopped because the sandbox server is shutting down.";
    case "superseded":
      return "Stopped: you started this exercise again, and every run of it starts from a clean slate.";
  }
}

/** The refusal a failed program's last output shows, if Kafka refused it or could not be reached. */
export function kafkaRefusalIn(stderrTail: string): ExitReason | undefined {
  return KAFKA_REFUSALS.find(([, wording]) => wording.test(stderrTail))?.[0];
}
