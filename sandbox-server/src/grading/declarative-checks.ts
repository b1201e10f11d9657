// The declarative checks of checkpoint.json, each a pure function of one broker snapshot. A failed
// check says what it expected, what it found and, where it can, one example from the learner's data,
// in the words of the language the judged run was written in.
import type { BrokerSnapshot, TopicRecord, TopicState } from "../kafka/index.ts";
import { groupKey } from "../kafka/index.ts";
import type { CheckSpec } from "../exercises/index.ts";
import type { CheckResult } from "../contract/verdict.ts";
import type { Language } from "../contract/languages.ts";

/** A check's result, or "unavailable": the cluster itself is not whole (a broker down), so nothing is judged. */
export type CheckOutcome = CheckResult | { status: "unavailable"; message: string };

/** How the checks see the learner's work. */
export interface CheckView {
  /** The judged run's language: advice names its client's calls. */
  language: Language;
  /** Per topic the exercise owns, where the judged run's records begin (partition → offset); absent: every record counts. */
  runStart: ReadonlyMap<string, Record<number, number>>;
}

const TYPESCRIPT_VIEW: CheckView = { language: "typescript", runStart: new Map() };

export const plural = (n: number, word: string) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
const shown = (text: string | null) => (text === null ? "no key" : `"${text.length > 60 ? `${text.slice(0, 57)}…` : text}"`);

/** The same advice in each language's words; TypeScript's stands in where a language has none of its own. */
const say = (language: Language, words: { typescript: string; python?: string; sql?: string }) => words[language] ?? words.typescript;

/** Records a topic holds now: the sum over partitions of log-end minus log-start. */
export function recordCount(topic: Pick<TopicState, "partitions">): number {
  return topic.partitions.reduce((sum, p) => sum + (p.high - p.low), 0);
}

const noTopic = (topic: string, title: string): CheckResult => ({
  title,
  status: "fail",
  message: `There is no topic \`${topic}\` on the broker yet. Run your program: it creates the topic.`,
});

/** A duration in milliseconds as a learner would say it. */
function humanMs(value: string): string {
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms < 0) return value;
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
  ];
  const [size, unit] = units.find(([size]) => ms >= size && ms % size === 0) ?? units.find(([size]) => ms >= size) ?? [1, "millisecond"];
  const amount = ms / size;
  return `${Number.isInteger(amount) ? amount : amount.toFixed(1)} ${unit}${amount === 1 ? "" : "s"}`;
}

function failWith(title: string, message: string, advice?: string): CheckResult {
  return { title, status: "fail", message: advice ? `${message} ${advice}` : message };
}

/** Why a group has committed nothing, in the language's words. */
function noCommitReason(
  check: Extract<CheckSpec, { type: "group-caught-up" }>,
  state: { exists: boolean; members: number },
  language: Language,
): string {
  const { group, topic } = check;
  if (!state.exists) {
    return say(language, {
      typescript: `No consumer has joined group \`${group}\`: does your consumer use groupId group("${group}") and call consumer.run?`,
      python: `No consumer has joined group \`${group}\`: does your consumer use group_id=group("${group}") and read messages?`,
    });
  }
  if (check.commits === "manual") {
    return say(language, {
      typescript: "With autoCommit: false nothing is committed until your program calls consumer.commitOffsets after handling a message.",
      python: "With enable_auto_commit=False nothing is committed until your program calls consumer.commit() after handling a message.",
    });
  }
  if (state.members > 0) {
    return say(language, {
      typescript: `A consumer is in group \`${group}\` but has not handled any message of \`${topic}\`. Did it subscribe with fromBeginning: true? A new group otherwise starts at the end and waits for new messages only.`,
      python: `A consumer is in group \`${group}\` but has not handled any message of \`${topic}\`. Did it start with auto_offset_reset="earliest"? A new group otherwise starts at the end and waits for new messages only.`,
    });
  }
  return say(language, {
    typescript: `A consumer joined group \`${group}\` and left without handling any message of \`${topic}\`. Subscribe with fromBeginning: true, call consumer.run, and keep the consumer running (do not disconnect right after consumer.run) until it has printed the messages: kafkajs commits what eachMessage has handled.`,
    python: `A consumer joined group \`${group}\` and left without committing any message of \`${topic}\`. Read with auto_offset_reset="earliest", and commit what you handled (consumer.commit()) before consumer.close().`,
  });
}

