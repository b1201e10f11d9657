// The exercise format explains itself to authors: content/schemas/ holds the JSON Schemas of exercise.json and
// checkpoint.json as the server validates them, every field described, and the files are never behind the code.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { exerciseFileSchemas } from "../../sandbox-server/src/exercises/index.ts";

const schemasDir = path.join(import.meta.dirname, "..", "..", "content", "schemas");

/** Every field of `schema` (at any depth) that carries no description: their paths. */
function undescribed(schema: unknown, at = "$"): string[] {
  if (!schema || typeof schema !== "object") return [];
  const node = schema as Record<string, unknown>;
  const missing: string[] = [];
  for (const [name, field] of Object.entries((node.properties as Record<string, unknown>) ?? {})) {
    const described = (field as { description?: string }).description;
    if (!described) missing.push(`${at}.${name}`);
    missing.push(...undescribed(field, `${at}.${name}`));
  }
  if (node.items) missing.push(...undescribed(node.items, `${at}[]`));
  for (const key of ["oneOf", "anyOf", "allOf"]) {
    for (const [i, branch] of ((node[key] as unknown[]) ?? []).entries()) missing.push(...undescribed(branch, `${at}<${i}>`));
  }
  return missing;
}

describe("the exercise format", () => {
  for (const [name, schema] of Object.entries(exerciseFileSchemas())) {
    it(`${name}.json has a JSON Schema in content/schemas, up to date with the server's`, async () => {
      const committed = JSON.parse(await readFile(path.join(schemasDir, `${name}.schema.json`), "utf8"));
      expect(committed, `content/schemas/${name}.schema.json is out of date: run \`npm run schemas\`.`).toEqual(schema);
    });

    it(`${name}.json describes every field`, () => {
      expect(undescribed(schema)).toEqual([]);
    });
  }

  it("finds a field without a description", () => {
    expect(undescribed({ properties: { a: { type: "string" }, b: { description: "b", items: { properties: { c: {} } } } } })).toEqual([
      "$.a",
      "$.b[].c",
    ]);
  });
});
