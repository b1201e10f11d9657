// Grades a checkpoint that names a grader of its own (grader-api.ts): reads the records of the topics
// it names, inside the learner's namespace, as the super user, hands them to the grader module, and
// turns its checks (and any declarative ones) into a verdict.
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { Kafka } from "kafkajs";
import { kafkajsConfig, type BrokerAccess, type BrokerState } from "../broker/index.ts";
import type { CheckpointSpec } from "../exercises/index.ts";
import type { GradedRecord, GradedTopic, GraderCheck, GraderInput } from "./grader-api.ts";
import { gradeCheckpoint } from "./grade-checkpoint.ts";
import { VERDICT_VERSION, type Verdict } from "./verdict.ts";

/** Reads every record of a topic (up to `cap`); undefined when the topic does not exist. */
export type RecordReader = (topic: string, cap: number) => Promise<GradedTopic | undefined>;

const RECORD_CAP = 10_000;

/** A reader of whole topics through a consumer of the super user's that joins no group. */
export function topicRecordReader(access: BrokerAccess): RecordReader {
  const kafka = new Kafka(kafkajsConfig(access, "tributary-grader-reader", { connectionTimeout: 2000, requestTimeout: 5000, retry: { retries: 2 } }));
  return async (topic, cap) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(topic)) return undefined;
      const ends = await admin.fetchTopicOffsets(topic);
      const wanted = ends.filter((p) => Number(p.high) > Number(p.low));
      const records: GradedRecord[] = [];
      if (wanted.length > 0) {
        const groupId = `tributary-grader-${randomUUID()}`;
        const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
        await consumer.connect();
        try {
          await consumer.subscribe({ topic, fromBeginning: true });
          const remaining = new Map(wanted.map((p) => [p.partition, Number(p.high)]));
          await new Promise<void>((done, fail) => {
            const timer = setTimeout(() => fail(new Error(`reading ${topic} took too long`)), 15_000);
            void consumer.run({
              eachMessage: async ({ partition, message }) => {
                const offset = Number(message.offset);
                const end = remaining.get(partition);
                if (end !== undefined && offset < end && records.length < cap) {
                  records.push({
                    partition,
                    offset,
                    timestamp: Number(message.timestamp),
                    key: message.key?.toString("utf8") ?? null,
                    value: message.value?.toString("utf8") ?? null,
                    headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
                  });
                }
                if (end !== undefined && offset >= end - 1) remaining.delete(partition);
                if (remaining.size === 0 || records.length >= cap) clearTimeout(timer), done();
              },
            });
          });
        } finally {
          await consumer.disconnect();
          await admin.deleteGroups([groupId]).catch(() => {});
        }
      }
      records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
      const total = wanted.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      return { name: topic, partitions: ends.length, records, truncated: total > records.length };
    } finally {
      await admin.disconnect();
    }
  };
}

/** The grader's checks, and the checkpoint's declarative ones, as one verdict. */
export async function runGrader(
  exerciseId: string,
  checkpoint: CheckpointSpec,
  graderPath: string,
  read: RecordReader,
  namespace: string,
  broker: BrokerState,
): Promise<Verdict> {
  const gradedAt = new Date().toISOString();
  let checks: GraderCheck[];
  try {
    const topics: GraderInput["topics"] = {};
    for (const name of checkpoint.reads?.topics ?? []) {
      const topic = await read(namespace + name, RECORD_CAP);
      if (topic) topics[name] = { ...topic, name };
    }
    const grader = (await import(pathToFileURL(graderPath).href)) as { default: (input: GraderInput) => GraderCheck[] };
    checks = grader.default({ topics, groups: {} });
  } catch (error) {
    return { version: VERDICT_VERSION, exerciseId, status: "error", message: `Could not read your topics to grade them: ${(error as Error).message}`, checks: [], gradedAt };
  }
  if (checkpoint.checks.length > 0) checks = [...(await gradeCheckpoint(exerciseId, checkpoint, broker)).checks, ...checks];
  const failed = checks.filter((check) => check.status === "fail");
  return {
    version: VERDICT_VERSION,
    exerciseId,
    status: failed.length === 0 ? "pass" : "fail",
    message: failed.length === 0 ? `Passed: ${checkpoint.title}.` : failed[0]!.message,
    checks,
    gradedAt,
  };
}