function gradeGroupCaughtUp(
  check: Extract<CheckSpec, { type: "group-caught-up" }>,
  topic: TopicState,
  snapshot: BrokerSnapshot,
  view: CheckView,
): CheckResult {
  const title = `Consumer group \`${check.group}\` has read \`${check.topic}\` to the end`;
  const total = recordCount(topic);
  if (total === 0) {
    return failWith(
      title,
      `\`${check.topic}\` holds no messages yet, so group \`${check.group}\` has had nothing to read.`,
      check.whenEmpty ?? check.advice,
    );
  }
  const group = snapshot.groups.get(groupKey(check.group, check.topic));
  const committed = group?.committed ?? new Map<number, number>();
  if (committed.size === 0) {
    const reason = noCommitReason(check, { exists: !!group && group.state !== "Dead", members: group?.members ?? 0 }, view.language);
    return failWith(title, `Group \`${check.group}\` has committed no offset on \`${check.topic}\`. ${reason}`, check.advice);
  }
  const past = topic.partitions.find((p) => (committed.get(p.partition) ?? 0) > p.high);
  if (past) {
    const fix = say(view.language, {
      typescript:
        'Offsets are strings in kafkajs: `String(message.offset + 1)` joins text ("19" + 1 = "191"); use `String(Number(message.offset) + 1)`.',
      python: "Commit the offset of the next message to read, `message.offset + 1`, no more.",
    });
    return failWith(
      title,
      `Group \`${check.group}\` committed offset ${committed.get(past.partition)} on partition ${past.partition} of \`${check.topic}\`, past its end (${past.high}). ${fix}`,
      check.advice,
    );
  }
  // Behind = records between the committed offset (or the log start, if none) and the log end.
  const behindBy = topic.partitions.map((p) => ({ ...p, behind: Math.max(0, p.high - Math.max(p.low, committed.get(p.partition) ?? p.low)) }));
  const behind = behindBy.reduce((sum, p) => sum + p.behind, 0);
  if (behind === 0)
    return { title, status: "pass", message: `Group \`${check.group}\` has read all ${plural(total, "message")} of \`${check.topic}\`.` };
  const offByOne = check.commits === "manual" && behindBy.every((p) => p.behind <= 1 && (p.behind === 0 || committed.has(p.partition)));
  const why = offByOne
    ? `Its committed offset is that of the last message it handled. A committed offset is the next one to read: commit ${say(view.language, {
        typescript: "`Number(message.offset) + 1`",
        python: "`message.offset + 1`",
      })}.`
    : `Its consumer stopped before the end, or did not commit the last ones. Read until the end of the topic and commit what was handled, then check again.`;
  return failWith(title, `Group \`${check.group}\` is ${plural(behind, "message")} behind the end of \`${check.topic}\`. ${why}`, check.advice);
}

/** What a topic holds, said of the records being judged. */
const holdsPhrase = (topic: string, records: TopicRecord[], onlyLatestRun: boolean) =>
  onlyLatestRun
    ? `Your latest run wrote ${plural(records.length, "message")} to \`${topic}\``
    : `The topic holds ${plural(records.length, "message")}`;

