// Three brokers, as a host who runs `npm run kafka -- multi` gives the course, in one cluster of this file's own
// (thirty ports above TRIBUTARY_TEST_CLUSTER_PORT; the CLI test's is at +0).
//
// First the course: every exercise's solution passes in every language it is offered in, one learner per
// language in course order. Topics a cluster of three makes have three partitions and three replicas; an
// exercise that needs fewer says so in its exercise.json. The event-time window exercises are the ones that
// would break: an empty partition holds a Flink source's watermark back, so no window would ever close. Their
// topics are made with one partition, and a wrong window query there still fails for its own reason.
//
// Then brokers die. One of three: a learner who presses Run seconds later notices nothing, in any language,
// while the cluster still lists the dead broker: producers, a consumer group and a SQL job. A second: a
// TypeScript run ends with the course's line, as a Python one does, never kafkajs's stack; a program's own error
// keeps its stack.
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../sandbox-server/src/config.ts";
import { entryFile, type Language } from "../../../sandbox-server/src/contract/languages.ts";
import { clusterTopology, startJvmCluster, type RunningCluster } from "../../../sandbox-server/src/provisioning/index.ts";
import { groupCoordinator, partitionsByTopic } from "../../support/broker-state.ts";
import { attempt, courseOrder, inLanguage, learnerReadyFor, onCourseBrokers, passes, solve } from "../../support/course-attempts.ts";
import { runSqlAndGrade, terminalText } from "../../support/flink-runs.ts";
import { courseExercises, type LearnerClient } from "../../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";
import { testStateDir } from "../../support/test-kafka.ts";

const PORT_BASE = Number(process.env.TRIBUTARY_TEST_CLUSTER_PORT ?? 29092) + 30;
const homeDir = path.join(testStateDir, "three-brokers");
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const catalog = await courseExercises();
/** The event-time window exercises' topics, which must have one partition each on any cluster. */
const windowTopics: Record<string, string[]> = {
  "flink-surge-windows": ["window-trip-requests", "window-surge-prices"],
  "flink-late-requests": ["late-trip-requests", "late-surge-prices"],
};

let cluster: RunningCluster | undefined;
/** The broker killed first (its id); the second kill takes another. */
let killedFirst = 1;
let sandbox: TestServer;

/** The exercises a learner in `language` does, in course order: those offered in it and those they come after. */
function exercisesIn(language: Language) {
  const offered = courseOrder(catalog).filter((exercise) => exercise.languages.includes(language) && onCourseBrokers(exercise));
  return courseOrder(catalog).filter((exercise) => offered.includes(exercise) || offered.some((mine) => mine.after.includes(exercise.id)));
}

