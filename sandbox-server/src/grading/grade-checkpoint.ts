// Turns a checkpoint spec and the broker's real state into a verdict with reasons a learner understands.
import type { BrokerState, TopicState } from "../broker/index.ts";
import type { CheckpointSpec, CheckSpec } from "../exercises/index.ts";
import { VERDICT_VERSION, type CheckResult, type Verdict } from "./verdict.ts";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Records a topic holds now: the sum over partitions of log-end minus log-start. */
export function recordCount(topic: TopicState): number {
  return topic.partitions.reduce((sum, p) => sum + (p.high - p.low), 0);
}

const noTopic = (topic: string, title: string): CheckResult => ({
  title,
  status: "fail",
  message: `There is no topic \`${topic}\` on the broker yet. Create it, then run your program again.`,
});

async function gradeCheck(check: CheckSpec, broker: BrokerState): Promise<CheckResult> {
  switch (check.type) {
    case "topic-exists": {
      const title = `Topic \`${check.topic}\` exists`;
      const topic = await broker.topic(check.topic);
      if (!topic) return noTopic(check.topic, title);
      return { title, status: "pass", message: `Topic \`${check.topic}\` exists with ${plural(topic.partitions.length, "partition")}.` };
    }
    case "topic-record-count": {
      const title = `Topic \`${check.topic}\` holds at least ${plural(check.atLeast, "message")}`;
      const topic = await broker.topic(check.topic);
      if (!topic) return noTopic(check.topic, title);
      const count = recordCount(topic);
      if (count >= check.atLeast) {
        return { title, status: "pass", message: `Topic \`${check.topic}\` holds ${plural(count, "message")}.` };
      }
      return {
        title,
        status: "fail",
        message: `Topic \`${check.topic}\` holds ${plural(count, "message")}; it needs at least ${check.atLeast}. Make your producer send ${check.atLeast - count} more and run it again.`,
      };
    }
    case "group-caught-up": {
      const title = `Consumer group \`${check.group}\` has read \`${check.topic}\` to the end`;
      const topic = await broker.topic(check.topic);
      if (!topic) return noTopic(check.topic, title);
      const total = recordCount(topic);
      if (total === 0) {
        return { title, status: "fail", message: `Topic \`${check.topic}\` is empty, so there is nothing to read yet. Run the producer first.` };
      }
      const { committed } = await broker.groupOffsets(check.group, check.topic);
      if (committed.size === 0) {
        return {
          title,
          status: "fail",
          message: `Consumer group \`${check.group}\` has not committed any offset on \`${check.topic}\`. Run your consumer with groupId "${check.group}" until it has printed the messages; it commits the offsets it has read.`,
        };
      }
      // Behind = records between the committed offset (or the log start, if none) and the log end.
      const behind = topic.partitions.reduce((sum, p) => sum + Math.max(0, p.high - Math.max(p.low, committed.get(p.partition) ?? p.low)), 0);
      if (behind > 0) {
        return {
          title,
          status: "fail",
          message: `Consumer group \`${check.group}\` is ${plural(behind, "message")} behind the end of \`${check.topic}\`. Keep your consumer running until it has read them all, then check again.`,
        };
      }
      return { title, status: "pass", message: `Consumer group \`${check.group}\` has read all ${plural(total, "message")} of \`${check.topic}\`.` };
    }
    case "topic-partitions": {
      const title = `Topic \`${check.topic}\` has at least ${plural(check.atLeast, "partition")}`;
      const topic = await broker.topic(check.topic);
      if (!topic) return noTopic(check.topic, title);
      const count = topic.partitions.length;
      if (count >= check.atLeast) return { title, status: "pass", message: `Topic \`${check.topic}\` has ${plural(count, "partition")}.` };
      return {
        title,
        status: "fail",
        message: `Topic \`${check.topic}\` has ${plural(count, "partition")}; it needs at least ${check.atLeast}. Delete it and create it again with numPartitions: ${check.atLeast}, or add partitions with admin.createPartitions.`,
      };
    }
    case "partitions-with-records": {
      const title = `Records of \`${check.topic}\` are spread over at least ${plural(check.atLeast, "partition")}`;
      const topic = await broker.topic(check.topic);
      if (!topic) return noTopic(check.topic, title);
      const used = topic.partitions.filter((p) => p.high > p.low).length;
      if (used >= check.atLeast) {
        return { title, status: "pass", message: `Records of \`${check.topic}\` sit in ${used} of its ${plural(topic.partitions.length, "partition")}.` };
      }
      return {
        title,
        status: "fail",
        message: `Only ${plural(used, "partition")} of \`${check.topic}\` hold records; at least ${check.atLeast} should. Give your messages different keys: the partitioner picks a partition from each key.`,
      };
    }
    case "topic-replication": {
      const factor = check.factor === "all-brokers" ? await broker.brokerCount() : check.factor;
      const title = `Every partition of \`${check.topic}\` has ${plural(factor, "replica")}, all in sync`;
      const topic = await broker.topic(check.topic);
      if (!topic) return noTopic(check.topic, title);
      const short = topic.partitions.filter((p) => p.replicas !== factor || p.inSync !== factor);
      if (short.length === 0) return { title, status: "pass", message: `Each partition of \`${check.topic}\` is copied to ${plural(factor, "broker")}.` };
      const example = short[0]!;
      return {
        title,
        status: "fail",
        message: `Partition ${example.partition} of \`${check.topic}\` has ${plural(example.replicas, "replica")} (${example.inSync} in sync); it should have ${factor}. Create the topic with replicationFactor: ${factor}.`,
      };
    }
    case "topic-config": {
      const title = `Topic \`${check.topic}\` sets ${check.config} to ${check.equals}`;
      const value = await broker.topicConfig(check.topic, check.config);
      if (value === undefined) return noTopic(check.topic, title);
      if (value === check.equals) return { title, status: "pass", message: `Topic \`${check.topic}\` has ${check.config}=${value}.` };
      return {
        title,
        status: "fail",
        message: `Topic \`${check.topic}\` has ${check.config}=${value}; set it to ${check.equals} with configEntries: [{ name: "${check.config}", value: "${check.equals}" }] when you create the topic.`,
      };
    }
  }
}

/** Grades every check of the checkpoint against the broker; a broker error makes the verdict "error". */
export async function gradeCheckpoint(exerciseId: string, spec: CheckpointSpec, broker: BrokerState): Promise<Verdict> {
  const gradedAt = new Date().toISOString();
  const checks: CheckResult[] = [];
  try {
    for (const check of spec.checks) checks.push(await gradeCheck(check, broker));
  } catch (error) {
    return {
      version: VERDICT_VERSION,
      exerciseId,
      status: "error",
      message: `The checkpoint could not be graded because Kafka did not answer (${(error as Error).message}). Is Kafka running? \`npm run kafka -- status\` tells.`,
      checks,
      gradedAt,
    };
  }
  const failed = checks.filter((c) => c.status === "fail");
  return {
    version: VERDICT_VERSION,
    exerciseId,
    status: failed.length === 0 ? "pass" : "fail",
    message: failed.length === 0 ? `Passed: ${spec.title}.` : failed[0]!.message,
    checks,
    gradedAt,
  };
}
