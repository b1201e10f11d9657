import { describe, expect, it } from "vitest";
import { gradeCheckpoint, gradeSnapshot, recordCount, type snapshotRequest } from "../../sandbox-server/src/grading/index.ts";
import type { BrokerSnapshot, BrokerState, GroupState, TopicRecord, TopicState } from "../../sandbox-server/src/kafka/index.ts";
import { checkpointSpecSchema, type CheckpointInput, type CheckpointSpec } from "../../sandbox-server/src/exercises/index.ts";

const spec = (input: CheckpointInput): CheckpointSpec => checkpointSpecSchema.parse(input);

/** A partition's copies on brokers 1, 2, …: led by broker 1, the first `inSync` of them in sync. */
const copies = (replicas: number, inSync: number) => ({
  replicas,
  inSync,
  leader: 1,
  replicaIds: Array.from({ length: replicas }, (_, i) => i + 1),
  isrIds: Array.from({ length: inSync }, (_, i) => i + 1),
});

/** A topic as plain data: [low, high] per partition, records and configs optional. */
function topicOf(name: string, partitions: [low: number, high: number][], extra: Partial<TopicState> = {}): TopicState {
  return {
    name,
    topicId: `id-${name}`,
    partitions: partitions.map(([low, high], partition) => ({ partition, low, high, ...copies(1, 1) })),
    config: {},
    ...extra,
  };
}
const record = (partition: number, offset: number, key: string | null, value: string): TopicRecord => ({
  partition,
  offset,
  timestamp: 0,
  key,
  value,
  headers: {},
});

/** The broker snapshot as plain data: the grader's only view of Kafka. */
function snapshotOf(topics: TopicState[], groups: Partial<GroupState>[] = [], brokerCount = 1): BrokerSnapshot {
  return {
    brokerCount,
    topics: new Map(topics.map((t) => [t.name, t])),
    groups: new Map(groups.map((g) => [`${g.group}/${g.topic}`, { committed: new Map(), state: "Empty", members: 0, ...g } as GroupState])),
  };
}

const producerCheckpoint = spec({
  title: "the topic `messages` holds your ten messages",
  checks: [
    { type: "topic-exists", topic: "messages" },
    {
      type: "records-include",
      topic: "messages",
      records: Array.from({ length: 10 }, (_, i) => ({ key: String(i + 1), value: `message ${i + 1}` })),
    },
  ],
});
const consumerCheckpoint = spec({
  title: "your group has read every message",
  checks: [
    { type: "topic-exists", topic: "messages" },
    { type: "group-caught-up", group: "message-readers", topic: "messages", whenEmpty: "Run the producer exercise while your consumer runs." },
  ],
});
const tenMessages = (keyOf: (i: number) => string | null = (i) => String(i)) =>
  Array.from({ length: 10 }, (_, i) => record(0, i, keyOf(i + 1), `message ${i + 1}`));

