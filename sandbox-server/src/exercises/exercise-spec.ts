// The format authors write in content/**/exercises/<id>/exercise.json: what the exercise is called, how
// long its runs may take, which exercises come before it, and which of the learner's Kafka topics and
// groups it owns. Owning a name means this exercise alone writes it: no other exercise may own it, and
// a checkpoint may read only what its exercise owns or what an exercise it comes after owns.
import { z } from "zod";
import { topicName, groupId } from "./checkpoint-spec.ts";

const ownedTopicSchema = z
  .object({
    partitions: z
      .number()
      .int()
      .min(1)
      .max(12)
      .optional()
      .describe("Made by the server with this many partitions whenever the slate is cleared; without it the learner's program makes the topic."),
  })
  .strict()
  .describe("A topic the exercise owns.");

export const exerciseSpecSchema = z
  .object({
    $schema: z.string().optional().describe("The JSON Schema this file follows (for editors)."),
    title: z.string().min(1).describe("The exercise's title, as the page shows it."),
    timeLimitSeconds: z
      .number()
      .int()
      .min(5)
      .max(900)
      .optional()
      .describe("A run of this exercise is stopped after this many seconds (a consumer may want longer)."),
    after: z
      .array(z.string())
      .optional()
      .describe("Exercises whose results this one reads (a consumer needs a producer's messages): done first, and whose topics it may read."),
    starterFailsWith: z
      .string()
      .min(1)
      .optional()
      .describe("Words of the verdict the untouched starter gets: the reason the lesson expects it to fail."),
    language: z
      .enum(["typescript", "sql"])
      .optional()
      .describe("What the learner mainly writes: TypeScript (starter.ts, solution.ts; Python beside it when starter.py exists) or Flink SQL."),
    cluster: z
      .enum(["course", "lab"])
      .default("course")
      .describe(
        "Where runs of this exercise reach Kafka: the course's brokers, shared by the class, or the learner's own lab cluster of three brokers, which they stop and start from the page.",
      ),
    topics: z
      .record(topicName, ownedTopicSchema)
      .default({})
      .describe("The topics this exercise owns in the learner's namespace, named as the lesson names them."),
    groups: z.array(groupId).default([]).describe("The consumer groups this exercise owns in the learner's namespace."),
    freshEachRun: z
      .boolean()
      .default(false)
      .describe(
        "Every run starts from a clean slate: the learner's other runs of this exercise are stopped, its topics and groups deleted and its declared topics made anew. Without it, state carries over between runs (a consumer group's position, say) and checks judge the records the latest run wrote.",
      ),
  })
  .strict();

export type ExerciseSpec = z.infer<typeof exerciseSpecSchema>;
