import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { loadExerciseCatalog, parseHints } from "../../sandbox-server/src/exercises/index.ts";

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A content folder holding the given exercise files under part/lesson/exercises/<id>/. */
async function contentWith(exercises: Record<string, Record<string, string>>, lesson = "part/lesson"): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "tributary-content-"));
  roots.push(root);
  for (const [id, files] of Object.entries(exercises)) {
    const dir = path.join(root, lesson, "exercises", id);
    await mkdir(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  }
  return root;
}

const valid = {
  "starter.ts": "// start",
  "solution.ts": "// solved",
  "exercise.json": JSON.stringify({ title: "Valid", topics: { messages: {} } }),
  "checkpoint.json": JSON.stringify({ title: "t", checks: [{ type: "topic-exists", topic: "messages" }] }),
};

describe("the exercise catalog", () => {
  it("reads the course's own exercises, with hints and checkpoints", async () => {
    const catalog = await loadExerciseCatalog(loadConfig().contentDir);
    const producer = catalog.get("first-producer");
    expect(producer).toMatchObject({ lesson: "kafka-basics/first-producer-consumer", timeLimitSeconds: 60 });
    expect(producer?.hints.length).toBeGreaterThanOrEqual(2);
    expect(producer?.checkpoint.checks.map((c) => c.type)).toEqual(["topic-exists", "records-include"]);
    expect(catalog.get("first-consumer")?.checkpoint.reads.groups).toContainEqual({ group: "message-readers", topic: "messages" });
  });

  it("splits hints.md on lines that hold only ---", () => {
    expect(parseHints("First `hint`.\n---\nSecond\nhint.\n---\n\n")).toEqual(["First `hint`.", "Second\nhint."]);
  });

  it("uses the folder name as the title when exercise.json is missing", async () => {
    const { "exercise.json": _, ...plain } = valid;
    const graded = { ...plain, "checkpoint.json": JSON.stringify({ title: "t", grader: "grader.ts" }), "grader.ts": "export default () => [];" };
    const catalog = await loadExerciseCatalog(await contentWith({ "plain-one": graded }));
    expect(catalog.get("plain-one")).toMatchObject({ title: "plain-one", hints: [], timeLimitSeconds: undefined });
  });

  it("names the exercise and the missing file when a solution is missing", async () => {
    const { "solution.ts": _, ...noSolution } = valid;
    await expect(loadExerciseCatalog(await contentWith({ broken: noSolution }))).rejects.toThrow(/Exercise broken .* has no solution\.ts/);
  });

  it("names the file and the field when a checkpoint is malformed", async () => {
    const bad = { ...valid, "checkpoint.json": JSON.stringify({ title: "t", checks: [{ type: "topic-record-count", topic: "messages" }] }) };
    await expect(loadExerciseCatalog(await contentWith({ bad }))).rejects.toThrow(/checkpoint\.json is not a valid checkpoint\.json:[\s\S]*atLeast/);
  });

  it("says so when a checkpoint is not JSON", async () => {
    await expect(loadExerciseCatalog(await contentWith({ bad: { ...valid, "checkpoint.json": "{ nope" } }))).rejects.toThrow(/is not valid JSON/);
  });

  it("refuses folder names that cannot be exercise ids", async () => {
    await expect(loadExerciseCatalog(await contentWith({ "Has Spaces": valid }))).rejects.toThrow(/lowercase letters, digits and '-'/);
  });

  it("reads a checkpoint with a grader module and what it reads, and wrong programs with the mistake they make", async () => {
    const root = await contentWith({
      etl: {
        ...valid,
        "exercise.json": JSON.stringify({ title: "ETL", topics: { "page-views": {}, "page-views-clean": {} }, groups: ["etl"] }),
        "checkpoint.json": JSON.stringify({
          title: "t",
          reads: { topics: ["page-views", "page-views-clean"], groups: [{ group: "etl", topic: "page-views" }] },
          grader: "grader.ts",
        }),
        "grader.ts": "export default () => [];",
      },
    });
    await mkdir(path.join(root, "part/lesson/exercises/etl/wrong"));
    await writeFile(
      path.join(root, "part/lesson/exercises/etl/wrong/copies.ts"),
      "// Copies the raw view.\n// The checkpoint says: still has\ncode();\n",
    );
    const etl = (await loadExerciseCatalog(root)).get("etl")!;
    expect(etl.checkpoint).toMatchObject({ checks: [], reads: { groups: [{ group: "etl", topic: "page-views" }] } });
    expect(etl.graderFile).toBe(path.join(root, "part/lesson/exercises/etl/grader.ts"));
    expect(etl.wrong).toEqual([
      {
        name: "copies",
        language: "typescript",
        file: "copies.ts",
        mistake: "Copies the raw view.",
        verdictSays: "still has",
        code: expect.stringContaining("code();"),
      },
    ]);
  });

  it("refuses a checkpoint naming a grader that is not there, and a wrong program that does not say its mistake", async () => {
    const missing = { ...valid, "checkpoint.json": JSON.stringify({ title: "t", grader: "grader.ts" }) };
    await expect(loadExerciseCatalog(await contentWith({ missing }))).rejects.toThrow(/names the grader grader\.ts, which is not there/);
    const root = await contentWith({ quiet: valid });
    await mkdir(path.join(root, "part/lesson/exercises/quiet/wrong"));
    await writeFile(path.join(root, "part/lesson/exercises/quiet/wrong/oops.ts"), "code();\n");
    await expect(loadExerciseCatalog(root)).rejects.toThrow(/wrong\/oops\.ts must start with a \/\/ comment/);
  });

  it("reads wrong programs in every language offered, each with its own comment, and hints per language", async () => {
    const root = await contentWith({
      both: {
        ...valid,
        "starter.py": "# start",
        "solution.py": "# solved",
        "hints.md": "Call producer.send.\n---\nAwait it.",
        "hints.python.md": "Call producer.send(...).\n---\nThen producer.flush().",
      },
    });
    const wrong = path.join(root, "part/lesson/exercises/both/wrong");
    await mkdir(wrong);
    await writeFile(path.join(wrong, "no-flush.py"), "# Never flushes.\n# The checkpoint says: holds no messages\nsend()\n");
    await writeFile(path.join(wrong, "no-await.ts"), "// Never awaits.\n// The checkpoint says: no message\nsend();\n");
    const both = (await loadExerciseCatalog(root)).get("both")!;
    expect(both.wrong.map(({ file, language, mistake, verdictSays }) => ({ file, language, mistake, verdictSays }))).toEqual([
      { file: "no-await.ts", language: "typescript", mistake: "Never awaits.", verdictSays: "no message" },
      { file: "no-flush.py", language: "python", mistake: "Never flushes.", verdictSays: "holds no messages" },
    ]);
    expect(both.hintsByLanguage).toEqual({
      typescript: ["Call producer.send.", "Await it."],
      python: ["Call producer.send(...).", "Then producer.flush()."],
    });
    await writeFile(path.join(wrong, "in-sql.sql"), "-- Not offered in SQL.\nSELECT 1;\n");
    await expect(loadExerciseCatalog(root)).rejects.toThrow(/wrong\/in-sql\.sql is in no language the exercise is offered in/);
  });

  it("gives each topic and group one owner, and lets a checkpoint read only its own or an earlier exercise's", async () => {
    const reader = (after: string[]) => ({
      ...valid,
      "exercise.json": JSON.stringify({ title: "Reader", after, groups: ["readers"] }),
      "checkpoint.json": JSON.stringify({ title: "t", checks: [{ type: "group-caught-up", group: "readers", topic: "messages" }] }),
    });
    const ordered = (await loadExerciseCatalog(await contentWith({ producer: valid, consumer: reader(["producer"]) }))).get("consumer")!;
    expect(ordered.owns).toEqual({ topics: {}, groups: ["readers"] });
    await expect(loadExerciseCatalog(await contentWith({ producer: valid, consumer: reader([]) }))).rejects.toThrow(
      /consumer: its checkpoint reads topic `messages`, which exercise producer owns; add "producer" to its "after"/,
    );
    await expect(loadExerciseCatalog(await contentWith({ one: valid, two: valid }))).rejects.toThrow(
      /Exercises one and two both own topic `messages`/,
    );
    const stray = { ...valid, "checkpoint.json": JSON.stringify({ title: "t", checks: [{ type: "topic-exists", topic: "elsewhere" }] }) };
    await expect(loadExerciseCatalog(await contentWith({ stray }))).rejects.toThrow(/reads topic `elsewhere`, which no exercise owns/);
  });

  it("refuses two exercises with the same id in different lessons", async () => {
    const root = await contentWith({ twin: valid }, "part/one");
    const other = path.join(root, "part/two/exercises/twin");
    await mkdir(other, { recursive: true });
    for (const [name, text] of Object.entries(valid)) await writeFile(path.join(other, name), text);
    await expect(loadExerciseCatalog(root)).rejects.toThrow(/Two exercises share the id "twin"/);
  });
});