describe("gradeSnapshot", () => {
  it("passes the producer checkpoint when the ten expected messages are there", async () => {
    const verdict = await gradeSnapshot(
      "first-producer",
      producerCheckpoint,
      snapshotOf([topicOf("messages", [[0, 10]], { records: tenMessages() })]),
    );
    expect(verdict).toMatchObject({ status: "pass", message: "Passed: the topic `messages` holds your ten messages.", version: 2 });
  });

  it("fails messages without keys, saying which message lacks its key", async () => {
    const verdict = await gradeSnapshot(
      "first-producer",
      producerCheckpoint,
      snapshotOf([topicOf("messages", [[0, 10]], { records: tenMessages(() => null) })]),
    );
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain('The message "message 1" is there with no key; it should have key "1".');
  });

  it("fails nine messages, naming the one missing", async () => {
    const nine = tenMessages().slice(0, 9);
    const verdict = await gradeSnapshot("first-producer", producerCheckpoint, snapshotOf([topicOf("messages", [[0, 9]], { records: nine })]));
    expect(verdict.message).toContain('There is no message "message 10" with key "10". The topic holds 9 messages, the last one "message 9".');
  });

  it("fails with a reason when the topic does not exist", async () => {
    const verdict = await gradeSnapshot("first-producer", producerCheckpoint, snapshotOf([]));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toMatch(/There is no topic `messages`/);
    expect(verdict.checks.every((c) => c.status === "fail")).toBe(true);
  });

  it("counts records across partitions and ignores those removed by retention", () => {
    expect(
      recordCount(
        topicOf("messages", [
          [5, 12],
          [0, 4],
        ]),
      ),
    ).toBe(11);
  });

  it("tells a consumer that never joined its group to join it and call consumer.run", async () => {
    const verdict = await gradeSnapshot("first-consumer", consumerCheckpoint, snapshotOf([topicOf("messages", [[0, 10]])]));
    expect(verdict.message).toContain(
      'No consumer has joined group `message-readers`: does your consumer use groupId group("message-readers") and call consumer.run?',
    );
  });

  it("tells a consumer in the group that read nothing about fromBeginning", async () => {
    const snapshot = snapshotOf([topicOf("messages", [[0, 10]])], [{ group: "message-readers", topic: "messages", state: "Stable", members: 1 }]);
    expect((await gradeSnapshot("first-consumer", consumerCheckpoint, snapshot)).message).toContain("Did it subscribe with fromBeginning: true?");
  });

  it("with manual commits, says nothing is committed until commitOffsets, not that kafkajs commits", async () => {
    const manual = spec({ title: "t", checks: [{ type: "group-caught-up", group: "bookkeeping", topic: "payments", commits: "manual" }] });
    const snapshot = snapshotOf([topicOf("payments", [[0, 20]])], [{ group: "bookkeeping", topic: "payments" }]);
    const verdict = await gradeSnapshot("manual-commit", manual, snapshot);
    expect(verdict.message).toContain("With autoCommit: false nothing is committed until your program calls consumer.commitOffsets");
    expect(verdict.message).not.toContain("kafkajs commits");
  });

  it("names the off-by-one commit: committing the offset read instead of the next one", async () => {
    const manual = spec({ title: "t", checks: [{ type: "group-caught-up", group: "bookkeeping", topic: "payments", commits: "manual" }] });
    const snapshot = snapshotOf([topicOf("payments", [[0, 20]])], [{ group: "bookkeeping", topic: "payments", committed: new Map([[0, 19]]) }]);
    const verdict = await gradeSnapshot("manual-commit", manual, snapshot);
    expect(verdict.message).toContain("is 1 message behind");
    expect(verdict.message).toContain("commit `Number(message.offset) + 1`");
  });

  it("names an offset committed past the end: offsets added to as text", async () => {
    const manual = spec({ title: "t", checks: [{ type: "group-caught-up", group: "bookkeeping", topic: "payments", commits: "manual" }] });
    const snapshot = snapshotOf([topicOf("payments", [[0, 20]])], [{ group: "bookkeeping", topic: "payments", committed: new Map([[0, 191]]) }]);
    expect((await gradeSnapshot("manual-commit", manual, snapshot)).message).toContain(
      "committed offset 191 on partition 0 of `payments`, past its end (20)",
    );
  });

  it("fails the consumer checkpoint when the group is behind, saying by how much", async () => {
    const snapshot = snapshotOf(
      [
        topicOf("messages", [
          [0, 10],
          [0, 6],
        ]),
      ],
      [
        {
          group: "message-readers",
          topic: "messages",
          committed: new Map([
            [0, 10],
            [1, 2],
          ]),
        },
      ],
    );
    expect((await gradeSnapshot("first-consumer", consumerCheckpoint, snapshot)).message).toContain("is 4 messages behind");
  });

  it("passes the consumer checkpoint when the group has committed up to the end of every partition", async () => {
    const snapshot = snapshotOf(
      [
        topicOf("messages", [
          [0, 10],
          [0, 6],
        ]),
      ],
      [
        {
          group: "message-readers",
          topic: "messages",
          committed: new Map([
            [0, 10],
            [1, 6],
          ]),
        },
      ],
    );
    const verdict = await gradeSnapshot("first-consumer", consumerCheckpoint, snapshot);
    expect(verdict.status).toBe("pass");
    expect(verdict.checks[1]?.message).toContain("has read all 16 messages");
  });

  it("on an empty topic, says what the exercise says to do, not to run a producer first", async () => {
    const verdict = await gradeSnapshot("first-consumer", consumerCheckpoint, snapshotOf([topicOf("messages", [[0, 0]])]));
    expect(verdict.message).toBe(
      "`messages` holds no messages yet, so group `message-readers` has had nothing to read. Run the producer exercise while your consumer runs.",
    );
  });

  it("counts partitions and the partitions that hold records, in good grammar, without advice learners may not follow", async () => {
    const spread = spec({
      title: "keys spread the records",
      checks: [
        { type: "topic-partitions", topic: "bench", atLeast: 3 },
        { type: "partitions-with-records", topic: "bench", atLeast: 3 },
      ],
    });
    expect(
      (
        await gradeSnapshot(
          "x",
          spread,
          snapshotOf([
            topicOf("bench", [
              [0, 5],
              [0, 4],
              [0, 1],
            ]),
          ]),
        )
      ).status,
    ).toBe("pass");
    const oneKey = await gradeSnapshot(
      "x",
      spread,
      snapshotOf([
        topicOf("bench", [
          [0, 9],
          [0, 0],
          [0, 0],
        ]),
      ]),
    );
    expect(oneKey.message).toContain("Only 1 of the 3 partitions of `bench` holds records; at least 3 should.");
    const tooFew = await gradeSnapshot("x", spread, snapshotOf([topicOf("bench", [[0, 9]])]));
    expect(tooFew.message).toContain("has 1 partition; it needs at least 3");
    expect(tooFew.message).not.toContain("createPartitions");
  });

  it("fails unkeyed records and keys split over partitions", async () => {
    const keyed = spec({ title: "t", checks: [{ type: "keys-in-one-partition", topic: "rides", keyPattern: "^ride-\\d+$" }] });
    const rides = (records: TopicRecord[]) =>
      snapshotOf([
        topicOf(
          "rides",
          [
            [0, 2],
            [0, 2],
          ],
          { records },
        ),
      ]);
    const unkeyed = await gradeSnapshot("x", keyed, rides([record(0, 0, null, "ride-1 requested"), record(1, 0, null, "ride-1 picked up")]));
    expect(unkeyed.message).toContain("2 messages of `rides` have no key");
    const split = await gradeSnapshot("x", keyed, rides([record(0, 0, "ride-1", "requested"), record(1, 0, "ride-1", "picked up")]));
    expect(split.message).toContain('Key "ride-1" is in partitions 0 and 1');
    const odd = await gradeSnapshot("x", keyed, rides([record(0, 0, "requested", "ride-1")]));
    expect(odd.message).toContain('has key "requested", which is not the kind of key');
    expect((await gradeSnapshot("x", keyed, rides([record(0, 0, "ride-1", "a"), record(0, 1, "ride-1", "b")]))).status).toBe("pass");
  });

  it("checks the shape of JSON records: fields kept, fields dropped, keys", async () => {
    const shaped = spec({
      title: "t",
      checks: [{ type: "records-shape", topic: "clean", fields: ["user", "page"], forbidden: ["userAgent"], keyed: true }],
    });
    const clean = (value: string, key: string | null = "u") => snapshotOf([topicOf("clean", [[0, 1]], { records: [record(0, 0, key, value)] })]);
    expect((await gradeSnapshot("x", shaped, clean("x"))).message).toContain('is "x", not a JSON object');
    expect((await gradeSnapshot("x", shaped, clean('{"user":"u"}'))).message).toContain("has no field `page`");
    expect((await gradeSnapshot("x", shaped, clean('{"user":"u","page":"/","userAgent":"M"}'))).message).toContain("still has the field `userAgent`");
    expect((await gradeSnapshot("x", shaped, clean('{"user":"u","page":"/"}', null))).message).toContain("has no key");
    expect((await gradeSnapshot("x", shaped, clean('{"user":"u","page":"/"}'))).status).toBe("pass");
  });

  it("checks replication against the brokers and says a retention in readable units", async () => {
    const durable = spec({
      title: "a durable topic",
      checks: [
        { type: "topic-replication", topic: "ledger", factor: "all-brokers" },
        { type: "topic-config", topic: "ledger", config: "retention.ms", equals: "2592000000" },
      ],
    });
    const ledger = (retention: string, replicas = 1, inSync = replicas) => ({
      ...topicOf("ledger", [[0, 1]], { config: { "retention.ms": retention } }),
      partitions: [{ partition: 0, low: 0, high: 1, ...copies(replicas, inSync) }],
    });
    expect((await gradeSnapshot("x", durable, snapshotOf([ledger("2592000000")]))).status).toBe("pass");
    const seconds = await gradeSnapshot("x", durable, snapshotOf([ledger("2592000")]));
    expect(seconds.message).toContain("retention.ms=2592000 (2592 seconds; it should be 30 days)");
    const three = await gradeSnapshot("x", durable, snapshotOf([ledger("2592000000")], [], 3));
    expect(three.message).toContain("has 1 replica; it should have 3");
  });

  it("does not judge a topic whose copies are out of sync because a broker is down: an error, never a fail", async () => {
    const durable = spec({ title: "t", checks: [{ type: "topic-replication", topic: "ledger", factor: "all-brokers" }] });
    const degraded = { ...topicOf("ledger", [[0, 1]]), partitions: [{ partition: 0, low: 0, high: 1, ...copies(3, 2) }] };
    const verdict = await gradeSnapshot("durable-topic", durable, snapshotOf([degraded], [], 2));
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("a broker is down");
    expect(verdict.message).not.toContain("Create the topic");
  });
});

