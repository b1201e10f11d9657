// The one result contract every checkpoint returns (after Exercism's test-runner results), versioned.
import { z } from "@hono/zod-openapi";
import { LanguageSchema } from "./language-schema.ts";
import { ExitReasonSchema } from "./run-events.ts";

/** 2: a verdict names the run it judged (`run`) and may carry a `note` about it. */
export const VERDICT_VERSION = 2;

export const CheckStatusSchema = z.enum(["pass", "fail"]);

export const CheckResultSchema = z.object({
  /** What was checked, e.g. "Topic `messages` exists". */
  title: z.string(),
  status: CheckStatusSchema,
  /** What was found, and on failure what to do next, in a learner's words. */
  message: z.string(),
});

/** The run of the learner's program a verdict judged: the latest that ran. */
export const JudgedRunSchema = z
  .object({
    id: z.string(),
    language: LanguageSchema,
    startedAt: z.string(),
    /** Absent while the run is still going. */
    endedAt: z.string().optional(),
    /** Why it ended; absent while it is still going. */
    outcome: ExitReasonSchema.optional(),
    /** The run started with the exercise's topics and groups made anew. */
    freshSlate: z.boolean(),
  })
  .openapi("JudgedRun");

export const VerdictSchema = z
  .object({
    version: z.literal(VERDICT_VERSION),
    exerciseId: z.string(),
    status: z.enum(["pass", "fail", "error"]).openapi({
      description: "error: the checkpoint could not be graded (Kafka did not answer); it is never stored",
    }),
    message: z.string(),
    checks: z.array(CheckResultSchema),
    gradedAt: z.string(),
    run: JudgedRunSchema.optional().openapi({ description: "The run whose work was judged; absent when the learner has not run the exercise" }),
    note: z.string().optional().openapi({ description: "Something to know about what was judged, e.g. that the latest run did not compile" }),
  })
  .openapi("Verdict");

export type CheckStatus = z.infer<typeof CheckStatusSchema>;
export type CheckResult = z.infer<typeof CheckResultSchema>;
export type Verdict = z.infer<typeof VerdictSchema>;
export type JudgedRun = z.infer<typeof JudgedRunSchema>;
