// The JSON Schemas of exercise.json and checkpoint.json, made from the zod schemas the catalog validates
// with: what an author's editor checks as they type (content/schemas/, written by `npm run schemas`).
import { z } from "zod";
import { checkpointSpecSchema } from "./checkpoint-spec.ts";
import { exerciseSpecSchema } from "./exercise-spec.ts";

/** Each file's schema as an author writes the file: defaults may be left out. */
export function exerciseFileSchemas(): Record<"exercise" | "checkpoint", Record<string, unknown>> {
  const asWritten = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { exercise: asWritten(exerciseSpecSchema), checkpoint: asWritten(checkpointSpecSchema) };
}