describe("gradeCheckpoint", () => {
  it("returns an error verdict, not a failure, when Kafka does not answer, without the error's text", async () => {
    const down: BrokerState = {
      snapshot: async () => {
        throw new Error("Connection error: connect ECONNREFUSED 127.0.0.1:9092");
      },
    };
    const verdict = await gradeCheckpoint("first-producer", producerCheckpoint, down, { namespace: "l1-" });
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("Kafka did not answer");
    expect(verdict.message).toContain("your earlier result is kept");
    expect(verdict.message).not.toContain("ECONNREFUSED");
  });

  it("asks the broker, once, for everything the checks and the grader read, in the learner's namespace", async () => {
    const asked: [string, ReturnType<typeof snapshotRequest>][] = [];
    const broker: BrokerState = {
      snapshot: async (namespace, request) => {
        asked.push([namespace, request]);
        return snapshotOf([]);
      },
    };
    const etl = spec({
      title: "t",
      checks: [{ type: "group-caught-up", group: "etl", topic: "page-views" }],
      reads: { topics: ["page-views", "page-views-clean"], groups: [{ group: "etl", topic: "page-views" }] },
    });
    await gradeCheckpoint("stream-etl", etl, broker, { namespace: "l1-" });
    expect(asked).toHaveLength(1);
    expect(asked[0]![0]).toBe("l1-");
    expect(asked[0]![1]).toMatchObject({ topics: ["page-views", "page-views-clean"], records: ["page-views", "page-views-clean"] });
  });
});
