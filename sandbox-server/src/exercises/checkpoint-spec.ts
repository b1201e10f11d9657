// The declarative checkpoint format authors write in content/**/exercises/<id>/checkpoint.json.
// Every check asks about the broker's real state; none reads the learner's source.
import { z } from "zod";

const topicName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,200}$/, "a Kafka topic name: letters, digits, '.', '_' or '-'");
const groupId = z.string().min(1).max(200);

export const checkSpecSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("topic-exists"), topic: topicName }),
  z.object({ type: z.literal("topic-record-count"), topic: topicName, atLeast: z.number().int().positive() }),
  z.object({ type: z.literal("group-caught-up"), group: groupId, topic: topicName }),
  z.object({ type: z.literal("topic-partitions"), topic: topicName, atLeast: z.number().int().positive() }),
  /** Records spread over at least this many partitions (keys, or the default partitioner, at work). */
  z.object({ type: z.literal("partitions-with-records"), topic: topicName, atLeast: z.number().int().positive() }),
  /** Every partition is copied to this many brokers; "all-brokers" adapts to one broker or three. */
  z.object({ type: z.literal("topic-replication"), topic: topicName, factor: z.union([z.number().int().positive(), z.literal("all-brokers")]) }),
  z.object({ type: z.literal("topic-config"), topic: topicName, config: z.string().regex(/^[a-z.]+$/), equals: z.string() }),
]);

export const checkpointSpecSchema = z
  .object({
    /** What passing means, in a learner's words. */
    title: z.string().min(1),
    checks: z.array(checkSpecSchema).default([]),
    /** Records of these topics (named as the lesson names them) and offsets of these groups, handed to `grader`. */
    reads: z.object({ topics: z.array(topicName).min(1), groups: z.array(groupId).default([]) }).optional(),
    /** The exercise's own grader module, beside checkpoint.json (see grading/grader-api.ts). */
    grader: z.string().regex(/^[a-z0-9-]+\.ts$/, "a file name beside checkpoint.json, such as grader.ts").optional(),
  })
  .refine((spec) => spec.checks.length > 0 || spec.grader, { message: "a checkpoint needs checks, a grader, or both" })
  .refine((spec) => !spec.grader || spec.reads, { message: "a grader needs `reads`: the topics it is given" });

export type CheckSpec = z.infer<typeof checkSpecSchema>;
export type CheckpointSpec = z.infer<typeof checkpointSpecSchema>;