/** The suite: the course, then brokers killed, on one cluster; test/integration/clusters.test.ts runs it. */
export function threeBrokersSuite(): void {
  beforeAll(async () => {
    await rm(path.join(homeDir, "multi"), { recursive: true, force: true });
    cluster = await startJvmCluster({
      topology: clusterTopology("multi", PORT_BASE),
      homeDir,
      pomPath: path.join(loadConfig().projectRoot, "kafka", "pom.xml"),
      learnerLimits: loadConfig().kafka.learnerQuotas,
      portSetting: "TRIBUTARY_TEST_CLUSTER_PORT",
      onProgress: (message) => console.log(`[three brokers] ${message}`),
    });
    sandbox = await startTestServer({ bootstrap: cluster.bootstrap, admin: cluster.admin });
  }, 400_000);

  afterAll(async () => {
    await sandbox?.close();
    await cluster?.stop();
  });

  describe.concurrent("the course on three brokers", () => {
    it.each(["typescript", "python", "sql"] as const)(
      "the course in %s: passes every exercise's solution in course order, on one learner",
      { timeout: 900_000 },
      async (language) => {
        const learner = sandbox.learner();
        for (const exercise of exercisesIn(language)) {
          await solve(learner, exercise, inLanguage(exercise, language), "the exercises before it, on three brokers");
          const topics = windowTopics[exercise.id];
          if (!topics) continue;
          const namespace = await learner.namespace();
          const partitions = await partitionsByTopic({ bootstrap: cluster!.bootstrap, admin: cluster!.admin }, namespace);
          for (const topic of topics) expect(partitions.get(namespace + topic), `${exercise.id}: ${topic}`).toBe(1);
        }
      },
    );

    it("fails the late-request exercise's six-second delay for its own reason: its windows close, one request short", {
      timeout: 300_000,
    }, async () => {
      const wrong = catalog.get("flink-late-requests")!.wrong.find((w) => w.name === "six-second-delay")!;
      const { verdict, output } = await runSqlAndGrade(sandbox.learner(), "flink-late-requests", wrong.code, 40_000);
      expect(verdict.status, terminalText(output)).toBe("fail");
      expect(verdict.message, terminalText(output)).toContain(wrong.verdictSays);
    });
  });

  /** `learner` runs `id`'s solution in `language` and presses Check until it passes or the run ends. */
  async function solves(learner: LearnerClient, id: string, language: Language) {
    const exercise = catalog.get(id)!;
    return attempt(learner, id, exercise.code[language]!.solution, entryFile(language), passes);
  }

  /**
   * `learner` runs `id`'s solution in `language` to its end, then presses Check: for a program that ends by itself,
   * whose exit is part of what is judged. Stopped once its Check passed, it could not show that it ends.
   */
  async function solvesAndEnds(learner: LearnerClient, id: string, language: Language) {
    const exercise = catalog.get(id)!;
    const { eventsUrl } = await learner.startRun(id, exercise.code[language]!.solution, entryFile(language));
    const terminal = await learner.readRun(eventsUrl);
    return { verdict: await learner.grade(id), output: `${terminal.stdout}${terminal.stderr}${terminal.exit.message}`, terminal };
  }

  describe("three brokers, one killed three seconds before learners press Run", () => {
    it("passes the first producer in TypeScript and Python and the SQL ETL for fresh learners, and the first consumer for learners who sent its messages", {
      timeout: 300_000,
    }, async () => {
      const consumer = catalog.get("first-consumer")!;
      const ready = await Promise.all(
        (["typescript", "python"] as const).map((language) => learnerReadyFor(() => sandbox.learner(), catalog, consumer, language)),
      );
      // The broker that coordinates the Python consumer's group: the client must find its successor by itself.
      const coordinator = await groupCoordinator(cluster!, `${await ready[1]!.namespace()}message-readers`);
      killedFirst = coordinator;
      process.kill(cluster!.pids[coordinator - 1]!, "SIGKILL");
      await pause(3000);
      const runs = await Promise.all([
        solvesAndEnds(sandbox.learner(), "first-producer", "typescript"),
        solvesAndEnds(sandbox.learner(), "first-producer", "python"),
        solves(sandbox.learner(), "flink-etl", "sql"),
        solves(ready[0]!, "first-consumer", "typescript"),
        solves(ready[1]!, "first-consumer", "python"),
      ]);
      const names = ["TypeScript producer", "Python producer", "SQL ETL", "TypeScript consumer", "Python consumer"];
      for (const [index, run] of runs.entries()) {
        expect(run.verdict.status, `${names[index]}: ${run.verdict.message}\n${run.output}`).toBe("pass");
        expect(run.output).not.toMatch(/KafkaJS\w*Error|Traceback/);
      }
      for (const run of runs.slice(0, 2)) expect(run.terminal.exit, run.output).toMatchObject({ reason: "exited", code: 0 });
    });
  });

  describe("three brokers, two killed", () => {
    it("ends a TypeScript run and a Python run with the course's line naming the brokers that answer, without a client's stack", {
      timeout: 200_000,
    }, async () => {
      const second = [1, 2, 3].find((id) => id !== killedFirst)!;
      process.kill(cluster!.pids[second - 1]!, "SIGKILL");
      const { code } = catalog.get("first-producer")!;
      const typescript = await sandbox.learner().run("first-producer", code.typescript!.solution);
      expect(typescript.exit.reason, typescript.stderr).toBe("kafka-unavailable");
      expect(typescript.stderr).toMatch(/^Kafka could not be reached: only 1 of 3 brokers answer/m);
      expect(typescript.stderr).not.toMatch(/^\s+at .*kafkajs/m);

      const learner = sandbox.learner();
      const { exit, stderr } = await learner.readRun((await learner.startRun("first-producer", code.python!.solution, "main.py")).eventsUrl);
      expect(exit.reason, stderr).toBe("kafka-unavailable");
      expect(stderr).toMatch(/^Kafka could not be reached: /m);
      expect(stderr).not.toMatch(/Traceback/);
    });

    it("keeps the stack of the program's own error, with its own line", { timeout: 60_000 }, async () => {
      const own = `import { connection } from "tributary";\nvoid connection;\nthrow new Error("my own mistake");\n`;
      const run = await sandbox.learner().run("first-producer", own);
      expect(run.exit).toMatchObject({ reason: "exited", code: 1 });
      expect(run.stderr).toMatch(/Error: my own mistake/);
      expect(run.stderr).toMatch(/main\.ts:3/);
      expect(run.stderr).not.toMatch(/Kafka could not be reached/);
    });
  });
}
