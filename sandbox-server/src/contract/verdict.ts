// The one result contract every checkpoint returns (after Exercism's test-runner results), versioned.
import { z } from "@hono/zod-openapi";

export const VERDICT_VERSION = 1;

export const CheckStatusSchema = z.enum(["pass", "fail"]);

export const CheckResultSchema = z.object({
  /** What was checked, e.g. "Topic `messages` exists". */
  title: z.string(),
  status: CheckStatusSchema,
  /** What was found, and on failure what to do next, in a learner's words. */
  message: z.string(),
});

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
  })
  .openapi("Verdict");

export type CheckStatus = z.infer<typeof CheckStatusSchema>;
export type CheckResult = z.infer<typeof CheckResultSchema>;
export type Verdict = z.infer<typeof VerdictSchema>;
