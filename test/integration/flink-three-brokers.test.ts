// The two event-time window exercises on three brokers, as a host who runs `npm run kafka -- multi` gives the
// course. Such a cluster would make a topic with three partitions, two of them empty, and an empty partition
// holds a Flink source's watermark back, so no window would ever close. The exercises declare their topics
// with one partition, which the server makes before every run: both solutions pass, and a wrong query still
// fails for its own reason. A cluster of its own, ten ports above TRIBUTARY_TEST_CLUSTER_PORT.
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { clusterTopology, startJvmCluster, type RunningCluster } from "../../sandbox-server/src/provisioning/index.ts";
import { partitionsByTopic } from "../support/broker-state.ts";
import { runSqlAndGrade, terminalText } from "../support/flink-runs.ts";
import { courseExercises, exerciseFile } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { testStateDir } from "../support/test-kafka.ts";

// Ten ports above the CLI test's cluster: the two may run at the same time.
const PORT_BASE = Number(process.env.TRIBUTARY_TEST_CLUSTER_PORT ?? 29092) + 10;
const homeDir = path.join(testStateDir, "flink-three-brokers");

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
    onProgress: (message) => console.log(`[three brokers] ${message}`),
  });
  sandbox = await startTestServer({ bootstrap: cluster.bootstrap, admin: cluster.admin });
}, 400_000);

afterAll(async () => {
  await sandbox?.close();
  await cluster?.stop();
});

describe.each([
  ["flink-surge-windows", ["window-trip-requests", "window-surge-prices"]],
  ["flink-late-requests", ["late-trip-requests", "late-surge-prices"]],
] as const)("%s on three brokers", (id, topics) => {
  it("passes with the solution, its topics made with one partition", { timeout: 300_000 }, async () => {
    const learner = sandbox.learner();
    const { verdict, output } = await runSqlAndGrade(learner, id, await exerciseFile(id, "solution"), 150_000);
    expect(verdict.status, `${verdict.message}\n${terminalText(output)}`).toBe("pass");
    const namespace = await learner.namespace();
    const partitions = await partitionsByTopic({ bootstrap: cluster!.bootstrap, admin: cluster!.admin }, namespace);
    for (const topic of topics) expect(partitions.get(namespace + topic), topic).toBe(1);
  });
});

describe("a wrong query on three brokers", () => {
  it("fails the late-request exercise's six-second delay for its own reason: its windows close, one request short", {
    timeout: 300_000,
  }, async () => {
    const wrong = (await courseExercises()).get("flink-late-requests")!.wrong.find((w) => w.name === "six-second-delay")!;
    const { verdict, output } = await runSqlAndGrade(sandbox.learner(), "flink-late-requests", wrong.code, 40_000);
    expect(verdict.status, terminalText(output)).toBe("fail");
    expect(verdict.message, terminalText(output)).toContain(wrong.verdictSays);
  });
});
