// The exercises of the first lessons (a first producer and consumer, two targets, the ETL lab, the
// benchmark), live through the API as learners would, in every language each is offered in: the solution
// passes after the starter ran, after each wrong program ran (which fails, naming its mistake), twice in
// a row, and after every other exercise of these lessons ran first, in course order and in reverse, on
// one learner; and a program in one language passes after, or beside, one in the other.
// Each wait ends at the program's exit or at the verdict awaited, never at a fixed deadline.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { courseExercises, type LearnerClient } from "../support/sandbox-client.ts";
import { grade, type Verdict } from "../support/run-and-grade.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
const catalog = await courseExercises();
/** The exercises of "Why Kafka" and "Kafka basics", in the course's order. */
const COURSE_ORDER = ["first-producer", "first-consumer", "two-targets", "stream-etl", "measure-producer"];
type Written = "typescript" | "python";
const ENTRY: Record<Written, string> = { typescript: "main.ts", python: "main.py" };
/** The longest a program of these exercises is waited for: a backstop, not a pace. */
const BACKSTOP_MS = 60_000;
let sandbox: TestServer;

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
});

afterAll(async () => {
  await sandbox?.close();
});

const exercise = (id: string) => catalog.get(id)!;
const offered = (id: string) => exercise(id).languages.filter((language): language is Written => language !== "sql");
const code = (id: string, language: Written, which: "starter" | "solution") => exercise(id).code[language]![which];
/** The language to write `id` in when a learner prefers `language`: TypeScript where it is the only one. */
const inLanguage = (id: string, language: Written): Written => (offered(id).includes(language) ? language : "typescript");

const passes = (verdict: Verdict) => verdict.status === "pass";
const failsWith = (words: string) => (verdict: Verdict) => verdict.status === "fail" && verdict.message.includes(words);

/**
 * Runs `program` and grades the exercise until the verdict is `awaited` or the program has ended; stops
 * a program still running (a consumer runs until stopped), and grades once more after its exit.
 */
async function attempt(learner: LearnerClient, id: string, program: string, language: Written, awaited: (verdict: Verdict) => boolean) {
  const run = await learner.startRun(id, program, ENTRY[language]);
  let ended = false;
  const reading = learner.readRun(run.eventsUrl).then((out) => ((ended = true), out));
  const backstop = Date.now() + BACKSTOP_MS;
  while (!ended && Date.now() < backstop && !awaited(await grade(learner, id))) await new Promise((resolve) => setTimeout(resolve, 250));
  if (!ended) await learner.request("DELETE", `/api/runs/${run.id}`);
  const terminal = await reading;
  return { verdict: await grade(learner, id), output: `${terminal.stdout}${terminal.stderr}${terminal.exit.message}` };
}

/** Runs the solution and expects it to pass, whatever ran before. */
async function solve(learner: LearnerClient, id: string, language: Written, after: string) {
  const { verdict, output } = await attempt(learner, id, code(id, language, "solution"), language, passes);
  expect(verdict.status, `${id}'s ${language} solution after ${after}: ${verdict.message}\n--- output ---\n${output}`).toBe("pass");
}

/** A new learner who has done the exercises `id` comes after, in `language`. */
async function learnerReadyFor(id: string, language: Written): Promise<LearnerClient> {
  const learner = sandbox.learner();
  for (const before of exercise(id).after) await solve(learner, before, inLanguage(before, language), `nothing (it comes before ${id})`);
  return learner;
}

