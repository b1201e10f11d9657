// What the course promises across exercises, languages and tabs, live: a producer in one language and a
// consumer in the other pass together; a solution passes after the other language's; a dead end a learner
// could once reach (a target reading a fixed count, a consumer left behind, starter and solution in two tabs,
// starter and solution in one 10-second window) no longer is. The per-exercise checks are in course-*.test.ts.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { entryFile, type Language } from "../../sandbox-server/src/contract/languages.ts";
import { courseExercises, type LearnerClient } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { attempt, failsWith, learnerReadyFor, solve } from "../support/course-attempts.ts";

const kafka = inject("kafkaAccess");
const catalog = await courseExercises();
const exercise = (id: string) => catalog.get(id)!;
const code = (id: string, language: Language, which: "starter" | "solution") => exercise(id).code[language]![which];
const other = (language: Language): Language => (language === "python" ? "typescript" : "python");
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer(kafka);
});

afterAll(async () => {
  await server?.close();
});

describe.concurrent("the two languages mix", () => {
  it.each(["python", "typescript"] as const)(
    "a %s producer's messages pass the other language's consumer",
    { timeout: 180_000 },
    async (language) => {
      const learner = server.learner();
      await solve(learner, exercise("first-producer"), language, "nothing");
      const consumed = await solve(learner, exercise("first-consumer"), other(language), `the ${language} producer`);
      // The consumer printed what the other language's producer wrote, key and value alike.
      expect(consumed.output).toContain("message 10");
    },
  );

  it.each(["two-targets", "stream-etl", "keys-and-ordering"])(
    "%s: a solution in one language passes after the other language's",
    { timeout: 180_000 },
    async (id) => {
      const learner = server.learner();
      for (const language of ["python", "typescript", "python"] as const)
        await solve(learner, exercise(id), language, `the ${other(language)} solution`);
    },
  );

  it("tells a Python program that Kafka refused it a name outside the namespace, as it tells a TypeScript one", { timeout: 60_000 }, async () => {
    const program = exercise("first-producer").wrong.find((wrong) => wrong.file === "bare-topic-name.py")!;
    const { output } = await attempt(server.learner(), "first-producer", program.code, "main.py", failsWith(program.verdictSays!));
    expect(output).toContain("Kafka refused it access. Name topics with topic() and groups with group()");
  });
});

describe.concurrent("what an earlier run left", () => {
  // A target that reads a fixed number of orders keeps up only while nothing was left unread: the dead end
  // the Python program once had. The verdict names it, and reading to the end recovers.
  it.each(["typescript", "python"] as const)(
    "two-targets in %s: after the starter, a target that reads five orders fails, naming it; the solution then passes",
    { timeout: 180_000 },
    async (language) => {
      const learner = server.learner();
      await attempt(learner, "two-targets", code("two-targets", language, "starter"), entryFile(language), failsWith("shipping"));
      const { verdict, output } = await attempt(
        learner,
        "two-targets",
        readsFiveOrders[language],
        entryFile(language),
        // The shipping check's own words: the billing check says the same of billing while billing still reads.
        failsWith("Group `shipping` has read none of the 5 orders your latest run wrote"),
      );
      expect(verdict.message, output).toContain("not a fixed number");
      await solve(learner, exercise("two-targets"), language, "a target that reads five orders");
    },
  );

  it.each(["typescript", "python"] as const)(
    "first-consumer in %s: a consumer stopped by hand catches up on the next run, after the producer ran again",
    { timeout: 180_000 },
    async (language) => {
      const learner = await learnerReadyFor(() => server.learner(), catalog, exercise("first-consumer"), language);
      await solve(learner, exercise("first-consumer"), language, "the producer");
      await solve(learner, exercise("first-producer"), language, "the consumer");
      expect((await learner.grade("first-consumer")).message).toContain("10 messages behind");
      await solve(learner, exercise("first-consumer"), language, "the producer ran again");
    },
  );

  it.each(
    ["first-consumer", "two-targets", "manual-commit", "keys-and-ordering", "surge-pricing"].flatMap((id) =>
      (["typescript", "python"] as const).filter((language) => exercise(id).languages.includes(language)).map((language) => ({ id, language })),
    ),
  )(
    "$id in $language: the solution passes after the starter and the solution ran in two tabs at once",
    { timeout: 300_000 },
    async ({ id, language }) => {
      const learner: LearnerClient = await learnerReadyFor(() => server.learner(), catalog, exercise(id), language);
      const entry = language === "python" ? "main.py" : "main.ts";
      // Both run to their end, or for a few seconds (a consumer runs until stopped), as a learner watches them.
      await Promise.all([
        attempt(learner, id, code(id, language, "starter"), entry, () => false, 8000),
        attempt(learner, id, code(id, language, "solution"), entry, () => false, 8000),
      ]);
      await solve(learner, exercise(id), language, "the starter and the solution in two tabs at once");
    },
  );
});

it("surge-pricing: the solution passes right after the starter, in the same 10-second window of the clock", { timeout: 120_000 }, async () => {
  const learner = server.learner();
  const windowOf = (ms: number) => Math.floor(ms / 10_000);
  // Both programs stamp their requests with the 10-second window they run in. Start at a window's beginning, so
  // both fit in it (a slow machine gets another try at the next window).
  let shared = false;
  for (let tries = 1; tries <= 3 && !shared; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10_000 - (Date.now() % 10_000) + 20));
    const window = windowOf(Date.now());
    const starter = await attempt(
      learner,
      "surge-pricing",
      code("surge-pricing", "typescript", "starter"),
      "main.ts",
      failsWith(exercise("surge-pricing").starterFailsWith!),
    );
    expect(starter.verdict.status).toBe("fail");
    await solve(learner, exercise("surge-pricing"), "typescript", "right after the starter");
    shared = windowOf(Date.now()) === window;
  }
  expect(shared, "the starter and the solution never ran within one 10-second window").toBe(true);
});

/** The two-targets solution with a shipping target that reads five orders, however many are unread. */
const readsFiveOrders: Record<"typescript" | "python", string> = {
  typescript: code("two-targets", "typescript", "solution").replace(
    'await target("shipping");',
    `const shipping = kafka.consumer({ groupId: group("shipping") });
await shipping.connect();
await shipping.subscribe({ topic: ORDERS, fromBeginning: true });
let read = 0;
// It commits where its fifth order ends, and reads no further: kafkajs hands over the rest of a fetched batch.
await new Promise<void>((done) => {
  void shipping.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      if (read === orders.length) return;
      console.log(\`shipping: \${message.key?.toString()} \${message.value?.toString()}\`);
      if (++read < orders.length) return;
      await shipping.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
      done();
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
