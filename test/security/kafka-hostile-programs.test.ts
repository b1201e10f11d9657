// The Kafka half of the security suite. Learners on one server share one broker; the broker itself
// keeps each in their own namespace and caps what they may create. Each hostile program below runs
// as one learner, through the API, while a benign program of another learner runs at the same time
// and must still succeed.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { LearnerClient } from "../support/sandbox-client.ts";
import { benignBeside, hostilePreamble } from "../support/hostile-learners.ts";
import { partitionsByTopic, readWholeTopic } from "../support/broker-state.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { loadConfig } from "../../sandbox-server/src/config.ts";

const kafka = inject("kafkaAccess");
const limits = loadConfig().kafka.learnerQuotas;
let sandbox: TestServer;
let owner: LearnerClient;
let intruder: LearnerClient;
let bystander: LearnerClient;
let ownerTopic: string;

/** Runs the hostile program while the bystander runs the first lesson's producer; the bystander must succeed. */
const besideBenign = benignBeside(() => bystander);
const preamble = hostilePreamble;

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
  owner = sandbox.learner();
  intruder = sandbox.learner();
  bystander = sandbox.learner();
  const producer = `${preamble}
const admin = kafka.admin(); await admin.connect();
await admin.createTopics({ topics: [{ topic: topic("diary"), numPartitions: 1 }], waitForLeaders: true });
await admin.disconnect();
const producer = kafka.producer();
await producer.connect();
await producer.send({ topic: topic("diary"), messages: [{ key: "secret", value: "the owner's own words" }] });
await producer.disconnect();
console.log("wrote to " + topic("diary"));`;
  const run = await owner.run("first-producer", producer);
  expect(run.stdout, run.stderr).toContain("wrote to");
  ownerTopic = `${await owner.namespace()}diary`;
});

afterAll(async () => {
  await sandbox?.close();
});

