// Exercises offered in Python too: the catalog reads starter.py and solution.py beside the TypeScript files.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { loadExerciseCatalog } from "../../sandbox-server/src/exercises/index.ts";

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function exerciseWith(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "tributary-python-content-"));
  roots.push(root);
  const dir = path.join(root, "part", "lesson", "exercises", "bilingual");
  await mkdir(dir, { recursive: true });
  const checkpoint = JSON.stringify({ title: "t", checks: [{ type: "topic-exists", topic: "messages" }] });
  const meta = JSON.stringify({ title: "Bilingual", topics: { messages: {} } });
  for (const [name, text] of Object.entries({
    "starter.ts": "// start",
    "solution.ts": "// solved",
    "exercise.json": meta,
    "checkpoint.json": checkpoint,
    ...files,
  })) {
    await writeFile(path.join(dir, name), text);
  }
  return root;
}

describe("exercises in Python", () => {
  it("offers an exercise in Python when it has starter.py and solution.py, TypeScript first", async () => {
    const exercise = (await loadExerciseCatalog(await exerciseWith({ "starter.py": "# start", "solution.py": "# solved" }))).get("bilingual")!;
    expect(exercise.languages).toEqual(["typescript", "python"]);
    expect(exercise.code.python).toEqual({ starter: "# start", solution: "# solved" });
    expect(exercise.starter).toBe("// start");
  });

  it("offers a TypeScript-only exercise in TypeScript only", async () => {
    expect((await loadExerciseCatalog(await exerciseWith({}))).get("bilingual")!.languages).toEqual(["typescript"]);
  });

  it("refuses a Python starter without a Python solution, naming the missing file", async () => {
    await expect(loadExerciseCatalog(await exerciseWith({ "starter.py": "# start" }))).rejects.toThrow(/has starter\.py but no solution\.py/);
  });

  it("offers the course's first producer, first consumer and two-targets in Python", async () => {
    const catalog = await loadExerciseCatalog(loadConfig().contentDir);
    for (const id of ["first-producer", "first-consumer", "two-targets"]) expect(catalog.get(id)!.languages).toContain("python");
  });
});
