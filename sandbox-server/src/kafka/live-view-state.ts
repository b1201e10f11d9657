// Turns readings of a learner's Kafka into what the live view shows, remembering what one reading
// cannot tell: the last records to arrive, and each group's lag over the last minutes. Pure: the
// readings come in, views go out.
import type { LiveGroup, LivePartition, LiveRecord, LiveTopic, LiveView } from "../contract/live-view.ts";
import type { GroupReading } from "./namespace-groups.ts";
import type { NamespaceReading, PartitionReading, TopicReading } from "./namespace-reader.ts";

export interface LiveViewOptions {
  /** Records the view keeps, newest first. */
  records: number;
  /** One point of a group's lag chart per this many ms (the last point follows the lag until the next). */
  sampleMs: number;
  /** How far back a group's lag chart goes. */
  historyMs: number;
}

const DEFAULTS: LiveViewOptions = { records: 20, sampleMs: 5000, historyMs: 5 * 60_000 };

/**
 * What writes with acks=all need in sync: the topic's min.insync.replicas, but never more than the replicas
 * there are (a setting of 2 on a topic with one replica asks for what cannot be, and Kafka accepts its writes).
 */
export function effectiveMinInsync(setting: number | null, replicas: number): number {
  return Math.max(1, Math.min(setting ?? 1, replicas));
}

export function partitionView(p: PartitionReading, effectiveMin: number): LivePartition {
  return {
    ...p,
    records: Math.max(0, p.logEnd - p.logStart),
    underReplicated: p.isr.length < p.replicas.length,
    underMinIsr: p.isr.length < effectiveMin,
  };
}

export function topicView(topic: TopicReading): LiveTopic {
  const replicas = Math.max(1, ...topic.partitions.map((p) => p.replicas.length));
  const effective = effectiveMinInsync(topic.minInsync, replicas);
  return {
    name: topic.name,
    topicId: topic.topicId,
    minInsyncReplicas: { setting: topic.minInsync, effective },
    partitions: topic.partitions.map((p) => partitionView(p, effectiveMinInsync(topic.minInsync, p.replicas.length))),
  };
}

/** A group's offsets on every partition it committed on or holds, its lag, and how old its oldest unread record is. */
export function groupView(group: GroupReading, topics: TopicReading[], at: number): Omit<LiveGroup, "lagHistory"> {
  const keys = new Map<string, { topic: string; partition: number }>();
  for (const { topic, partition } of group.committed) keys.set(`${topic}/${partition}`, { topic, partition });
  for (const member of group.members)
    for (const { topic, partitions } of member.assigned) for (const partition of partitions) keys.set(`${topic}/${partition}`, { topic, partition });
  const offsets = [...keys.values()]
    .flatMap(({ topic, partition }) => {
      const logEnd = topics.find((t) => t.name === topic)?.partitions.find((p) => p.partition === partition)?.logEnd;
      if (logEnd === undefined) return [];
      const committed = group.committed.find((c) => c.topic === topic && c.partition === partition)?.offset ?? null;
      return [{ topic, partition, committed, logEnd, lag: committed === null ? null : Math.max(0, logEnd - committed) }];
    })
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const known = offsets.filter((o) => o.lag !== null);
  const waiting = known.filter((o) => o.lag! > 0).map((o) => group.unreadSince.get(`${o.topic}/${o.partition}`));
  const timeLagMs =
    known.length === 0 ? null : waiting.length === 0 ? 0 : waiting.includes(undefined) ? null : Math.max(0, ...waiting.map((since) => at - since!));
  return {
    name: group.name,
    state: group.state,
    members: group.members,
    offsets,
    totalLag: known.reduce((sum, o) => sum + o.lag!, 0),
    timeLagMs,
  };
}

/** The view of one learner's Kafka, reading after reading. */
export class LiveViewState {
  readonly #cluster: string;
  readonly #options: LiveViewOptions;
  /** Newest first, with the id of the topic each record was written to. */
  #records: (LiveRecord & { topicId: string })[] = [];
  readonly #lagHistory = new Map<string, { at: number; lag: number }[]>();

  constructor(cluster: string, options: Partial<LiveViewOptions> = {}) {
    this.#cluster = cluster;
    this.#options = { ...DEFAULTS, ...options };
  }

  next(reading: NamespaceReading): LiveView {
    const ids = new Map(reading.topics.map((topic) => [topic.name, topic.topicId]));
    const arrived = reading.arrived.map((record) => ({ ...record, topicId: ids.get(record.topic) ?? "" })).reverse();
    // A topic deleted or made anew takes its records with it.
    this.#records = [...arrived, ...this.#records].filter((record) => ids.get(record.topic) === record.topicId).slice(0, this.#options.records);
    const brokerIds = new Set([...reading.brokersUp, ...reading.topics.flatMap((t) => t.partitions.flatMap((p) => p.replicas))]);
    const groups = reading.groups.map((group) => {
      const view = groupView(group, reading.topics, reading.at);
      return { ...view, lagHistory: this.#sample(group.name, reading.at, view.totalLag) };
    });
    for (const name of this.#lagHistory.keys()) if (!reading.groups.some((group) => group.name === name)) this.#lagHistory.delete(name);
    return {
      cluster: this.#cluster,
      at: reading.at,
      brokers: [...brokerIds].sort((a, b) => a - b).map((id) => ({ id, up: reading.brokersUp.includes(id) })),
      topics: reading.topics.map(topicView),
      records: this.#records.map(({ topicId: _, ...record }) => record),
      groups,
    };
  }

  /** Adds a point to a group's lag chart once per sample period; until then the last point follows the lag. */
  #sample(group: string, at: number, lag: number): { at: number; lag: number }[] {
    const history = this.#lagHistory.get(group) ?? [];
    const last = history.at(-1);
    if (last && at - last.at < this.#options.sampleMs) last.lag = lag;
    else history.push({ at, lag });
    while (history.length > 0 && at - history[0]!.at > this.#options.historyMs) history.shift();
    this.#lagHistory.set(group, history);
    return history.map((point) => ({ ...point }));
  }
}