describe("a learner's Kafka principal", () => {
  it("gives each learner a namespace of their own, enforced by the broker", async () => {
    expect(ownerTopic).toMatch(/^l[0-9a-f]{20}-diary$/);
    expect(await intruder.namespace()).not.toBe(await owner.namespace());
    expect((await intruder.json<{ brokerEnforced: boolean }>("GET", "/api/learner")).body.brokerEnforced).toBe(true);
  });

  it("hides other learners' topics from listings", async () => {
    const { stdout } = await besideBenign(
      intruder.run(
        "first-producer",
        `${preamble}
const admin = kafka.admin(); await admin.connect();
const names = await admin.listTopics();
console.log("sees owner's topic: " + names.includes(${JSON.stringify(ownerTopic)}));
console.log("sees any other namespace: " + names.some((n) => !n.startsWith(namespace)));
await admin.disconnect();`,
      ),
    );
    expect(stdout).toContain("sees owner's topic: false");
    expect(stdout).toContain("sees any other namespace: false");
  });

  it("refuses to read, write or delete another learner's topic, or to join their group", async () => {
    const { stdout, exit } = await besideBenign(
      intruder.run(
        "first-producer",
        `${preamble}
const victim = ${JSON.stringify(ownerTopic)};
const victimGroup = victim.replace(/diary$/, "message-readers");
const admin = kafka.admin(); await admin.connect();
await attempt("offsets", () => admin.fetchTopicOffsets(victim));
await attempt("delete", () => admin.deleteTopics({ topics: [victim], timeout: 3000 }));
await attempt("create in their namespace", () => admin.createTopics({ topics: [{ topic: victim + "-mine" }] }));
await attempt("group offsets", () => admin.fetchOffsets({ groupId: victimGroup, topics: [victim] }));
await admin.disconnect();
const producer = kafka.producer({ retry: { retries: 0 } }); await producer.connect();
await attempt("write", () => producer.send({ topic: victim, messages: [{ value: "graffiti" }] }));
await producer.disconnect();
const consumer = kafka.consumer({ groupId: victimGroup, retry: { retries: 0 } });
await attempt("read", async () => { await consumer.connect(); await consumer.subscribe({ topic: victim, fromBeginning: true }); });
await consumer.disconnect().catch(() => {});
console.log("done");`,
      ),
    );
    expect(stdout, exit.message).toContain("done");
    for (const label of ["offsets", "delete", "create in their namespace", "read"]) {
      expect(stdout).toContain(`${label}: refused TOPIC_AUTHORIZATION_FAILED`);
    }
    expect(stdout).toMatch(/write: refused .*Topic authorization failed/);
    expect(stdout).toMatch(/group offsets: refused (GROUP_AUTHORIZATION_FAILED|.*group coordinator)/);
    // The owner's data is untouched: the one record is still there, read by a client outside the sandbox.
    expect(await readWholeTopic(kafka, ownerTopic)).toEqual([{ key: "secret", value: "the owner's own words" }]);
  });

  it("refuses a transactional id in another learner's namespace, and takes one in the learner's own", async () => {
    const theirs = ownerTopic.replace(/diary$/, "settlement");
    const { stdout, exit } = await besideBenign(
      intruder.run(
        "first-producer",
        `${preamble}
// A client that retries: the broker makes its transaction coordinator on the first transaction it sees.
const patient = new Kafka({ clientId: "probe", ...connection, logLevel: logLevel.NOTHING });
const transact = (id: string) => async () => {
  const producer = patient.producer({ transactionalId: id, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const transaction = await producer.transaction();
    await transaction.send({ topic: topic("ledger"), messages: [{ value: "one" }] });
    await transaction.commit();
    return "committed";
  } finally {
    await producer.disconnect();
  }
};
const admin = kafka.admin(); await admin.connect();
await admin.createTopics({ topics: [{ topic: topic("ledger"), numPartitions: 1 }], waitForLeaders: true });
await admin.disconnect();
await attempt("theirs", transact(${JSON.stringify(theirs)}));
await attempt("own", transact(namespace + "settlement"));
console.log("done");`,
      ),
    );
    expect(stdout, exit.message).toContain("done");
    // kafkajs reports the refusal of a transactional id as a coordinator it could not find.
    expect(stdout).toMatch(/theirs: refused (TRANSACTIONAL_ID_AUTHORIZATION_FAILED|.*coordinator)/);
    expect(stdout).toContain('own: allowed "committed"');
  });

  it("ends a program whose refused transactional id goes uncaught with the course's line, not kafkajs's stack", async () => {
    const theirs = ownerTopic.replace(/diary$/, "refunds");
    const { stderr, exit } = await intruder.run(
      "first-producer",
      `import { Kafka, logLevel } from "kafkajs";
import { connection } from "tributary";
const producer = new Kafka({ clientId: "refunds", ...connection, logLevel: logLevel.NOTHING, retry: { retries: 1 } })
  .producer({ transactionalId: ${JSON.stringify(theirs)}, idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
await producer.transaction();`,
    );
    expect(exit, stderr).toMatchObject({ reason: "exited", code: 1 });
    expect(stderr).toContain("Kafka refuses a group or transactional id outside your namespace");
    expect(stderr).not.toMatch(/^\s+at .*kafkajs/m);
  });

  it("sends CreateTopics frames that lie about their lengths, and the server goes on serving everyone", async () => {
    // A name of length -16 after one whole topic would send a trusting reader back for 2^31 topics; a count of
    // 100 million would keep it busy for seconds; the bridge reads every learner's CreateTopics request.
    const lies = ["000000200013000000000001ffff7fffffff00000000000100010000000000000000fff0", "0000000e0013000000000001ffff05f5e100"];
    const hostile = intruder.run(
      "first-producer",
      `import net from "node:net";
import { connection } from "tributary";
const [host, port] = connection.brokers[0]!.split(":");
for (let round = 0; round < 10; round++) {
  for (const lie of ${JSON.stringify(lies)}) {
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), host, () => socket.end(Buffer.from(lie, "hex")));
      socket.on("close", () => resolve()).on("error", () => resolve());
    });
  }
}
console.log("sent 20 lies");`,
    );
    // Another learner's page, asked for again and again while the lies go by: the slowest answer is kept.
    let done = false;
    let slowestMs = 0;
    const pages = (async () => {
      while (!done) {
        const asked = Date.now();
        expect((await bystander.json("GET", "/api/exercises/first-producer")).status).toBe(200);
        slowestMs = Math.max(slowestMs, Date.now() - asked);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const { stdout, exit } = await besideBenign(hostile.finally(() => (done = true)));
    await pages;
    expect(stdout, exit.message).toContain("sent 20 lies");
    expect(slowestMs).toBeLessThan(3000);
  });

  it("cannot act as another principal without that principal's password", async () => {
    const { stdout } = await besideBenign(
      intruder.run(
        "first-producer",
        `${preamble}
const admin = new Kafka({ clientId: "probe", brokers: connection.brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 },
  sasl: { mechanism: "scram-sha-256", username: ${JSON.stringify(ownerTopic.replace(/-diary$/, ""))}, password: "guess" } }).admin();
await attempt("log in as the owner", () => admin.connect());
const anonymous = new Kafka({ clientId: "probe", brokers: connection.brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 2000, requestTimeout: 2000 }).admin();
await attempt("connect without credentials", async () => { await anonymous.connect(); return anonymous.listTopics(); });
process.exit(0);`,
      ),
    );
    expect(stdout).toMatch(/log in as the owner: refused .*(SASL|[Aa]uthentication)/);
    expect(stdout).toMatch(/connect without credentials: refused/);
  });
});

describe("the broker's caps on a learner's topics", () => {
  /** Creates topics as a new learner; prints "created N" for what the broker accepted before failing. */
  const creator = (createCalls: string) => `${preamble}
const admin = kafka.admin(); await admin.connect();
${createCalls}`;

  it("refuses a topic with thousands of partitions, and says what the limit is", async () => {
    const flooder = sandbox.learner();
    const { exit } = await besideBenign(
      flooder.run("first-producer", creator(`await admin.createTopics({ topics: [{ topic: topic("flood"), numPartitions: 5000 }] });`)),
    );
    expect(exit).toMatchObject({ reason: "kafka-limit" });
    expect(exit.message).toContain(`at most ${limits.partitionsPerTopic} in one topic`);
    expect(await partitionsByTopic(kafka, await flooder.namespace())).toEqual(new Map());
  });

  it("stops a learner at their topic cap, even within one request, and lets them go on after deleting some", async () => {
    const hoarder = sandbox.learner();
    const { exit } = await besideBenign(
      hoarder.run(
        "first-producer",
        creator(`
const topics = Array.from({ length: 60 }, (_, i) => ({ topic: topic("hoard-" + i), numPartitions: 1 }));
await admin.createTopics({ topics });`),
      ),
    );
    expect(exit).toMatchObject({ reason: "kafka-limit" });
    expect(exit.message).toContain(`at most ${limits.topics} topics`);
    const namespace = await hoarder.namespace();
    const held = await partitionsByTopic(kafka, namespace);
    expect(held.size).toBe(limits.topics);

    // The cap counts what exists now: after deleting, the learner can create again.
    const { stdout, exit: after } = await hoarder.run(
      "first-producer",
      creator(`
await admin.deleteTopics({ topics: (await admin.listTopics()).slice(0, 5) });
// The broker remembers topics it approved a moment ago, even if they are gone already.
await new Promise((resolve) => setTimeout(resolve, 2500));
console.log("created: " + await admin.createTopics({ topics: [{ topic: topic("after-cleanup"), numPartitions: 1 }] }));
await admin.disconnect();`),
    );
    expect(after, stdout).toMatchObject({ reason: "exited", code: 0 });
    expect(stdout).toContain("created: true");
    expect((await partitionsByTopic(kafka, namespace)).size).toBe(limits.topics - 4);
  });

  it("stops a learner at their partition cap across topics", async () => {
    const spreader = sandbox.learner();
    const { exit, stderr } = await besideBenign(
      spreader.run(
        "first-producer",
        creator(`
for (let i = 0; i < 20; i++) {
  // Waiting for the new topic's leaders may meet a broker that does not list it yet; that passes.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.createTopics({ topics: [{ topic: topic("wide-" + i), numPartitions: ${limits.partitionsPerTopic} }] });
      break;
    } catch (error) {
      if ((error as { type?: string }).type !== "UNKNOWN_TOPIC_OR_PARTITION" || attempt > 5) throw error;
    }
  }
}`),
      ),
    );
    expect(exit, stderr).toMatchObject({ reason: "kafka-limit" });
    expect(exit.message).toContain(`${limits.partitions} partitions`);
    // A busy broker lists new topics a moment after it created them.
    const expected = Math.floor(limits.partitions / limits.partitionsPerTopic);
    let held: number[] = [];
    for (const deadline = Date.now() + 20_000; held.length < expected && Date.now() < deadline; ) {
      held = [...(await partitionsByTopic(kafka, await spreader.namespace())).values()];
      if (held.length < expected) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(held.reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(limits.partitions);
    expect(held.length).toBe(expected);
  });

  it("caps topics created by producing to new names too, and says why the producer failed", async () => {
    const scatterer = sandbox.learner();
    const { exit, stdout } = await besideBenign(
      scatterer.run(
        "first-producer",
        `${preamble}
// Retries, unlike the preamble's client: a new topic has no leader for a moment.
const producer = new Kafka({ clientId: "scatter", ...connection, logLevel: logLevel.NOTHING }).producer();
await producer.connect();
for (let i = 0; i < 40; i++) {
  await producer.send({ topic: topic("scatter-" + i), messages: [{ value: "x" }] });
  console.log("sent to scatter-" + i);
}`,
      ),
    );
    expect(stdout).toContain(`sent to scatter-${limits.topics - 1}`);
    expect(stdout).not.toContain(`sent to scatter-${limits.topics}\n`);
    expect(exit).toMatchObject({ reason: "kafka-limit" });
    expect((await partitionsByTopic(kafka, await scatterer.namespace())).size).toBe(limits.topics);
  });

  it("refuses to add thousands of partitions to a learner's own topic", async () => {
    const grower = sandbox.learner();
    const { exit, stdout } = await besideBenign(
      grower.run(
        "first-producer",
        creator(`
await admin.createTopics({ topics: [{ topic: topic("small"), numPartitions: 1 }], waitForLeaders: true });
console.log("created small");
await admin.createPartitions({ topicPartitions: [{ topic: topic("small"), count: 3000 }] });`),
      ),
    );
    expect(stdout).toContain("created small");
    expect(exit).toMatchObject({ reason: "kafka-denied" });
    expect(exit.message).toContain("Adding partitions");
    expect(await partitionsByTopic(kafka, await grower.namespace())).toEqual(new Map([[`${await grower.namespace()}small`, 1]]));
  });
});