function gradeRecordsInclude(check: Extract<CheckSpec, { type: "records-include" }>, records: TopicRecord[], onlyLatestRun: boolean): CheckResult {
  const title = `\`${check.topic}\` holds the ${plural(check.records.length, "expected message")}`;
  const have = new Set(records.map((r) => `${r.key}\u0000${r.value}`));
  const missing = check.records.find((e) => !have.has(`${e.key}\u0000${e.value}`));
  if (!missing) return { title, status: "pass", message: `\`${check.topic}\` holds all ${plural(check.records.length, "expected message")}.` };
  const sameValue = records.find((r) => r.value === missing.value);
  const sameKey = records.find((r) => r.key === missing.key && missing.key !== null);
  const empty = onlyLatestRun ? `Your latest run wrote nothing to \`${check.topic}\`.` : "The topic is empty.";
  const found = sameValue
    ? `The message ${shown(missing.value)} is there with ${sameValue.key === null ? "no key" : `key ${shown(sameValue.key)}`}; it should have ${missing.key === null ? "no key" : `key ${shown(missing.key)}`}.`
    : sameKey
      ? `The message with key ${shown(missing.key)} has value ${shown(sameKey.value)}; it should be ${shown(missing.value)}.`
      : `There is no message ${shown(missing.value)} with key ${shown(missing.key)}. ${records.length === 0 ? empty : `${holdsPhrase(check.topic, records, onlyLatestRun)}, the last one ${shown(records.at(-1)!.value)}.`}`;
  return failWith(title, found, check.advice);
}

function gradeKeysInOnePartition(check: Extract<CheckSpec, { type: "keys-in-one-partition" }>, records: TopicRecord[]): CheckResult {
  const title = `Every message of \`${check.topic}\` has a key, and each key stays in one partition`;
  const unkeyed = records.filter((r) => r.key === null);
  if (unkeyed.length) {
    return failWith(
      title,
      `${plural(unkeyed.length, "message")} of \`${check.topic}\` ${unkeyed.length === 1 ? "has" : "have"} no key, e.g. ${shown(unkeyed[0]!.value)} in partition ${unkeyed[0]!.partition}. Without a key the producer spreads messages over the partitions, and their order is lost.`,
      check.advice,
    );
  }
  const pattern = check.keyPattern ? new RegExp(check.keyPattern) : undefined;
  const odd = pattern && records.find((r) => !pattern.test(r.key!));
  if (odd)
    return failWith(
      title,
      `The message ${shown(odd.value)} has key ${shown(odd.key)}, which is not the kind of key this exercise asks for.`,
      check.advice,
    );
  const partitionsOf = new Map<string, Set<number>>();
  for (const r of records) partitionsOf.set(r.key!, (partitionsOf.get(r.key!) ?? new Set()).add(r.partition));
  const split = [...partitionsOf].find(([, parts]) => parts.size > 1);
  if (split) return failWith(title, `Key ${shown(split[0])} is in partitions ${[...split[1]].join(" and ")}: its order is lost.`, check.advice);
  return { title, status: "pass", message: `${plural(partitionsOf.size, "key")}, each in one partition.` };
}

function gradeRecordsShape(
  check: Extract<CheckSpec, { type: "records-shape" }>,
  records: TopicRecord[],
  view: CheckView,
  onlyLatestRun: boolean,
): CheckResult {
  const title = `Every message of \`${check.topic}\` is a JSON object${check.fields.length ? ` with ${check.fields.join(", ")}` : ""}`;
  if (records.length === 0)
    return failWith(
      title,
      onlyLatestRun ? `Your latest run wrote no messages to \`${check.topic}\`.` : `\`${check.topic}\` holds no messages yet.`,
      check.advice,
    );
  for (const r of records) {
    if (check.keyed && r.key === null) return failWith(title, `The message ${shown(r.value)} (offset ${r.offset}) has no key.`, check.advice);
    let value: unknown;
    try {
      value = JSON.parse(r.value ?? "");
    } catch {
      value = undefined;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      const send = say(view.language, {
        typescript: "Send JSON.stringify(…) of an object.",
        python: "Send json.dumps(…) of a dict.",
        sql: "Give the table 'format' = 'json'.",
      });
      return failWith(
        title,
        `The message at offset ${r.offset} of partition ${r.partition} is ${shown(r.value)}, not a JSON object. ${send}`,
        check.advice,
      );
    }
    const lacks = check.fields.find((field) => !(field in value));
    if (lacks) return failWith(title, `The message ${shown(r.value)} has no field \`${lacks}\`.`, check.advice);
    const extra = check.forbidden.find((field) => field in value);
    if (extra)
      return failWith(title, `The message ${shown(r.value)} still has the field \`${extra}\`, which should have been dropped.`, check.advice);
  }
  return { title, status: "pass", message: `All ${plural(records.length, "message")} of \`${check.topic}\` have the expected shape.` };
}

