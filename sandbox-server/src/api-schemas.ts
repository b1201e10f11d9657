// Request and response shapes of the HTTP API. They validate every request and generate
// /api/openapi.json, so the API and its documentation cannot drift apart.
import { z } from "@hono/zod-openapi";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string().openapi({ example: "files.main.ts: Required" }),
    }),
  })
  .openapi("Error");

export const ExerciseIdParam = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "An exercise id is lowercase letters, digits and '-'.")
    .openapi({ param: { name: "id", in: "path" }, example: "first-producer" }),
});

export const RunIdParam = z.object({
  id: z.uuid("A run id is a UUID, as returned by POST /api/runs.").openapi({ param: { name: "id", in: "path" } }),
});

const FILE_NAME = /^[A-Za-z0-9_-]{1,64}\.(ts|sql)$/;

export const StartRunBody = z
  .object({
    exerciseId: ExerciseIdParam.shape.id,
    files: z
      .record(z.string().regex(FILE_NAME), z.string(), {
        // Without this, zod says only "Invalid key in record".
        error: (issue) =>
          issue.code === "invalid_key"
            ? `"${String(issue.input)}" is not a valid file name. File names are like main.ts: letters, digits, '_' or '-', ending in .ts (or .sql for a SQL exercise).`
            : undefined,
      })
      .refine((files) => "main.ts" in files || "main.sql" in files, "files must include main.ts, the program's entry point (main.sql for a SQL exercise).")
      .refine((files) => Object.keys(files).length <= 10, "At most 10 files per run.")
      .openapi({ example: { "main.ts": 'console.log("hello")' } }),
  })
  .openapi("StartRun");

export const RunCreatedSchema = z
  .object({
    id: z.uuid(),
    eventsUrl: z.string().openapi({ example: "/api/runs/0f6e.../events" }),
  })
  .openapi("RunCreated");

export const RunStoppedSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(["stopping", "finished"]),
  })
  .openapi("RunStopped");

export const CheckResultSchema = z.object({
  title: z.string(),
  status: z.enum(["pass", "fail"]),
  message: z.string(),
});

export const VerdictSchema = z
  .object({
    version: z.literal(1),
    exerciseId: z.string(),
    status: z.enum(["pass", "fail", "error"]),
    message: z.string(),
    checks: z.array(CheckResultSchema),
    gradedAt: z.string(),
  })
  .openapi("Verdict");

export const ProgressSchema = z
  .object({
    verdicts: z.array(
      z.object({
        exerciseId: z.string(),
        status: z.enum(["pass", "fail"]),
        message: z.string(),
        checks: z.array(CheckResultSchema),
        gradedAt: z.string(),
        firstPassedAt: z.string().nullable(),
      }),
    ),
  })
  .openapi("Progress");

export const SolutionSchema = z
  .object({ id: z.string(), solution: z.string().openapi({ description: "The exercise's solution, as main.ts" }) })
  .openapi("Solution");

export const LearnerSchema = z
  .object({
    namespace: z.string().openapi({ example: "l3f9a0c2d71be-", description: "Prefix of every topic and group this learner may use" }),
    brokerEnforced: z
      .boolean()
      .openapi({ description: "True when the broker's ACLs confine the learner to the namespace; false when only names keep learners apart" }),
  })
  .openapi("Learner");

export const ExerciseSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    lesson: z.string(),
    starter: z.string(),
    hints: z.array(z.string()),
    checkpoint: z.object({ title: z.string() }),
    /** What the learner writes: TypeScript, or Flink SQL. */
    language: z.enum(["typescript", "sql"]),
  })
  .openapi("Exercise");

export const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    kafka: z.object({
      reachable: z.boolean(),
      bootstrap: z.array(z.string()),
      brokers: z.number().int(),
      latencyMs: z.number(),
      error: z.string().optional(),
    }),
    runs: z.object({
      alive: z.number().int(),
      isolation: z.enum(["sandbox", "process"]).openapi({ description: "sandbox: each run in an OS sandbox; process: a plain Node process" }),
      warmSandboxes: z.number().int().openapi({ description: "Sandboxes started and waiting for a run" }),
      note: z.string().optional(),
    }),
  })
  .openapi("Health");
