import { describe, expect, it } from "vitest";
import { clusterTopology, bootstrapAddresses, serverProperties } from "../../sandbox-server/src/provisioning/index.ts";
import { learnerNamespace, LEARNER_NAMESPACE_PATTERN } from "../../sandbox-server/src/kafka/index.ts";

const ADMIN = { username: "course-admin", password: "s3cret-pw" };
const LIMITS = { topics: 25, partitions: 100, partitionsPerTopic: 12, storageBytes: 200 * 1024 * 1024, maxMessageBytes: 1024 * 1024, classSize: 16 };

const parse = (properties: string) =>
  Object.fromEntries(
    properties
      .split("\n")
      .filter((line) => line && !line.startsWith("#"))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );

describe("cluster topology", () => {
  it("lays out one broker on 9092 for single", () => {
    const single = clusterTopology("single", 9092);
    expect(bootstrapAddresses(single)).toEqual(["127.0.0.1:9092"]);
    expect(single).toMatchObject({ replicationFactor: 1, minInsyncReplicas: 1 });
  });

  it("lays out three brokers with replication factor 3 and min.insync.replicas 2 for multi", () => {
    const multi = clusterTopology("multi", 9092);
    expect(bootstrapAddresses(multi)).toEqual(["127.0.0.1:9092", "127.0.0.1:9094", "127.0.0.1:9096"]);
    const ports = multi.nodes.flatMap((n) => [n.clientPort, n.controllerPort]);
    expect(new Set(ports).size).toBe(6);
    const props = parse(serverProperties(multi, multi.nodes[1]!, "/data/node-2", ADMIN, LIMITS));
    expect(props).toMatchObject({
      "node.id": "2",
      "process.roles": "broker,controller",
      "default.replication.factor": "3",
      "min.insync.replicas": "2",
      "offsets.topic.replication.factor": "3",
      "log.dirs": "/data/node-2",
    });
    expect(props["controller.quorum.voters"]).toBe("1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097");
    // A dead broker is fenced within 3 s, inside a default kafkajs producer's retries.
    expect(props).toMatchObject({ "broker.session.timeout.ms": "3000", "broker.heartbeat.interval.ms": "1000" });
  });

  it("gives a single broker internal topics with replication factor 1 and no initial rebalance delay", () => {
    const single = clusterTopology("single", 9092);
    const props = parse(serverProperties(single, single.nodes[0]!, "/data/node-1", ADMIN, LIMITS));
    expect(props).toMatchObject({
      "offsets.topic.replication.factor": "1",
      "transaction.state.log.replication.factor": "1",
      "group.initial.rebalance.delay.ms": "0",
    });
  });

  it("binds every listener to loopback", () => {
    const multi = clusterTopology("multi", 9092);
    for (const node of multi.nodes) {
      const props = parse(serverProperties(multi, node, "/data", ADMIN, LIMITS));
      for (const listener of props.listeners!.split(",")) expect(listener).toMatch(/:\/\/127\.0\.0\.1:\d+$/);
    }
  });

  it("makes clients authenticate with SCRAM and lets only ACLs or the super user through", () => {
    const single = clusterTopology("single", 9092);
    const props = parse(serverProperties(single, single.nodes[0]!, "/data/node-1", ADMIN, LIMITS));
    expect(props["listener.security.protocol.map"]).toBe("CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    expect(props.listeners).toBe("CLIENT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093");
    expect(props["sasl.enabled.mechanisms"]).toBe("SCRAM-SHA-256");
    expect(props["authorizer.class.name"]).toBe("org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    expect(props["super.users"]).toBe("User:course-admin;User:ANONYMOUS");
    expect(props["allow.everyone.if.no.acl.found"]).toBeUndefined();
    expect(props["listener.name.client.scram-sha-256.sasl.jaas.config"]).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="course-admin" password="s3cret-pw";',
    );
  });

  it("refuses credentials that would break out of the JAAS string", () => {
    const single = clusterTopology("single", 9092);
    expect(() => serverProperties(single, single.nodes[0]!, "/d", { username: "a", password: 'x" y="z' }, LIMITS)).toThrow(/quotes/);
  });

  it("hands the learner topic policy its caps, the learners' namespace shape and every broker's address", () => {
    const multi = clusterTopology("multi", 9092);
    const props = parse(serverProperties(multi, multi.nodes[0]!, "/data", ADMIN, LIMITS));
    expect(props).toMatchObject({
      "create.topic.policy.class.name": "dev.tributary.kafka.LearnerTopicPolicy",
      "tributary.learner.max.topics": "25",
      "tributary.learner.max.partitions": "100",
      "tributary.learner.max.partitions.per.topic": "12",
      "tributary.learner.policy.bootstrap.servers": "127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096",
    });
    // The policy caps only topics in a learner's namespace, so every namespace must have that shape.
    const shape = new RegExp(`^${props["tributary.learner.namespace.pattern"]}$`);
    expect(props["tributary.learner.namespace.pattern"]).toBe(LEARNER_NAMESPACE_PATTERN);
    for (const id of ["a", "b7c1e2", "0f3c1a2e-9a8b-4c1d-8e2f-123456789abc"]) expect(learnerNamespace(id, Buffer.alloc(32, 7))).toMatch(shape);
    expect("bench-plain-node-rides").not.toMatch(new RegExp(`^${LEARNER_NAMESPACE_PATTERN}`));
  });
});