/** min.insync.replicas leaves one broker to spare: at most the replicas less one (1 where there is one copy). */
function gradeMinInsyncReplicas(
  check: Extract<CheckSpec, { type: "topic-min-insync-replicas" }>,
  topic: TopicState | undefined,
  language: Language,
): CheckResult {
  const title = `Writes to \`${check.topic}\` go on with one broker down`;
  const value = topic?.config["min.insync.replicas"];
  if (!topic || value === undefined) return noTopic(check.topic, title);
  const replicas = Math.min(...topic.partitions.map((p) => p.replicas));
  // With one copy there is no broker to spare: 1 is the only setting that lets anything be written.
  const most = Math.max(1, replicas - 1);
  const minIsr = Number(value);
  const acksAll = say(language, { typescript: "acks -1", python: 'acks="all"' });
  const has = `Topic \`${check.topic}\` has min.insync.replicas=${value} with ${plural(replicas, "replica")} per partition`;
  if (minIsr <= most) {
    const spare =
      replicas > 1
        ? `a write with ${acksAll} succeeds with ${plural(replicas - minIsr, "broker")} down`
        : "on one copy, the only setting that takes writes";
    return { title, status: "pass", message: `${has}: ${spare}.` };
  }
  const why =
    minIsr > replicas
      ? `more in-sync copies than there are copies, so every write with ${acksAll} is refused`
      : `with one broker down only ${replicas - 1} ${replicas - 1 === 1 ? "copy is" : "copies are"} in sync, and every write with ${acksAll} is refused`;
  return failWith(title, `${has}: ${why}. Set it to at most ${most}${replicas > 1 ? " (the replicas less one)" : ""}.`, check.advice);
}

