// Writes the JSON Schemas of an exercise's two files, exercise.json and checkpoint.json, from the zod schemas
// the server validates them with, so an author's editor checks and explains every field as they type.
// `npm run schemas` after a change to either schema; a unit test fails while the files are out of date.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { exerciseFileSchemas } from "../sandbox-server/src/exercises/index.ts";

const folder = path.join(import.meta.dirname, "..", "content", "schemas");
for (const [name, schema] of Object.entries(exerciseFileSchemas())) {
  const file = path.join(folder, `${name}.schema.json`);
  await writeFile(file, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
