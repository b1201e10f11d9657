// The checkpoint format authors write in content/**/exercises/<id>/checkpoint.json: declarative
// checks on the broker's real state and records, and optionally a grader module of the exercise's
// own (grader.ts) for what the declarative checks cannot say. None reads the learner's source.
import { z } from "zod";

export const topicName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,200}$/, "a Kafka topic name: letters, digits, '.', '_' or '-'")
  .describe("A topic of the learner's, named as the lesson names it (the server adds the learner's namespace).");
export const groupId = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,200}$/, "a consumer group name: letters, digits, '.', '_' or '-'")
  .describe("A consumer group of the learner's, named as the lesson names it (the server adds the learner's namespace).");
const advice = z.string().min(1).optional().describe("A sentence added to the check's message when it fails: what to do in this exercise.");
const atLeast = z.number().int().positive();
const check = <Type extends string, Shape extends z.ZodRawShape>(type: Type, what: string, shape: Shape) =>
  z
    .object({ type: z.literal(type).describe("The kind of check."), ...shape, advice })
    .strict()
    .describe(what);

export const checkSpecSchema = z.discriminatedUnion("type", [
  check("topic-exists", "The topic exists.", { topic: topicName }),
  check("topic-record-count", "The topic holds at least this many records.", {
    topic: topicName,
    atLeast: atLeast.describe("The fewest records that pass."),
  }),
  check("group-caught-up", "The group has committed the end of every partition of the topic.", {
    group: groupId,
    topic: topicName,
    commits: z
      .enum(["auto", "manual"])
      .default("auto")
      .describe('How the exercise commits, so the advice fits: "auto" (the client commits what it handled) or "manual" (the program commits).'),
    whenEmpty: z.string().min(1).optional().describe("What to do when the topic holds nothing yet, e.g. which exercise sends its messages."),
  }),
  check("topic-partitions", "The topic has at least this many partitions.", {
    topic: topicName,
    atLeast: atLeast.describe("The fewest partitions that pass."),
  }),
  check("partitions-with-records", "Records spread over at least this many partitions (keys, or the default partitioner, at work).", {
    topic: topicName,
    atLeast: atLeast.describe("The fewest partitions holding records that pass."),
  }),
  check("topic-replication", "Every partition is copied to this many brokers.", {
    topic: topicName,
    factor: z
      .union([z.number().int().positive(), z.literal("all-brokers")])
      .describe('The replicas each partition needs; "all-brokers" adapts to one broker or three.'),
  }),
  check("topic-config", "One of the topic's settings has this value.", {
    topic: topicName,
    config: z
      .string()
      .regex(/^[a-z.]+$/)
      .describe("The setting's name, e.g. cleanup.policy."),
    equals: z.string().describe("The value that passes, as Kafka reports it."),
  }),
  check(
    "topic-min-insync-replicas",
    "Writes with acks -1 go on with one broker down: min.insync.replicas is at most the replicas less one (1 on one broker).",
    { topic: topicName },
  ),
  check("records-include", "Each of these records is in the topic.", {
    topic: topicName,
    records: z
      .array(
        z
          .object({
            key: z.string().nullable().describe("The record's key; null: the record has no key."),
            value: z.string().describe("The record's value."),
          })
          .strict(),
      )
      .min(1)
      .describe("The records that must be there."),
  }),
  check("keys-in-one-partition", "Every record has a key, and all records of one key are in one partition (so their order holds).", {
    topic: topicName,
    keyPattern: z.string().optional().describe("A regular expression every key must match."),
  }),
  check("records-shape", "Every record's value is a JSON object with these fields and without the forbidden ones.", {
    topic: topicName,
    fields: z.array(z.string().min(1)).default([]).describe("Fields every value must have."),
    forbidden: z.array(z.string().min(1)).default([]).describe("Fields no value may have."),
    keyed: z.boolean().default(false).describe("Every record must have a key too."),
  }),
]);

const readsSchema = z
  .object({
    topics: z.array(topicName).default([]).describe("Topics whose records the grader module receives."),
    groups: z
      .array(z.object({ group: groupId, topic: topicName }).strict().describe("A group's committed offsets on one topic."))
      .default([])
      .describe("Groups whose committed offsets on a topic the grader module receives."),
  })
  .strict()
  .describe("What the grader module is given.");

export const checkpointSpecSchema = z
  .object({
    $schema: z.string().optional().describe("The JSON Schema this file follows (for editors)."),
    title: z.string().min(1).describe("What passing means, in a learner's words."),
    checks: z.array(checkSpecSchema).default([]).describe("Declarative checks on the broker's state and records, judged in order."),
    reads: readsSchema.default({ topics: [], groups: [] }),
    grader: z
      .string()
      .regex(/^[a-zA-Z0-9_-]+\.ts$/, "a file name next to checkpoint.json, such as grader.ts")
      .optional()
      .describe("A TypeScript module next to checkpoint.json whose default export grades what `reads` names (its types: #contract's grader.ts)."),
  })
  .strict()
  .refine((spec) => spec.checks.length > 0 || spec.grader !== undefined, {
    message: "a checkpoint needs at least one check or a grader",
    path: ["checks"],
  })
  .describe("An exercise's checkpoint: what a Check judges.");

export type CheckSpec = z.infer<typeof checkSpecSchema>;
export type CheckpointSpec = z.infer<typeof checkpointSpecSchema>;
export type CheckpointInput = z.input<typeof checkpointSpecSchema>;
