// Learners who went away lose what they held on the broker after the retention a host sets:
// topics, groups, ACLs, quotas and credentials. Otherwise every visitor's principal and partitions
// would stay for ever. Real broker, real principals; only the clock is moved forward. A server starting
// afresh sweeps every learner principal on its broker, so this file has a broker of its own: on the shared
// one it would remove the learners of the files running beside it.
import path from "node:path";
import { rm } from "node:fs/promises";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LearnerPrincipals, type BrokerAccess, type LearnerKafka } from "../../sandbox-server/src/kafka/index.ts";
import { clusterTopology, startJvmCluster, type RunningCluster } from "../../sandbox-server/src/provisioning/index.ts";
import { TEST_KAFKA_PORT, testStateDir } from "../support/test-kafka.ts";
import { kafkajsConfig } from "../support/kafkajs-config.ts";
import { LearnerIds } from "../../sandbox-server/src/http/learner-id.ts";
import { learnerNamespace } from "../../sandbox-server/src/kafka/learner-principals.ts";
import { loadConfig } from "../../sandbox-server/src/config.ts";

// A broker of its own, 2600 ports above the shared test broker.
const PORT = Number(process.env.TRIBUTARY_TEST_IDLE_PORT ?? TEST_KAFKA_PORT + 2600);
const homeDir = path.join(testStateDir, "idle-learners-kafka");
const HOUR = 60 * 60 * 1000;
let cluster: RunningCluster | undefined;
let kafka: BrokerAccess;
let principals: LearnerPrincipals;
const ids = new LearnerIds();

beforeAll(async () => {
  await rm(path.join(homeDir, "single"), { recursive: true, force: true });
  const config = loadConfig();
  cluster = await startJvmCluster({
    topology: clusterTopology("single", PORT),
    homeDir,
    pomPath: path.join(config.projectRoot, "kafka", "pom.xml"),
    learnerLimits: config.kafka.learnerQuotas,
    portSetting: "TRIBUTARY_TEST_IDLE_PORT",
    onProgress: () => {},
  });
  kafka = { bootstrap: cluster.bootstrap, admin: cluster.admin };
  principals = new LearnerPrincipals(kafka, config.kafka.learnerQuotas);
});

afterAll(async () => {
  await principals?.close();
  await cluster?.stop();
});

/** A new learner's principal, and a topic they create with it. */
async function learnerWithTopic(): Promise<LearnerKafka> {
  const { id } = ids.issue();
  const learner = await principals.forLearner(id, learnerNamespace(id, ids.namespaceKey));
  const admin = learnerClient(learner).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: `${learner.namespace}kept`, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
  return learner;
}

function learnerClient(learner: LearnerKafka): Kafka {
  return new Kafka({
    clientId: "idle-test",
    brokers: kafka.bootstrap,
    sasl: { mechanism: "scram-sha-256", ...learner.credentials! },
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 3000,
  });
}

async function topicsOf(namespace: string): Promise<string[]> {
  const admin = new Kafka(kafkajsConfig(kafka, "idle-test-admin")).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((name) => name.startsWith(namespace));
  } finally {
    await admin.disconnect();
  }
}

describe("learners idle past the retention", () => {
  it("lose their topics, ACLs, quotas and credentials; active learners keep theirs", async () => {
    const idle = await learnerWithTopic();
    const idleLastUsed = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const active = await learnerWithTopic();
    // Just past the retention for the first learner; the second came a little later.
    const removed = await principals.removeIdle(48 * HOUR, idleLastUsed + 48 * HOUR + 1);
    expect(removed).toContain(idle.namespace);
    expect(await topicsOf(idle.namespace)).toEqual([]);
    const admin = learnerClient(idle).admin();
    await expect(admin.connect()).rejects.toThrow(/SASL|[Aa]uthentication/);

    // Nothing is removed of a learner used within the retention.
    expect(removed).not.toContain(active.namespace);
    expect(await principals.removeIdle(48 * HOUR, Date.now())).toEqual([]);
    expect(await topicsOf(active.namespace)).toEqual([`${active.namespace}kept`]);
    const activeAdmin = learnerClient(active).admin();
    await activeAdmin.connect();
    await activeAdmin.disconnect();

    // No ACL of the removed learner is left: a server starting now finds the active learner, not them.
    const fresh = new LearnerPrincipals(kafka, loadConfig().kafka.learnerQuotas);
    try {
      expect(await fresh.removeIdle(48 * HOUR)).toEqual([]);
      const found = await fresh.removeIdle(48 * HOUR, Date.now() + 49 * HOUR);
      expect(found).toContain(active.namespace);
      expect(found).not.toContain(idle.namespace);
    } finally {
      await fresh.close();
    }
  });

  it("include those an earlier server created, counted from when this server found them", async () => {
    const earlier = await learnerWithTopic();
    const restarted = new LearnerPrincipals(kafka, loadConfig().kafka.learnerQuotas);
    try {
      // Found now: not idle yet.
      expect(await restarted.removeIdle(48 * HOUR)).not.toContain(earlier.namespace);
      expect(await restarted.removeIdle(48 * HOUR, Date.now() + 48 * HOUR + 1000)).toContain(earlier.namespace);
      expect(await topicsOf(earlier.namespace)).toEqual([]);
    } finally {
      await restarted.close();
    }
  });
});
