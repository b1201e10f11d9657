// Request and response shapes of the HTTP API. They validate every request and generate
// /api/openapi.json, so the API and its documentation cannot drift apart.
import { z } from "@hono/zod-openapi";
import { CheckResultSchema } from "./verdict.ts";
import { EXERCISE_ID_PATTERN, EXERCISE_ID_RULE } from "./ids.ts";
import { ExitReasonSchema } from "./run-events.ts";
import { ENTRY_FILES, LANGUAGES, LANGUAGE_IDS, entryFile, listWithOr } from "./languages.ts";
import { LanguageSchema } from "./language-schema.ts";

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
    .regex(EXERCISE_ID_PATTERN, EXERCISE_ID_RULE)
    .openapi({ param: { name: "id", in: "path" }, example: "first-producer" }),
});

export const RunIdParam = z.object({
  id: z.uuid("A run id is a UUID, as returned by POST /api/runs.").openapi({ param: { name: "id", in: "path" } }),
});

const FILE_NAME = new RegExp(`^[A-Za-z0-9_-]{1,64}\\.(${LANGUAGE_IDS.map((language) => LANGUAGES[language].extension).join("|")})$`);
/** A run's entry point names its language. */
const ENTRY_LIST = listWithOr(ENTRY_FILES);

export const StartRunBody = z
  .object({
    exerciseId: ExerciseIdParam.shape.id,
    files: z
      .record(z.string().regex(FILE_NAME), z.string(), {
        // Without this, zod says only "Invalid key in record".
        error: (issue) =>
          issue.code === "invalid_key"
            ? `"${String(issue.input)}" is not a valid file name. File names are like ${ENTRY_LIST}: letters, digits, '_' or '-', ending in ${listWithOr(LANGUAGE_IDS.map((language) => `.${LANGUAGES[language].extension}`))}.`
            : undefined,
      })
      .refine(
        (files) => ENTRY_FILES.some((entry) => entry in files),
        `files must include the program's entry point: ${listWithOr(LANGUAGE_IDS.map((language) => `${entryFile(language)} (${LANGUAGES[language].label})`))}.`,
      )
      .refine((files) => Object.keys(files).length <= 10, "At most 10 files per run.")
      // The refinements above, said in JSON Schema, so the document allows exactly what the server takes.
      .openapi({
        example: { "main.ts": 'console.log("hello")' },
        anyOf: ENTRY_FILES.map((entry) => ({ required: [entry] })),
        maxProperties: 10,
        // Passed through to the document as is; the metadata type does not list JSON Schema's propertyNames.
        ...({ propertyNames: { pattern: FILE_NAME.source } } as object),
      }),
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

export const SolutionQuery = z.object({
  language: LanguageSchema.optional().openapi({ param: { name: "language", in: "query" }, example: "python" }),
});

export const SolutionSchema = z
  .object({
    id: z.string(),
    language: LanguageSchema,
    solution: z.string().openapi({ description: "The exercise's solution, as main.ts or main.py" }),
  })
  .openapi("Solution");

export const LearnerSchema = z
  .object({
    namespace: z.string().openapi({ example: "l3f9a0c2d71be-", description: "Prefix of every topic and group this learner may use" }),
    brokerEnforced: z
      .boolean()
      .openapi({ description: "True when the broker's ACLs confine the learner to the namespace; false when only names keep learners apart" }),
  })
  .openapi("Learner");

/** The Kafka topics and groups an exercise owns in each learner's namespace, and whether each run starts afresh. */
export const ExerciseSlateSchema = z
  .object({
    topics: z.array(z.string()).openapi({ description: "Topics this exercise owns, named as the lesson names them" }),
    groups: z.array(z.string()).openapi({ description: "Consumer groups this exercise owns" }),
    freshEachRun: z.boolean().openapi({ description: "True when every run starts with the exercise's topics and groups deleted and made anew" }),
  })
  .openapi("ExerciseSlate");

export const ExerciseSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    lesson: z.string(),
    starter: z.string(),
    /** Every language the exercise is offered in, and its starter in each. */
    languages: z.array(LanguageSchema),
    starters: z.partialRecord(LanguageSchema, z.string()),
    hints: z.array(z.string()).openapi({ description: "Hints for the exercise's main language" }),
    hintsByLanguage: z.partialRecord(LanguageSchema, z.array(z.string())).openapi({ description: "Hints in each language offered" }),
    checkpoint: z.object({ title: z.string() }),
    /** What the learner mainly writes: TypeScript (perhaps Python too), or Flink SQL. */
    language: z.enum(["typescript", "sql"]),
    slate: ExerciseSlateSchema,
    /** Where runs reach Kafka: the course's brokers, or the learner's own lab cluster (see /api/lab). */
    cluster: z.enum(["course", "lab"]),
  })
  .openapi("Exercise");

