// The graders of the first lessons' exercises, on records and groups built here: each rule passing, and
// failing with the words the exercise's wrong programs promise.
import { describe, expect, it } from "vitest";
import type { GradedGroup, GradedRecord, GradedRun, GradedTopic, GraderCheck, GraderInput } from "#contract/grader";
import gradeProducer from "../../content/kafka-basics/first-producer-consumer/exercises/first-producer/grader.ts";
import gradeConsumer from "../../content/kafka-basics/first-producer-consumer/exercises/first-consumer/grader.ts";
import gradeTargets from "../../content/why-kafka/decoupling/exercises/two-targets/grader.ts";
import gradeEtl from "../../content/why-kafka/what-flows/exercises/stream-etl/grader.ts";
import gradeBench from "../../content/why-kafka/why-kafka/exercises/measure-producer/grader.ts";

type Message = { key: string | null; value: string; partition?: number };

/** A topic holding these messages, offsets counted per partition; `runStart` marks where the judged run's begin. */
function topicOf(name: string, messages: Message[], options: { partitions?: number; runStart?: Record<number, number> } = {}): GradedTopic {
  const next = new Map<number, number>();
  const records: GradedRecord[] = messages.map(({ key, value, partition = 0 }) => {
    const offset = next.get(partition) ?? 0;
    next.set(partition, offset + 1);
    return { partition, offset, timestamp: 0, key, value, headers: {} };
  });
  return { name, partitions: options.partitions ?? 1, records, truncated: false, runStart: options.runStart ?? {} };
}

const groupOf = (name: string, topic: string, committed: Record<number, number>, state = "Empty", members = 0): GradedGroup => ({
  name,
  topic,
  committed,
  state,
  members,
});

const run = (language: GradedRun["language"], ended = true): GradedRun => ({
  id: "r1",
  language,
  startedAt: "2026-01-01T00:00:00Z",
  freshSlate: false,
  ...(ended ? { endedAt: "2026-01-01T00:00:05Z", outcome: "exited", exitCode: 0 } : {}),
});

const verdictOf = (checks: GraderCheck[]) => checks.find((c) => c.status === "fail") ?? { status: "pass" as const, message: "" };
const ten = (from = 1): Message[] => Array.from({ length: 10 }, (_, i) => ({ key: String(i + from), value: `message ${i + from}` }));

