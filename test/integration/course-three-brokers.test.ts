// The course on three brokers, as a host who runs `npm run kafka -- multi` gives it: every exercise's
// solution passes in every language it is offered in, one learner per language in course order. Topics a
// cluster of three makes have three partitions and three replicas; an exercise that needs fewer says so in
// its exercise.json. A cluster of its own, thirty ports above TRIBUTARY_TEST_CLUSTER_PORT (the CLI test's is
// at +0, the Flink one's at +10, the failover one's at +20).
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import type { Language } from "../../sandbox-server/src/contract/languages.ts";
import { clusterTopology, startJvmCluster, type RunningCluster } from "../../sandbox-server/src/provisioning/index.ts";
import { courseOrder, inLanguage, solve } from "../support/course-attempts.ts";
import { courseExercises } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { testStateDir } from "../support/test-kafka.ts";

const PORT_BASE = Number(process.env.TRIBUTARY_TEST_CLUSTER_PORT ?? 29092) + 30;
const homeDir = path.join(testStateDir, "course-three-brokers");
const catalog = await courseExercises();

let cluster: RunningCluster | undefined;
let sandbox: TestServer;

beforeAll(async () => {
  await rm(path.join(homeDir, "multi"), { recursive: true, force: true });
  cluster = await startJvmCluster({
    topology: clusterTopology("multi", PORT_BASE),
    homeDir,
    pomPath: path.join(loadConfig().projectRoot, "kafka", "pom.xml"),
    learnerLimits: loadConfig().kafka.learnerQuotas,
    portSetting: "TRIBUTARY_TEST_CLUSTER_PORT",
    onProgress: (message) => console.log(`[course on three brokers] ${message}`),
  });
  sandbox = await startTestServer({ bootstrap: cluster.bootstrap, admin: cluster.admin });
}, 400_000);

afterAll(async () => {
  await sandbox?.close();
  await cluster?.stop();
});

/** The exercises a learner in `language` does, in course order: those offered in it and those they come after. */
function exercisesIn(language: Language) {
  const offered = courseOrder(catalog).filter((exercise) => exercise.languages.includes(language));
  return courseOrder(catalog).filter((exercise) => offered.includes(exercise) || offered.some((mine) => mine.after.includes(exercise.id)));
}

describe.concurrent.each(["typescript", "python", "sql"] as const)("the course in %s on three brokers", (language) => {
  it("passes every exercise's solution in course order, on one learner", { timeout: 900_000 }, async () => {
    const learner = sandbox.learner();
    for (const exercise of exercisesIn(language)) {
      await solve(learner, exercise, inLanguage(exercise, language), "the exercises before it, on three brokers");
    }
  });
});