/** Grades one declarative check against the snapshot. */
export function gradeCheck(check: CheckSpec, snapshot: BrokerSnapshot, view: CheckView = TYPESCRIPT_VIEW): CheckOutcome {
  const topic = snapshot.topics.get(check.topic);
  const { language } = view;
  switch (check.type) {
    case "topic-exists": {
      const title = `Topic \`${check.topic}\` exists`;
      if (!topic) return noTopic(check.topic, title);
      return { title, status: "pass", message: `Topic \`${check.topic}\` exists with ${plural(topic.partitions.length, "partition")}.` };
    }
    case "topic-record-count": {
      const title = `Topic \`${check.topic}\` holds at least ${plural(check.atLeast, "message")}`;
      if (!topic) return noTopic(check.topic, title);
      const count = recordCount(topic);
      if (count >= check.atLeast) return { title, status: "pass", message: `Topic \`${check.topic}\` holds ${plural(count, "message")}.` };
      return failWith(
        title,
        `Topic \`${check.topic}\` holds ${plural(count, "message")}; it should hold at least ${check.atLeast.toLocaleString("en")}.`,
        check.advice,
      );
    }
    case "group-caught-up":
      if (!topic) return noTopic(check.topic, `Consumer group \`${check.group}\` has read \`${check.topic}\` to the end`);
      return gradeGroupCaughtUp(check, topic, snapshot, view);
    case "topic-partitions": {
      const title = `Topic \`${check.topic}\` has at least ${plural(check.atLeast, "partition")}`;
      if (!topic) return noTopic(check.topic, title);
      const count = topic.partitions.length;
      if (count >= check.atLeast) return { title, status: "pass", message: `Topic \`${check.topic}\` has ${plural(count, "partition")}.` };
      const create = say(language, { typescript: `numPartitions: ${check.atLeast}`, python: `num_partitions=${check.atLeast}` });
      return failWith(
        title,
        `Topic \`${check.topic}\` has ${plural(count, "partition")}; it needs at least ${check.atLeast}. A topic's partitions are set when it is created: delete it and create it again with ${create}.`,
        check.advice,
      );
    }
    case "partitions-with-records": {
      const title = `Records of \`${check.topic}\` are spread over at least ${plural(check.atLeast, "partition")}`;
      if (!topic) return noTopic(check.topic, title);
      const used = topic.partitions.filter((p) => p.high > p.low).length;
      const of = `${used} of the ${plural(topic.partitions.length, "partition")} of \`${check.topic}\``;
      if (used >= check.atLeast) return { title, status: "pass", message: `Records sit in ${of}.` };
      return failWith(
        title,
        `Only ${of} ${used === 1 ? "holds" : "hold"} records; at least ${check.atLeast} should. Give your messages different keys: the partitioner picks a partition from each key.`,
        check.advice,
      );
    }
    case "topic-replication": {
      const factor = check.factor === "all-brokers" ? snapshot.brokerCount : check.factor;
      const title = `Every partition of \`${check.topic}\` has ${plural(factor, "replica")}, all in sync`;
      if (!topic) return noTopic(check.topic, title);
      // More copies than live brokers, or copies out of sync: a broker is down or catching up, which is not the learner's doing.
      const degraded = topic.partitions.find((p) => p.inSync < p.replicas || p.replicas > snapshot.brokerCount);
      if (degraded) {
        return {
          status: "unavailable",
          message: `Partition ${degraded.partition} of \`${check.topic}\` has ${plural(degraded.replicas, "replica")} but only ${degraded.inSync} in sync with ${plural(snapshot.brokerCount, "broker")} answering: a broker is down or catching up.`,
        };
      }
      const short = topic.partitions.find((p) => p.replicas !== factor);
      if (!short) return { title, status: "pass", message: `Each partition of \`${check.topic}\` is copied to ${plural(factor, "broker")}.` };
      const create = say(language, { typescript: `replicationFactor: ${factor}`, python: `replication_factor=${factor}` });
      return failWith(
        title,
        `Partition ${short.partition} of \`${check.topic}\` has ${plural(short.replicas, "replica")}; it should have ${factor}. Create the topic with ${create} (delete it first if it exists).`,
        check.advice,
      );
    }
    case "topic-config": {
      const title = `Topic \`${check.topic}\` sets ${check.config} to ${check.equals}`;
      const value = topic?.config[check.config];
      if (!topic || value === undefined) return noTopic(check.topic, title);
      if (value === check.equals) return { title, status: "pass", message: `Topic \`${check.topic}\` has ${check.config}=${value}.` };
      const readable = check.config.endsWith(".ms") ? ` (${humanMs(value)}; it should be ${humanMs(check.equals)})` : "";
      return failWith(title, `Topic \`${check.topic}\` has ${check.config}=${value}${readable}; set it to ${check.equals}.`, check.advice);
    }
    case "topic-min-insync-replicas":
      return gradeMinInsyncReplicas(check, topic, language);
    case "records-include":
    case "keys-in-one-partition":
    case "records-shape": {
      const title = `Messages of \`${check.topic}\``;
      if (!topic) return noTopic(check.topic, title);
      // Judging only the messages that fitted could pass work the learner did not do: say what was too big instead.
      if (topic.tooBig) return failWith(title, topic.tooBig, "Write smaller messages, then Run and Check again.");
      const start = view.runStart.get(check.topic);
      const all = topic.records ?? [];
      const records = start ? all.filter((r) => r.offset >= (start[r.partition] ?? 0)) : all;
      const onlyLatestRun = records.length < all.length;
      if (check.type === "records-include") return gradeRecordsInclude(check, records, onlyLatestRun);
      if (check.type === "keys-in-one-partition") return gradeKeysInOnePartition(check, records);
      return gradeRecordsShape(check, records, view, onlyLatestRun);
    }
  }
}
