// Servers of a school share one secret, so a learner's Kafka principal is the same on each: two servers
// that make it at once, or one after the other, give the learner one password, and a program holding it
// keeps logging in. A server with a secret of its own would lock that program out. Real broker, real principals.
// The idle sweeps here remove every learner principal on their broker, so this file has a broker of its own:
// on the shared one they would remove the learners of the files running beside it.
import { randomBytes } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { LearnerIds } from "../../sandbox-server/src/http/learner-id.ts";
import { LearnerPrincipals, learnerNamespace, type BrokerAccess, type LearnerKafka } from "../../sandbox-server/src/kafka/index.ts";
import { clusterTopology, startJvmCluster, type RunningCluster } from "../../sandbox-server/src/provisioning/index.ts";
import { TEST_KAFKA_PORT, testStateDir } from "../support/test-kafka.ts";
import { SqliteProgressStore, type ProgressStore } from "../../sandbox-server/src/progress/index.ts";

// A broker of its own, 2700 ports above the shared test broker.
const PORT = Number(process.env.TRIBUTARY_TEST_SHARED_PRINCIPALS_PORT ?? TEST_KAFKA_PORT + 2700);
const homeDir = path.join(testStateDir, "shared-principals-kafka");
let cluster: RunningCluster | undefined;
let kafka: BrokerAccess;
const quotas = loadConfig().kafka.learnerQuotas;

beforeAll(async () => {
  await rm(path.join(homeDir, "single"), { recursive: true, force: true });
  cluster = await startJvmCluster({
    topology: clusterTopology("single", PORT),
    homeDir,
    pomPath: path.join(loadConfig().projectRoot, "kafka", "pom.xml"),
    learnerLimits: quotas,
    portSetting: "TRIBUTARY_TEST_SHARED_PRINCIPALS_PORT",
    onProgress: () => {},
  });
  kafka = { bootstrap: cluster.bootstrap, admin: cluster.admin };
});
const secret = randomBytes(32);
/** Each server of the school reads the same secret file. */
const serverA = new LearnerIds(secret);
const serverB = new LearnerIds(secret);
const opened: LearnerPrincipals[] = [];
const HOUR = 60 * 60 * 1000;

afterAll(async () => {
  // Whatever the tests made on the broker goes, as an idle sweep would remove it.
  await opened[0]?.removeIdle(0, Date.now() + 1000);
  await Promise.all(opened.map((principals) => principals.close()));
  await cluster?.stop();
});

function principalsOf(ids: LearnerIds, ledger?: ProgressStore): LearnerPrincipals {
  const principals = new LearnerPrincipals(kafka, quotas, ids.passwordKey, ledger);
  opened.push(principals);
  return principals;
}

/** Whether the learner's credentials log in and reach their own topic: it is made, then listed. */
async function logsIn(learner: LearnerKafka, topic: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: "shared-principal-test",
    brokers: kafka.bootstrap,
    sasl: { mechanism: "scram-sha-256", ...learner.credentials! },
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 3000,
  }).admin();
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: learner.namespace + topic, numPartitions: 1 }], waitForLeaders: true });
    return (await admin.listTopics()).includes(learner.namespace + topic);
  } catch {
    return false;
  } finally {
    await admin.disconnect();
  }
}

describe("a learner met by two servers", () => {
  it("gets one principal and one password, whether the servers make it at once or one after the other", async () => {
    const { id, cookie } = serverA.issue();
    // The cookie server A issued is valid on server B: the same learner, the same namespace.
    expect(serverB.verify(cookie)).toBe(id);
    const namespace = learnerNamespace(id, serverA.namespaceKey);
    expect(learnerNamespace(id, serverB.namespaceKey)).toBe(namespace);

    const [onA, onB] = await Promise.all([principalsOf(serverA).forLearner(id, namespace), principalsOf(serverB).forLearner(id, namespace)]);
    expect(onA.credentials).toEqual(onB.credentials);
    expect(await logsIn(onA, "first")).toBe(true);

    // Server A restarts (or a third server meets the learner): it makes the principal again, with a fresh salt.
    const again = await principalsOf(new LearnerIds(secret)).forLearner(id, namespace);
    expect(again.credentials).toEqual(onA.credentials);
    // A program that holds the password from the first server still logs in.
    expect(await logsIn(onA, "second")).toBe(true);
  });

  it("is locked out of the first server's password by a server with a secret of its own", async () => {
    const { id } = serverA.issue();
    const namespace = learnerNamespace(id, serverA.namespaceKey);
    const onA = await principalsOf(serverA).forLearner(id, namespace);
    expect(await logsIn(onA, "first")).toBe(true);
    const stranger = await principalsOf(new LearnerIds(randomBytes(32))).forLearner(id, namespace);
    expect(stranger.credentials!.password).not.toBe(onA.credentials!.password);
    expect(await logsIn(onA, "second")).toBe(false);
  });
});

describe("an idle sweep in a school", () => {
  it("spares a learner another server used, and removes them once they are idle on every server", async () => {
    // The servers share one progress store, where each notes when it handed a learner's principal to a run.
    const shared = new SqliteProgressStore(":memory:");
    const { id } = serverA.issue();
    const namespace = learnerNamespace(id, serverA.namespaceKey);
    const onA = principalsOf(serverA, shared);
    const learner = await onA.forLearner(id, namespace);
    await until(async () => (await shared.lastPrincipalUse(learner.credentials!.username)) !== undefined);

    // Server B started now and found the principal on the broker; it never hands it to a run itself.
    const onB = principalsOf(serverB, shared);
    const now = Date.now();
    expect(await onB.removeIdle(48 * HOUR, now)).not.toContain(namespace);
    // 30 hours on, the learner runs a program on server A; 49 hours on, B has not seen them for 49 hours.
    await shared.notePrincipalUse(learner.credentials!.username, new Date(now + 30 * HOUR));
    expect(await onB.removeIdle(48 * HOUR, now + 49 * HOUR)).not.toContain(namespace);
    expect(await logsIn(learner, "kept")).toBe(true);

    // 79 hours on, the learner has been idle for 49 hours on every server: the first sweep removes them.
    expect(await onB.removeIdle(48 * HOUR, now + 79 * HOUR)).toContain(namespace);
    expect(await logsIn(learner, "gone")).toBe(false);
    // Server A's own sweep forgets them too, so a learner back on A gets their principal made again.
    await onA.removeIdle(48 * HOUR, now + 79 * HOUR);
    expect(await onA.removeIdle(48 * HOUR, now + 80 * HOUR)).toEqual([]);
    const back = await onA.forLearner(id, namespace);
    expect(await logsIn(back, "back")).toBe(true);
    await shared.close();
  });
});

async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("Waited 5 s in vain.");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
