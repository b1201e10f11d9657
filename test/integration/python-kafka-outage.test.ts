// Python programs that lose their only broker, against a real Kafka: kafka-python's own errors (a send that
// times out, a client that cannot bootstrap) end in one line from the launcher saying Kafka could not be
// reached, with no traceback of kafka-python's, not even from a producer that fails to flush as it is
// collected. (A consumer keeps retrying; the server ends it when Kafka stops answering.) Uses a broker of
// its own, which the test stops; these runs have no server watching Kafka for them.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { clusterTopology, startJvmCluster, type RunningCluster } from "../../sandbox-server/src/provisioning/index.ts";
import type { RunRegistry } from "../../sandbox-server/src/runs/index.ts";
import { pythonRegistry, runPython } from "../support/python-runs.ts";
import { TEST_KAFKA_PORT, testStateDir } from "../support/test-kafka.ts";

// A broker of its own, 2400 ports above the shared test broker.
const PORT = Number(process.env.TRIBUTARY_TEST_PYTHON_OUTAGE_PORT ?? TEST_KAFKA_PORT + 2400);
const homeDir = path.join(testStateDir, "python-outage-kafka");

let cluster: RunningCluster | undefined;
let registry: RunRegistry;
let stateDir: string;

beforeAll(async () => {
  await rm(path.join(homeDir, "single"), { recursive: true, force: true });
  const config = loadConfig();
  cluster = await startJvmCluster({
    topology: clusterTopology("single", PORT),
    homeDir,
    pomPath: path.join(config.projectRoot, "kafka", "pom.xml"),
    learnerLimits: config.kafka.learnerQuotas,
    portSetting: "TRIBUTARY_TEST_PYTHON_OUTAGE_PORT",
    onProgress: () => {},
  });
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-python-kafka-outage-"));
  registry = await pythonRegistry("sandbox", stateDir, cluster.bootstrap, { TRIBUTARY_RUN_CPU_SECONDS: "30", TRIBUTARY_RUN_MEMORY_MIB: "256" });
});

afterAll(async () => {
  await registry?.stopAll();
  await cluster?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

const producer = `import time, tributary
from kafka import KafkaProducer

producer = KafkaProducer(**tributary.connection)
sent = 0
while True:
    producer.send(tributary.topic("outage"), b"order %d" % sent).get(timeout=3)
    sent += 1
    if sent == 10:
        print("sent 10", flush=True)
    time.sleep(0.05)
`;

const UNREACHABLE =
  /^Kafka could not be reached: no broker answers \(Kafka\w+Error: [^\n]+\)\. Check that Kafka runs \(`npm run kafka -- status`\), then run your program again\.\n$/;

it("ends a producer that loses its only broker, and one started after, with one line each in the course's words", { timeout: 120_000 }, async () => {
  const kafka = { namespace: "l00000000000000000000-", credentials: cluster!.admin };
  let stopped: Promise<void> | undefined;
  const lost = await runPython(registry, "outage-learner", producer, {
    wallTimeMs: 60_000,
    kafka,
    onStdout: (out) => {
      if (out === "sent 10\n") stopped ??= cluster!.stop();
    },
  });
  if (stopped) {
    await stopped;
    cluster = undefined;
  }
  const late = await runPython(
    registry,
    "outage-learner",
    "import tributary\nfrom kafka import KafkaProducer\n\nKafkaProducer(**tributary.connection, bootstrap_timeout_ms=3000)\n",
    { kafka },
  );
  for (const { exit, stdout, stderr } of [lost, late]) {
    expect(exit, stdout + stderr).toMatchObject({ reason: "kafka-unavailable", code: 1 });
    expect(stderr).toMatch(UNREACHABLE);
  }
  expect(lost.stderr).toContain("(KafkaTimeoutError: Timeout after waiting for 3 secs.)");
  expect(late.stderr).toContain("(KafkaTimeoutError: Unable to bootstrap from ['127.0.0.1:");
});