it("covers every exercise of the two parts", () => {
  const ours = [...catalog.values()].filter((e) => /^(why-kafka|kafka-basics)\//.test(e.lesson)).map((e) => e.id);
  expect(ours.sort()).toEqual([...COURSE_ORDER].sort());
});

const cases = COURSE_ORDER.flatMap((id) => offered(id).map((language) => [id, language] as const));

describe.concurrent.each(cases)("%s in %s", (id, language) => {
  it("passes with the solution twice in a row", { timeout: 180_000 }, async () => {
    const learner = await learnerReadyFor(id, language);
    await solve(learner, id, language, "nothing");
    await solve(learner, id, language, "the solution");
  });

  it("fails with the untouched starter for the reason the exercise names, then passes with the solution", { timeout: 180_000 }, async () => {
    const learner = await learnerReadyFor(id, language);
    const words = exercise(id).starterFailsWith!;
    const { verdict, output } = await attempt(learner, id, code(id, language, "starter"), language, failsWith(words));
    expect(verdict.status, `the ${language} starter passed: ${verdict.message}\n${output}`).toBe("fail");
    expect(verdict.message, output).toContain(words);
    await solve(learner, id, language, "the starter");
  });

  const wrong = exercise(id).wrong.filter((program) => program.language === language);
  it("has at least two wrong programs", () => {
    expect(wrong.length).toBeGreaterThanOrEqual(2);
  });

  it.each(wrong.map((program) => [program.file, program] as const))(
    "fails wrong/%s, naming its mistake, then passes with the solution",
    { timeout: 180_000 },
    async (_file, program) => {
      expect(program.verdictSays, `wrong/${program.file} has no "The checkpoint says:" line`).toBeTruthy();
      const learner = await learnerReadyFor(id, language);
      const { verdict, output } = await attempt(learner, id, program.code, language, failsWith(program.verdictSays!));
      expect(verdict.status, `${program.mistake} — yet it passed.\n${output}`).toBe("fail");
      expect(verdict.message, `${program.mistake}\n${output}`).toContain(program.verdictSays);
      await solve(learner, id, language, `wrong/${program.file}`);
    },
  );
});

describe.concurrent("one learner runs every exercise of the two parts", () => {
  it.each(["typescript", "python"] as const)(
    "in %s (TypeScript where it is the only language): in course order, then in reverse, each solution passes",
    { timeout: 300_000 },
    async (language) => {
      const learner = sandbox.learner();
      for (const id of [...COURSE_ORDER, ...[...COURSE_ORDER].reverse()]) {
        await solve(learner, id, inLanguage(id, language), "the exercises before it in this walk");
      }
    },
  );
});

describe.concurrent("the two languages mix", () => {
  const other = (language: Written): Written => (language === "python" ? "typescript" : "python");

  it.each(["python", "typescript"] as const)(
    "a %s producer's messages pass the other language's consumer",
    { timeout: 180_000 },
    async (language) => {
      const learner = sandbox.learner();
      await solve(learner, "first-producer", language, "nothing");
      await solve(learner, "first-consumer", other(language), `the ${language} producer`);
    },
  );

  it.each(["two-targets", "stream-etl"])("%s: a solution in one language passes after the other language's", { timeout: 180_000 }, async (id) => {
    const learner = sandbox.learner();
    for (const language of ["python", "typescript", "python"] as const) await solve(learner, id, language, `the ${other(language)} solution`);
  });
});

describe.concurrent("what an earlier run left", () => {
  // A target that reads a fixed number of orders keeps up only while nothing was left unread: the
  // dead end the Python helper once had. The verdict names it, and reading to the end recovers.
  it.each(["typescript", "python"] as const)(
    "two-targets in %s: after the starter, a target that reads five orders fails, naming it; the solution then passes",
    { timeout: 180_000 },
    async (language) => {
      const learner = sandbox.learner();
      await attempt(learner, "two-targets", code("two-targets", language, "starter"), language, failsWith("shipping"));
      const { verdict, output } = await attempt(learner, "two-targets", readsFiveOrders[language], language, failsWith("not a fixed number"));
      expect(verdict.message, output).toContain("Group `shipping` has read none of the 5 orders your latest run wrote");
      await solve(learner, "two-targets", language, "a target that reads five orders");
    },
  );

  it.each(["typescript", "python"] as const)(
    "first-consumer in %s: a consumer stopped by hand catches up on the next run, after the producer ran again",
    { timeout: 180_000 },
    async (language) => {
      const learner = await learnerReadyFor("first-consumer", language);
      await solve(learner, "first-consumer", language, "the producer");
      await solve(learner, "first-producer", language, "the consumer");
      expect((await grade(learner, "first-consumer")).message).toContain("10 messages behind");
      await solve(learner, "first-consumer", language, "the producer ran again");
    },
  );
});

/** The two-targets solution with a shipping target that reads five orders, however many are unread. */
const readsFiveOrders: Record<Written, string> = {
  typescript: code("two-targets", "typescript", "solution").replace(
    'await target("shipping");',
    `const shipping = kafka.consumer({ groupId: group("shipping") });
await shipping.connect();
await shipping.subscribe({ topic: ORDERS, fromBeginning: true });
let read = 0;
await new Promise<void>((done) => {
  void shipping.run({
    eachMessage: async ({ message }) => {
      console.log(\`shipping: \${message.key?.toString()} \${message.value?.toString()}\`);
      if (++read === orders.length) done();
    },
  });
});
await shipping.disconnect();`,
  ),
  python: code("two-targets", "python", "solution").replace(
    'target("shipping")\n',
    `shipping = KafkaConsumer(ORDERS, group_id=group("shipping"), auto_offset_reset="earliest", enable_auto_commit=False, **connection)
for count, message in enumerate(shipping, start=1):
    print(f"shipping: {message.key.decode()} {message.value.decode()}")
    if count == len(orders):
        break
shipping.commit()
shipping.close()
`,
  ),
};

it("builds its five-order targets from the solutions", () => {
  for (const language of ["typescript", "python"] as const) expect(readsFiveOrders[language]).not.toBe(code("two-targets", language, "solution"));
});
