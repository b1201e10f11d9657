// The checkpoint format authors write in content/**/exercises/<id>/checkpoint.json: declarative
// checks on the broker's real state and records, and optionally a grader module of the exercise's
// own (grader.ts) for what the declarative checks cannot say. None reads the learner's source.
import { z } from "zod";

export const topicName = z.string().regex(/^[a-zA-Z0-9._-]{1,200}$/, "a Kafka topic name: letters, digits, '.', '_' or '-'");
export const groupId = z.string().regex(/^[a-zA-Z0-9._-]{1,200}$/, "a consumer group name: letters, digits, '.', '_' or '-'");
/** A sentence added to a failed check's message: what to do in this exercise. */
const advice = z.string().min(1).optional();

export const checkSpecSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("topic-exists"), topic: topicName, advice }),
  z.object({ type: z.literal("topic-record-count"), topic: topicName, atLeast: z.number().int().positive(), advice }),
  /**
   * The group has committed the end of every partition. `commits` says how the exercise commits, so
   * the advice fits: "auto" (kafkajs commits what eachMessage handled) or "manual" (commitOffsets).
   */
  z.object({
    type: z.literal("group-caught-up"),
    group: groupId,
    topic: topicName,
    commits: z.enum(["auto", "manual"]).default("auto"),
    /** What to do when the topic holds nothing yet, e.g. which exercise sends its messages. */
    whenEmpty: z.string().min(1).optional(),
    advice,
  }),
  z.object({ type: z.literal("topic-partitions"), topic: topicName, atLeast: z.number().int().positive(), advice }),
  /** Records spread over at least this many partitions (keys, or the default partitioner, at work). */
  z.object({ type: z.literal("partitions-with-records"), topic: topicName, atLeast: z.number().int().positive(), advice }),
  /** Every partition is copied to this many brokers; "all-brokers" adapts to one broker or three. */
  z.object({
    type: z.literal("topic-replication"),
    topic: topicName,
    factor: z.union([z.number().int().positive(), z.literal("all-brokers")]),
    advice,
  }),
  z.object({ type: z.literal("topic-config"), topic: topicName, config: z.string().regex(/^[a-z.]+$/), equals: z.string(), advice }),
  /** Writes with acks -1 go on with one broker down: min.insync.replicas is at most the replicas less one (1 on one broker). */
  z.object({ type: z.literal("topic-min-insync-replicas"), topic: topicName, advice }),
  /** Each of these records is in the topic (a key of null: the record has no key). */
  z.object({
    type: z.literal("records-include"),
    topic: topicName,
    records: z.array(z.object({ key: z.string().nullable(), value: z.string() })).min(1),
    advice,
  }),
  /** Every record has a key matching `keyPattern`, and all records of one key are in one partition (so their order holds). */
  z.object({ type: z.literal("keys-in-one-partition"), topic: topicName, keyPattern: z.string().optional(), advice }),
  /** Every record's value is a JSON object with these fields and without the forbidden ones. */
  z.object({
    type: z.literal("records-shape"),
    topic: topicName,
    fields: z.array(z.string().min(1)).default([]),
    forbidden: z.array(z.string().min(1)).default([]),
    keyed: z.boolean().default(false),
    advice,
  }),
]);

const readsSchema = z.object({
  /** Topics whose records the grader module receives. */
  topics: z.array(topicName).default([]),
  /** Groups whose committed offsets on a topic the grader module receives. */
  groups: z.array(z.object({ group: groupId, topic: topicName })).default([]),
});

export const checkpointSpecSchema = z
  .object({
    /** What passing means, in a learner's words. */
    title: z.string().min(1),
    checks: z.array(checkSpecSchema).default([]),
    /** What the grader module is given. */
    reads: readsSchema.default({ topics: [], groups: [] }),
    /** A TypeScript module next to checkpoint.json whose default export grades `reads` (see grader-api.ts). */
    grader: z
      .string()
      .regex(/^[a-zA-Z0-9_-]+\.ts$/, "a file name next to checkpoint.json, such as grader.ts")
      .optional(),
  })
  .refine((spec) => spec.checks.length > 0 || spec.grader !== undefined, {
    message: "a checkpoint needs at least one check or a grader",
    path: ["checks"],
  });

export type CheckSpec = z.infer<typeof checkSpecSchema>;
export type CheckpointSpec = z.infer<typeof checkpointSpecSchema>;
export type CheckpointInput = z.input<typeof checkpointSpecSchema>;
