import { describe, expect, it } from "vitest";
import { gradeCheckpoint, recordCount } from "../../sandbox-server/src/grading/index.ts";
import type { BrokerState, GroupState, TopicState } from "../../sandbox-server/src/broker/index.ts";
import type { CheckpointSpec } from "../../sandbox-server/src/exercises/index.ts";

/** Broker state as plain data: the grader's only view of Kafka. */
function brokerWith(
  topics: TopicState[],
  committed: Record<string, Record<number, number>> = {},
  configs: Record<string, Record<string, string>> = {},
  brokers = 1,
): BrokerState {
  return {
    topicConfig: async (topic, config) => (topics.some((t) => t.name === topic) ? (configs[topic]?.[config] ?? "default") : undefined),
    brokerCount: async () => brokers,
    topic: async (name) => topics.find((t) => t.name === name),
    groupOffsets: async (group): Promise<GroupState> => ({
      group,
      committed: new Map(Object.entries(committed[group] ?? {}).map(([p, o]) => [Number(p), o])),
    }),
  };
}

const producerCheckpoint: CheckpointSpec = {
  title: "the topic `messages` holds at least ten messages",
  checks: [
    { type: "topic-exists", topic: "messages" },
    { type: "topic-record-count", topic: "messages", atLeast: 10 },
  ],
};
const consumerCheckpoint: CheckpointSpec = {
  title: "your group has read every message",
  checks: [
    { type: "topic-exists", topic: "messages" },
    { type: "group-caught-up", group: "message-readers", topic: "messages" },
  ],
};
const messages = (partitions: [low: number, high: number][]): TopicState => ({
  name: "messages",
  partitions: partitions.map(([low, high], partition) => ({ partition, low, high, replicas: 1, inSync: 1 })),
});

describe("gradeCheckpoint", () => {
  it("passes the producer checkpoint when the topic holds ten messages", async () => {
    const verdict = await gradeCheckpoint("first-producer", producerCheckpoint, brokerWith([messages([[0, 10]])]));
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toBe("Passed: the topic `messages` holds at least ten messages.");
    expect(verdict.checks.map((c) => c.status)).toEqual(["pass", "pass"]);
    expect(verdict.version).toBe(1);
  });

  it("fails the producer checkpoint when fewer than 10 messages were produced, saying how many are missing", async () => {
    const verdict = await gradeCheckpoint("first-producer", producerCheckpoint, brokerWith([messages([[0, 3]])]));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("holds 3 messages; it needs at least 10");
    expect(verdict.message).toContain("send 7 more");
  });

  it("fails with a reason when the topic does not exist", async () => {
    const verdict = await gradeCheckpoint("first-producer", producerCheckpoint, brokerWith([]));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toMatch(/There is no topic `messages`/);
    expect(verdict.checks.every((c) => c.status === "fail")).toBe(true);
  });

  it("counts records across partitions and ignores those removed by retention", () => {
    expect(recordCount(messages([[5, 12], [0, 4]]))).toBe(11);
  });

  it("fails the consumer checkpoint when the group committed nothing", async () => {
    const verdict = await gradeCheckpoint("first-consumer", consumerCheckpoint, brokerWith([messages([[0, 10]])]));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("has not committed any offset");
  });

  it("fails the consumer checkpoint when the group is behind, saying by how much", async () => {
    const broker = brokerWith([messages([[0, 10], [0, 6]])], { "message-readers": { 0: 10, 1: 2 } });
    const verdict = await gradeCheckpoint("first-consumer", consumerCheckpoint, broker);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("is 4 messages behind");
  });

  it("passes the consumer checkpoint when the group has committed up to the end of every partition", async () => {
    const broker = brokerWith([messages([[0, 10], [0, 6]])], { "message-readers": { 0: 10, 1: 6 } });
    const verdict = await gradeCheckpoint("first-consumer", consumerCheckpoint, broker);
    expect(verdict.status).toBe("pass");
    expect(verdict.checks[1]?.message).toContain("has read all 16 messages");
  });

  it("does not pass a consumer on an empty topic", async () => {
    const verdict = await gradeCheckpoint("first-consumer", consumerCheckpoint, brokerWith([messages([[0, 0]])], { "message-readers": { 0: 0 } }));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("is empty");
  });

  it("returns an error verdict, not a failure, when Kafka does not answer", async () => {
    const down: BrokerState = {
      topic: async () => {
        throw new Error("Connection error: connect ECONNREFUSED 127.0.0.1:9092");
      },
      topicConfig: async () => undefined,
      brokerCount: async () => 1,
      groupOffsets: async () => {
        throw new Error("unreachable");
      },
    };
    const verdict = await gradeCheckpoint("first-producer", producerCheckpoint, down);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("Kafka did not answer");
    expect(verdict.message).toContain("ECONNREFUSED");
  });

  it("counts partitions, and the partitions that hold records", async () => {
    const spec: CheckpointSpec = {
      title: "keys spread the records",
      checks: [
        { type: "topic-partitions", topic: "messages", atLeast: 3 },
        { type: "partitions-with-records", topic: "messages", atLeast: 2 },
      ],
    };
    expect((await gradeCheckpoint("x", spec, brokerWith([messages([[0, 5], [0, 4], [0, 0]])]))).status).toBe("pass");
    const oneKey = await gradeCheckpoint("x", spec, brokerWith([messages([[0, 9], [0, 0], [0, 0]])]));
    expect(oneKey.status).toBe("fail");
    expect(oneKey.message).toContain("Only 1 partition of `messages` hold records; at least 2 should");
    const tooFew = await gradeCheckpoint("x", spec, brokerWith([messages([[0, 9]])]));
    expect(tooFew.message).toContain("has 1 partition; it needs at least 3");
  });

  it("checks replication against the number of brokers, and topic configs", async () => {
    const spec: CheckpointSpec = {
      title: "a durable topic",
      checks: [
        { type: "topic-replication", topic: "messages", factor: "all-brokers" },
        { type: "topic-config", topic: "messages", config: "retention.ms", equals: "60000" },
      ],
    };
    const single = brokerWith([messages([[0, 1]])], {}, { messages: { "retention.ms": "60000" } }, 1);
    expect((await gradeCheckpoint("x", spec, single)).status).toBe("pass");
    const three = await gradeCheckpoint("x", spec, brokerWith([messages([[0, 1]])], {}, { messages: { "retention.ms": "60000" } }, 3));
    expect(three.message).toContain("has 1 replica (1 in sync); it should have 3");
    const unset = await gradeCheckpoint("x", spec, brokerWith([messages([[0, 1]])]));
    expect(unset.message).toContain("has retention.ms=default; set it to 60000");
  });
});
