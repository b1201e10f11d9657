// What a run tells its viewers: output as it happens, then exactly one exit event.
import { z } from "@hono/zod-openapi";

/** Why a run ended; the terminal shows the matching message. */
export const ExitReasonSchema = z.enum([
  "exited", // the program ended by itself
  "kafka-unavailable", // it failed while Kafka did not answer
  "kafka-denied", // it failed after Kafka refused it access (another namespace, or adding partitions)
  "kafka-limit", // it failed after Kafka refused a topic or setting past the learner's caps
  "stopped", // the learner pressed Stop
  "timeout", // the wall-clock limit passed
  "output-limit", // it wrote more than the output cap
  "memory-limit", // its memory passed the cap
  "cpu-limit", // it used more CPU time than allowed
  "compile-error", // the program did not compile
  "start-failed", // the server could not start it (no room for its files, no sandbox)
  "unwatched", // nobody was watching any more (the browser went away)
  "server-shutdown", // the sandbox server is stopping
  "superseded", // a newer run of the same exercise started from a clean slate
]);

/** What a waiting run waits for: a free slot, memory or cores the running programs hold, or its turn behind others. */
export const WaitingForSchema = z.enum(["slot", "memory", "cpu", "turn"]);
export type WaitingFor = z.infer<typeof WaitingForSchema>;

export const QueuedEventSchema = z.object({
  type: z.literal("queued"),
  /** The server is full: the run waits; 1 means it is next. */
  position: z.number().int().min(1),
  /** Why it waits (absent from older servers). */
  waitingFor: WaitingForSchema.optional(),
});

export const StdoutEventSchema = z.object({ type: z.literal("stdout"), data: z.string() });
export const StderrEventSchema = z.object({ type: z.literal("stderr"), data: z.string() });

export const ExitEventSchema = z.object({
  type: z.literal("exit"),
  /** The program's exit code, or null when it was killed. */
  code: z.number().int().nullable(),
  reason: ExitReasonSchema,
  durationMs: z.number().int(),
  /** One sentence for the learner. */
  message: z.string(),
});

export const RunEventSchema = z.discriminatedUnion("type", [QueuedEventSchema, StdoutEventSchema, StderrEventSchema, ExitEventSchema]);

export type ExitReason = z.infer<typeof ExitReasonSchema>;
export type RunEvent = z.infer<typeof RunEventSchema>;
export type ExitEvent = z.infer<typeof ExitEventSchema>;
