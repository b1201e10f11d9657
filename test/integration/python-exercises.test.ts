// The course's Python exercises, against the real broker and through the API as a learner would: each
// Python solution passes the same checkpoint as the TypeScript one, each starter and each plausible wrong
// program (wrong/<mistake>.py: its first line says what is wrong, its second what the verdict says) fails it with a message naming the
// mistake, and a Python producer and a TypeScript consumer (or the reverse) pass together: they share a topic.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { courseExercises } from "../support/sandbox-client.ts";
import { runAndGrade } from "../support/run-and-grade.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
const catalog = await courseExercises();
const pythonExercises = [...catalog.values()].filter((exercise) => exercise.languages.includes("python"));
let sandbox: TestServer;

const code = (id: string, language: "typescript" | "python", which: "starter" | "solution") => catalog.get(id)!.code[language]![which];
const entry = { typescript: "main.ts", python: "main.py" } as const;

/** The exercise's wrong programs: [file name, what the first line says the checkpoint answers, code]. */
async function wrongPrograms(id: string): Promise<[string, string, string][]> {
  const dir = path.join(loadConfig().contentDir, catalog.get(id)!.lesson, "exercises", id, "wrong");
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith(".py")).sort();
  return Promise.all(
    names.map(async (name): Promise<[string, string, string]> => {
      const text = await readFile(path.join(dir, name), "utf8");
      // As for wrong/*.ts: the first line says what is wrong, the second what the verdict must say.
      const [mistake, second] = text.split("\n", 2);
      const says = /^# The checkpoint says: (.+)$/.exec(second ?? "")?.[1]?.trim();
      if (!/^# \S/.test(mistake!) || !says)
        throw new Error(`${name}: start with "# <what is wrong>", then "# The checkpoint says: <words of the verdict>".`);
      return [name, says, text];
    }),
  );
}

/** A new learner who has done the exercises this one comes after, in `language`. */
async function learnerReadyFor(id: string, language: "typescript" | "python") {
  const learner = sandbox.learner();
  for (const before of catalog.get(id)!.after) {
    const { verdict, output } = await runAndGrade(learner, before, code(before, language, "solution"), {
      entry: entry[language],
      patienceMs: 30_000,
    });
    expect(verdict.status, `${before} (done before ${id}) in ${language}: ${verdict.message}\n${output}`).toBe("pass");
  }
  return learner;
}

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
});

afterAll(async () => {
  await sandbox?.close();
});

it("offers the first lesson and the decoupling exercise in Python", () => {
  expect(pythonExercises.map((exercise) => exercise.id).sort()).toEqual(["first-consumer", "first-producer", "two-targets"]);
});

describe.each(pythonExercises.map((e) => [e.id] as const))("Python exercise %s", (id) => {
  it("passes its checkpoint with the Python solution", { timeout: 120_000 }, async () => {
    const learner = await learnerReadyFor(id, "python");
    const { verdict, output } = await runAndGrade(learner, id, code(id, "python", "solution"), { entry: "main.py", patienceMs: 45_000 });
    expect(verdict.status, `${verdict.message}\n--- program output ---\n${output}`).toBe("pass");
  });

  it("fails its checkpoint with the untouched Python starter", { timeout: 120_000 }, async () => {
    const learner = await learnerReadyFor(id, "python");
    const { verdict, output } = await runAndGrade(learner, id, code(id, "python", "starter"), { entry: "main.py", patienceMs: 20_000 });
    expect(verdict.status, `the starter passed: ${verdict.message}\n${output}`).toBe("fail");
  });

  it("has at least two plausible wrong Python programs", async () => {
    expect((await wrongPrograms(id)).length).toBeGreaterThanOrEqual(2);
  });

  it("fails each wrong Python program with a message naming the mistake", { timeout: 240_000 }, async () => {
    for (const [name, says, program] of await wrongPrograms(id)) {
      const learner = await learnerReadyFor(id, "python");
      const { verdict, output } = await runAndGrade(learner, id, program, { entry: "main.py", patienceMs: 15_000 });
      expect(verdict.status, `${name} passed: ${verdict.message}\n${output}`).toBe("fail");
      expect(verdict.message, `${name}\n${output}`).toContain(says);
    }
  });
});

it("tells a Python program that Kafka refused it a name outside the namespace, as it tells a TypeScript one", { timeout: 60_000 }, async () => {
  const program = (await wrongPrograms("first-producer")).find(([name]) => name === "bare-topic-name.py")![2];
  const { output } = await runAndGrade(sandbox.learner(), "first-producer", program, { entry: "main.py", patienceMs: 20_000 });
  expect(output).toContain("Kafka refused it access. Name topics with topic() and groups with group()");
});

describe("a producer and a consumer in different languages", () => {
  it.each([
    ["Python", "TypeScript", "python", "typescript"],
    ["TypeScript", "Python", "typescript", "python"],
  ] as const)("pass together: a %s producer, a %s consumer", { timeout: 120_000 }, async (_, __, producerLanguage, consumerLanguage) => {
    const learner = sandbox.learner();
    const produced = await runAndGrade(learner, "first-producer", code("first-producer", producerLanguage, "solution"), {
      entry: entry[producerLanguage],
      patienceMs: 30_000,
    });
    expect(produced.verdict.status, produced.output).toBe("pass");
    const consumed = await runAndGrade(learner, "first-consumer", code("first-consumer", consumerLanguage, "solution"), {
      entry: entry[consumerLanguage],
      patienceMs: 45_000,
    });
    expect(consumed.verdict.status, `${consumed.verdict.message}\n${consumed.output}`).toBe("pass");
    // The consumer printed what the other language's producer wrote, key and value alike.
    expect(consumed.output).toContain("10: message 10");
  });
});