describe("the first-producer grader", () => {
  const grade = (messages: Message[], runStart: Record<number, number> = {}) =>
    verdictOf(gradeProducer({ topics: { messages: topicOf("messages", messages, { runStart }) }, groups: {} }));

  it("passes the ten messages, once each", () => {
    expect(grade(ten()).status).toBe("pass");
  });

  it("judges only the latest run's messages: an earlier run's ten are not a duplicate", () => {
    expect(grade([...ten(), ...ten()], { 0: 10 }).status).toBe("pass");
  });

  it("fails a message sent twice, saying twice and where", () => {
    const verdict = grade([...ten(), { key: "3", value: "message 3" }]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain('sent "message 3" (key "3") twice, at offsets 2, 10');
  });

  it("fails the whole batch sent in a loop, saying 10 times", () => {
    expect(grade(Array.from({ length: 10 }, () => ten()).flat()).message).toContain("10 times");
  });

  it("fails an eleventh message, naming it", () => {
    expect(grade([...ten(), { key: "11", value: "message 11" }]).message).toContain('also sent "message 11" with key "11"');
  });

  it("fails a run that sent nothing, though an earlier run sent the ten", () => {
    expect(grade(ten(), { 0: 10 }).message).toContain("Your latest run sent no message");
  });

  it("fails a missing message, naming it", () => {
    expect(grade(ten().slice(0, 9)).message).toContain('there is no message "message 10" with key "10"');
  });
});

describe("the first-consumer grader", () => {
  const grade = (group: GradedGroup | undefined, options: { messages?: Message[]; language?: GradedRun["language"]; running?: boolean } = {}) => {
    const input: GraderInput = {
      topics: { messages: topicOf("messages", options.messages ?? ten()) },
      groups: group ? { "message-readers/messages": group } : {},
      run: run(options.language ?? "typescript", !options.running),
    };
    return verdictOf(gradeConsumer(input));
  };
  const readers = (committed: Record<number, number>, state?: string, members?: number) =>
    groupOf("message-readers", "messages", committed, state, members);

  it("passes a group that has committed the end of `messages`", () => {
    expect(grade(readers({ 0: 10 })).status).toBe("pass");
  });

  it("says no consumer has joined the group when it does not exist, in each language's words", () => {
    expect(grade(undefined).message).toContain(
      'No consumer has joined group `message-readers`: does your consumer use groupId group("message-readers")',
    );
    expect(grade(readers({}, "Dead"), { language: "python" }).message).toContain('group_id=group("message-readers")');
  });

  it("asks a TypeScript consumer in the group that read nothing about fromBeginning", () => {
    expect(grade(readers({}, "Stable", 1), { running: true }).message).toContain("Did it subscribe to MESSAGES with fromBeginning: true?");
  });

  it("tells a TypeScript consumer that left at once not to disconnect right after consumer.run", () => {
    expect(grade(readers({}, "Empty", 0)).message).toContain("do not disconnect right after consumer.run");
  });

  it("tells a Python consumer that never commits about consumer.commit(), in the group or gone", () => {
    expect(grade(readers({}, "Stable", 1), { language: "python", running: true }).message).toContain("consumer.commit()");
    expect(grade(readers({}, "Empty", 0), { language: "python" }).message).toContain("consumer.commit()");
  });

  it("fails a group behind the end, naming the first message it has not read and a fixed count as the cause", () => {
    const verdict = grade(readers({ 0: 10 }), { messages: [...ten(), ...ten(11)] });
    expect(verdict.message).toContain('10 messages behind the end of `messages`: the next one it has not read is "message 11" (offset 10)');
    expect(verdict.message).toContain("not a fixed number of messages");
  });

  it("fails an offset committed past the end, as text joined in TypeScript", () => {
    expect(grade(readers({ 0: 91 })).message).toContain("String(Number(message.offset) + 1)");
  });

  it("fails while `messages` is empty, pointing to the producer exercise", () => {
    expect(grade(readers({}), { messages: [] }).message).toContain("send messages with the producer exercise");
  });
});

describe("the two-targets grader", () => {
  const orders = (runs: number) =>
    Array.from({ length: runs }, () =>
      ["book", "lamp", "kettle", "chair", "plant"].map((item, i) => ({ key: `order-${i + 1}`, value: item })),
    ).flat();
  const grade = (groups: GradedGroup[], options: { runs?: number; language?: GradedRun["language"] } = {}) => {
    const runs = options.runs ?? 1;
    return verdictOf(
      gradeTargets({
        topics: { orders: topicOf("orders", orders(runs), { runStart: { 0: (runs - 1) * 5 } }) },
        groups: Object.fromEntries(groups.map((g) => [`${g.name}/orders`, g])),
        run: run(options.language ?? "typescript"),
      }),
    );
  };
  const at = (name: string, offset: number | undefined, state = "Empty", members = 0) =>
    groupOf(name, "orders", offset === undefined ? {} : { 0: offset }, offset === undefined ? state : "Empty", members);

  it("passes when billing and shipping have both read to the end", () => {
    expect(grade([at("billing", 10), at("shipping", 10)], { runs: 2 }).status).toBe("pass");
  });

  it("says shipping never joined, and that billing did read the orders", () => {
    const verdict = grade([at("billing", 5), at("shipping", undefined, "Dead")]);
    expect(verdict.message).toContain("No consumer has joined group `shipping`");
    expect(verdict.message).toContain("Group `billing` did read them all.");
  });

  it("asks a TypeScript shipping group that joined and read nothing about fromBeginning", () => {
    expect(grade([at("billing", 5), at("shipping", undefined, "Stable", 1)]).message).toContain("fromBeginning: true");
  });

  it("tells a Python shipping group that left without committing about consumer.commit()", () => {
    expect(grade([at("billing", 5), at("shipping", undefined, "Empty", 0)], { language: "python" }).message).toContain(
      "call consumer.commit() before consumer.close()",
    );
  });

  it("says a group that read none of the latest run's orders was not read in (a stray name) or stopped early", () => {
    const verdict = grade([at("billing", 10), at("shipping", 5)], { runs: 2 });
    expect(verdict.message).toContain(
      "Group `shipping` has read none of the 5 orders your latest run wrote: it is at offset 5 of `orders`, which ends at 10",
    );
    expect(verdict.message).toContain('no target of your latest run read in group "shipping" (is it spelt exactly so: target("shipping")?)');
    expect(verdict.message).toContain("not a fixed number of orders");
    expect(verdict.message).toContain("Group `billing` did read them all.");
  });

  it("says a group that read part of the latest run's orders stopped at a fixed number", () => {
    const partly = grade([at("billing", 15), at("shipping", 12)], { runs: 3 });
    expect(partly.message).toContain("Group `shipping` read 2 of the 5 orders your latest run wrote, then stopped");
    expect(partly.message).toContain("not a fixed number of orders");
  });

  it("fails a run that wrote no order, though the groups are at the end", () => {
    const verdict = verdictOf(
      gradeTargets({
        topics: { orders: topicOf("orders", orders(1), { runStart: { 0: 5 } }) },
        groups: { "billing/orders": at("billing", 5), "shipping/orders": at("shipping", 5) },
      }),
    );
    expect(verdict.message).toContain("Your latest run wrote no order");
  });
});

describe("the stream-etl grader", () => {
  const COUNTRIES: Record<string, string> = { DE: "Germany", FR: "France", JP: "Japan", BR: "Brazil" };
  const codes = ["DE", "FR", "JP", "BR", "NL"];
  const raws = Array.from({ length: 20 }, (_, i) => ({
    user: `user-${i % 7}`,
    page: ["/", "/pricing", "/docs", "/blog"][i % 4]!,
    country: codes[i % codes.length]!,
    userAgent: "Mozilla/5.0",
    sessionCookie: `c${i}`,
  }));
  type Raw = (typeof raws)[number];
  const right = (raw: Raw) => ({ user: raw.user, page: raw.page, country: COUNTRIES[raw.country] ?? "unknown" });
  const grade = (
    clean: Message[],
    options: { language?: GradedRun["language"]; etl?: GradedGroup } = {},
  ): GraderCheck | { status: "pass"; message: string } =>
    verdictOf(
      gradeEtl({
        topics: {
          "page-views": topicOf(
            "page-views",
            raws.map((raw) => ({ key: raw.user, value: JSON.stringify(raw) })),
          ),
          "page-views-clean": topicOf("page-views-clean", clean),
        },
        groups: { "etl/page-views": options.etl ?? groupOf("etl", "page-views", { 0: 20 }) },
        run: run(options.language ?? "typescript"),
      }),
    );
  const load = (transform: (raw: Raw) => object, key: (raw: Raw) => string | null = (raw) => raw.user) =>
    raws.map((raw) => ({ key: key(raw), value: JSON.stringify(transform(raw)) }));

  it("passes every view loaded once, transformed, with a code the table lacks named unknown", () => {
    expect(grade(load(right)).status).toBe("pass");
  });

  it("fails a view loaded twice, saying twice", () => {
    const verdict = grade([...load(right), ...load(right)]);
    expect(verdict.message).toContain("is in `page-views-clean` twice (offsets 0, 20), but its raw view was read once");
  });

  it("fails raw views copied as they came, naming the field", () => {
    expect(grade(load((raw) => raw)).message).toContain("still has the field `userAgent`");
  });

  it("fails a dropped page and a kept country code", () => {
    expect(grade(load(({ user, country }) => ({ user, country: COUNTRIES[country] ?? "unknown" }))).message).toContain("has no field `page`");
    expect(grade(load(({ user, page, country }) => ({ user, page, country }))).message).toContain('still has the country code "DE"');
  });

  it("fails a code the table lacks left out or sent as null, saying it becomes unknown", () => {
    const missing = grade(
      load((raw) => ({ user: raw.user, page: raw.page, ...(COUNTRIES[raw.country] ? { country: COUNTRIES[raw.country] } : {}) })),
    );
    expect(missing.message).toContain('has the code "NL", and a code COUNTRIES lacks becomes "unknown"');
    const none = grade(load((raw) => ({ user: raw.user, page: raw.page, country: COUNTRIES[raw.country] ?? null })));
    expect(none.message).toContain('says country null, but its raw view has the code "NL"');
    expect(none.message).toContain('a code COUNTRIES lacks becomes "unknown"');
  });

  it("fails a view without a key, or keyed by something else than its user", () => {
    expect(grade(load(right, () => null)).message).toContain("has no key: key it by its user");
    expect(grade(load(right, (raw) => raw.page)).message).toContain('has key "/": key it by its user, "user-0"');
  });

  it("fails Python's own text of a dict, in Python's words", () => {
    const text = raws.map((raw) => ({ key: raw.user, value: `{'user': '${raw.user}'}` }));
    expect(grade(text, { language: "python" }).message).toContain("not a JSON object: send json.dumps(clean)");
    expect(grade(text).message).toContain("send JSON.stringify(clean)");
  });

  it("fails an empty output, saying why from what group etl did", () => {
    expect(grade([]).message).toContain("`page-views-clean` is empty, though your processor read 20 of the 20 raw views");
    expect(grade([], { etl: groupOf("etl", "page-views", {}, "Stable", 1) }).message).toContain("Subscribe with fromBeginning: true");
    expect(grade([], { etl: groupOf("etl", "page-views", {}, "Dead") }).message).toContain('groupId: group("etl")');
    expect(grade([], { language: "python", etl: groupOf("etl", "page-views", {}, "Empty") }).message).toContain('auto_offset_reset="earliest"');
  });

  it("fails views missing from the output, with an example", () => {
    expect(grade(load(right).slice(0, 15)).message).toContain("5 of the 20 raw views have no clean view yet");
  });

  it("fails every view loaded outside the group etl", () => {
    expect(grade(load(right), { etl: groupOf("etl", "page-views", {}, "Dead") }).message).toContain(
      'read the raw views in the group groupId: group("etl")',
    );
  });
});

describe("the measure-producer grader", () => {
  const readings = (key: (i: number) => string | null, partitionOf: (key: string | null, i: number) => number, n = 3000): Message[] =>
    Array.from({ length: n }, (_, i) => ({ key: key(i), value: JSON.stringify({ reading: i, at: 0 }), partition: partitionOf(key(i), i) }));
  const grade = (messages: Message[]) => verdictOf(gradeBench({ topics: { bench: topicOf("bench", messages, { partitions: 3 }) }, groups: {} }));

  it("passes 3,000 readings over all three partitions", () => {
    expect(
      grade(
        readings(
          (i) => `sensor-${i % 30}`,
          (_, i) => i % 3,
        ),
      ).status,
    ).toBe("pass");
  });

  it("fails one key in one partition, naming the key", () => {
    const verdict = grade(
      readings(
        () => "sensor",
        () => 1,
      ),
    );
    expect(verdict.message).toContain('Only partition 1 of the 3 holds messages: every message has the key "sensor"');
  });

  it("fails three keys that hash to two partitions, showing where each went", () => {
    const partition: Record<string, number> = { "sensor-0": 0, "sensor-1": 1, "sensor-2": 1 };
    const verdict = grade(
      readings(
        (i) => `sensor-${i % 3}`,
        (key) => partition[key!]!,
      ),
    );
    expect(verdict.message).toContain(
      'Only partitions 0 and 1 of the 3 hold messages: your 3 keys went "sensor-0" → 0, "sensor-1" → 1, "sensor-2" → 1',
    );
    expect(verdict.message).toContain("3 keys need not fill 3 partitions");
  });

  it("fails one batch of 100, and a batch sent twice", () => {
    expect(
      grade(
        readings(
          (i) => `sensor-${i % 30}`,
          (_, i) => i % 3,
          100,
        ),
      ).message,
    ).toContain("Your run sent 100 messages");
    const twice = readings(
      (i) => `sensor-${i % 30}`,
      (_, i) => i % 3,
      2900,
    );
    twice.push(...twice.slice(0, 100));
    expect(grade(twice).message).toContain("Reading 0 is in `bench` twice");
  });
});