export const ExerciseResetSchema = z
  .object({
    exerciseId: z.string(),
    deleted: z.object({
      topics: z.array(z.string()).openapi({ description: "Topics deleted, named as the lesson names them" }),
      groups: z.array(z.string()).openapi({ description: "Consumer groups deleted, named as the lesson names them" }),
    }),
    stoppedRuns: z.number().int().openapi({ description: "This learner's runs of the exercise that were stopped first" }),
  })
  .openapi("ExerciseReset");

const CanarySchema = z.object({ ok: z.boolean(), durationMs: z.number(), error: z.string().optional() });

export const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    kafka: z.object({
      reachable: z.boolean(),
      bootstrap: z.array(z.string()),
      brokers: z.number().int(),
      latencyMs: z.number(),
      error: z.string().optional(),
      nodes: z
        .array(z.object({ address: z.string(), up: z.boolean() }))
        .openapi({ description: "Each bootstrap broker, and whether its port takes connections now" }),
    }),
    runs: z.object({
      alive: z.number().int(),
      warmByLanguage: z
        .partialRecord(LanguageSchema, z.number().int())
        .openapi({ description: "Processes started and waiting for a run, per language" }),
      languages: z
        .partialRecord(LanguageSchema, z.object({ ok: z.boolean().nullable(), note: z.string().optional(), canary: CanarySchema.optional() }))
        .openapi({
          description:
            "Whether each language the server offers runs: its check's result (null: not checked yet; SQL is checked once a learner opens a SQL exercise)",
        }),
      classData: z
        .string()
        .optional()
        .openapi({ description: "The Flink SQL runner's class-data archive: absent, checking, making, ready or failed" }),
      isolation: z.enum(["sandbox", "process"]).openapi({ description: "sandbox: each run in an OS sandbox; process: a plain Node process" }),
      warmSandboxes: z.number().int().openapi({ description: "Sandboxes started and waiting for a run" }),
      note: z.string().optional(),
      canary: CanarySchema.optional().openapi({
        description: "The program the server ran through the sandbox at start: whether it ran, and why not",
      }),
    }),
    labs: z
      .object({ offered: z.boolean(), labs: z.number().int(), running: z.number().int(), waiting: z.number().int() })
      .optional()
      .openapi({ description: "Fault labs: how many may run at once (TRIBUTARY_LABS), run now, and wait for a place" }),
    compiler: z
      .object({
        ok: z.boolean(),
        crashes: z.number().int().openapi({ description: "Times the shared compiler died and was restarted since the server started" }),
        lastCrash: z.string().optional(),
        error: z.string().optional(),
      })
      .openapi({ description: "Whether a tiny program compiles now" }),
    progress: z
      .object({ ok: z.boolean(), store: z.string(), error: z.string().optional() })
      .openapi({ description: "Whether the progress store can be read and written now" }),
  })
  .openapi("Health");

/** What each server-sent event of a run carries in its data (the event's type is its `event:` field). */
export const RunEventDataSchema = z
  .union([
    z.object({ position: z.number().int().min(1) }).openapi({ description: "event: queued" }),
    z.object({ data: z.string() }).openapi({ description: "event: stdout or stderr" }),
    z
      .object({
        code: z.number().int().nullable(),
        reason: ExitReasonSchema,
        durationMs: z.number().int(),
        message: z.string(),
      })
      .openapi({ description: "event: exit, always the last" }),
  ])
  .openapi("RunEventData");

/** One server-sent event of a run, as a client parses it: its type, its sequence number, its data as JSON. */
export const RunServerSentEventSchema = z
  .object({
    event: z.enum(["queued", "stdout", "stderr", "exit"]),
    id: z.string().regex(/^\d+$/).openapi({ description: "The event's sequence number; send it back as Last-Event-ID to resume" }),
    data: z.string().openapi({ description: "One RunEventData (see components), as JSON" }),
  })
  .openapi("RunServerSentEvent");
