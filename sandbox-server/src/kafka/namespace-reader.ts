// Reads one learner's Kafka as that learner and under their namespace only: which topics they have and
// where each partition lives (leader, replicas, ISR, ELR), the offsets, the records that arrived since
// the last reading, and their consumer groups. One request at a time, never two. The pause between two
// readings is a Fetch the broker holds until a record arrives (or the pause is over), so a new record is
// seen at once while an idle namespace costs a few requests a second.
import { ConfigResourceTypes, describeConfigsV4, describeTopicPartitionsV0, fetchV17, listOffsetsV9, type Connection } from "@platformatic/kafka";
import type { LiveRecord } from "../contract/live-view.ts";
import { fetchedRecords } from "./fetched-records.ts";
import { LearnerConnections, type WatchedCluster } from "./learner-connections.ts";
import { NamespaceGroups, type GroupReading } from "./namespace-groups.ts";
import { responseDespiteErrors } from "./protocol-errors.ts";

export interface PartitionReading {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  elr: number[];
  offline: number[];
  logStart: number;
  logEnd: number;
}

export interface TopicReading {
  /** As the lesson names it, without the namespace. */
  name: string;
  topicId: string;
  /** min.insync.replicas as the broker applies it to this topic; null until read. */
  minInsync: number | null;
  partitions: PartitionReading[];
}

/** One reading of a learner's Kafka. */
export interface NamespaceReading {
  at: number;
  /** Brokers the cluster lists as serving now. */
  brokersUp: number[];
  topics: TopicReading[];
  /** Records that arrived since the reading before, oldest first. */
  arrived: LiveRecord[];
  groups: GroupReading[];
}

const READ_COMMITTED = 1;
/** Records a partition's first reading looks back for, so a fresh view is not empty. */
const LOOK_BACK = 5;
/** A partition further behind than this jumps ahead: the view shows the last records, not all of them. */
const MAX_BEHIND = 50;
const PARTITION_BYTES = 32 * 1024;
/** Configs change rarely (a learner's program may alter them): read again every few readings. */
const CONFIGS_EVERY = 5;
const KEY_CHARS = 40;
const VALUE_CHARS = 80;
/** Kafka's code for a partition this broker does not lead (any more). */
const NOT_LEADER = new Set([6, 74, 75]);

const cut = (text: string, length: number) => (text.length > length ? `${text.slice(0, length)}…` : text);

export class NamespaceReader {
  readonly #namespace: string;
  readonly #connections: LearnerConnections;
  readonly #groups: NamespaceGroups;
  /** The next offset to fetch, per "topicId/partition". */
  readonly #positions = new Map<string, bigint>();
  /** What the last fetch said of each partition's offsets, per "topicId/partition". */
  readonly #offsets = new Map<string, { logStart: number; logEnd: number }>();
  readonly #minInsync = new Map<string, number>();
  #readings = 0;

  constructor(cluster: WatchedCluster, namespace: string, waitMs: number) {
    this.#namespace = namespace;
    this.#connections = new LearnerConnections(cluster, waitMs + 10_000);
    this.#groups = new NamespaceGroups(this.#connections, namespace);
  }

  /** Requests sent so far. */
  get requests(): number {
    return this.#connections.requests;
  }

  /** Reads the namespace once, waiting up to `waitMs` for records to arrive. */
  async read(waitMs: number): Promise<NamespaceReading> {
    await this.#connections.refreshBrokers();
    const topics = await this.#describeTopics();
    if (this.#readings++ % CONFIGS_EVERY === 0 || topics.some((t) => !this.#minInsync.has(t.topicId))) await this.#readMinInsync(topics);
    await this.#startNewPartitions(topics);
    const arrived = await this.#fetchArrivals(topics, waitMs);
    for (const topic of topics) {
      topic.minInsync = this.#minInsync.get(topic.topicId) ?? null;
      for (const p of topic.partitions) Object.assign(p, this.#offsets.get(`${topic.topicId}/${p.partition}`));
    }
    const groups = await this.#groups.read(topics);
    this.#forgetGone(topics);
    return { at: Date.now(), brokersUp: [...this.#connections.brokers.keys()].sort((a, b) => a - b), topics, arrived, groups };
  }

  async close(): Promise<void> {
    await this.#connections.close();
  }

  /** Every topic the learner may describe (the broker lists no others), kept to their namespace. */
  async #describeTopics(): Promise<TopicReading[]> {
    // The broker answers a page of partitions at a time, in name order: start at the namespace and page on while in it,
    // so a broker with many topics (other learners', the course's) still shows all of this learner's.
    const listed: Awaited<ReturnType<typeof describeTopicPartitionsV0.api.async>>["topics"] = [];
    let cursor: { topicName: string; partitionIndex: number } | null = { topicName: this.#namespace, partitionIndex: 0 };
    while (cursor) {
      const from: { topicName: string; partitionIndex: number } = cursor;
      const page = await this.#connections.toAny((connection) =>
        responseDespiteErrors(describeTopicPartitionsV0.api.async(connection, [], 2000, from)),
      );
      listed.push(...page.topics);
      cursor = page.nextCursor?.topicName.startsWith(this.#namespace) ? page.nextCursor : null;
    }
    return listed
      .filter((topic) => topic.errorCode === 0 && topic.name?.startsWith(this.#namespace))
      .map((topic) => ({
        name: topic.name!.slice(this.#namespace.length),
        topicId: topic.topicId,
        minInsync: null,
        partitions: topic.partitions
          .map((p) => ({
            partition: p.partitionIndex,
            leader: p.leaderId,
            leaderEpoch: p.leaderEpoch,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
            elr: p.eligibleLeaderReplicas ?? [],
            offline: p.offlineReplicas,
            logStart: 0,
            logEnd: 0,
          }))
          .sort((a, b) => a.partition - b.partition),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async #readMinInsync(topics: TopicReading[]): Promise<void> {
    if (topics.length === 0) return;
    const resources = topics.map((topic) => ({
      resourceType: ConfigResourceTypes.TOPIC,
      resourceName: this.#namespace + topic.name,
      configurationKeys: ["min.insync.replicas"],
    }));
    const response = await this.#connections.toAny((connection) =>
      responseDespiteErrors(describeConfigsV4.api.async(connection, resources, false, false)),
    );
    for (const result of response.results) {
      const topic = topics.find((t) => this.#namespace + t.name === result.resourceName);
      const value = Number(result.configs.find((config) => config.name === "min.insync.replicas")?.value);
      if (topic && result.errorCode === 0 && Number.isInteger(value)) this.#minInsync.set(topic.topicId, value);
    }
  }

  /** Partitions seen for the first time start a few records before their end, asked of their leaders. */
  async #startNewPartitions(topics: TopicReading[]): Promise<void> {
    for (const [leader, parts] of this.#byLeader(topics, (key) => !this.#positions.has(key))) {
      const byTopic = new Map<string, number[]>();
      for (const { topic, partition } of parts) byTopic.set(topic.name, [...(byTopic.get(topic.name) ?? []), partition.partition]);
      const ask = (timestamp: bigint) => (connection: Connection) =>
        responseDespiteErrors(
          listOffsetsV9.api.async(
            connection,
            -1,
            READ_COMMITTED,
            [...byTopic].map(([name, partitions]) => ({
              name: this.#namespace + name,
              partitions: partitions.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp })),
            })),
          ),
        );
      // Kafka's special timestamps: -2 asks for the log start, -1 for the end (the last stable offset, read_committed).
      // A leader that does not answer (it died, and is not fenced yet) is asked again at the next reading.
      const earliest = await this.#connections.toBroker(leader, ask(-2n)).catch(() => undefined);
      const latest = earliest && (await this.#connections.toBroker(leader, ask(-1n)).catch(() => undefined));
      if (!earliest || !latest) continue;
      const offsetOf = (answer: typeof earliest, name: string, partition: number) =>
        answer.topics.find((t) => t.name === this.#namespace + name)?.partitions.find((p) => p.partitionIndex === partition && p.errorCode === 0)
          ?.offset;
      for (const { topic, partition } of parts) {
        const low = offsetOf(earliest, topic.name, partition.partition);
        const high = offsetOf(latest, topic.name, partition.partition);
        if (low === undefined || high === undefined) continue;
        const key = `${topic.topicId}/${partition.partition}`;
        this.#positions.set(key, high - BigInt(LOOK_BACK) > low ? high - BigInt(LOOK_BACK) : low);
        this.#offsets.set(key, { logStart: Number(low), logEnd: Number(high) });
      }
    }
  }

  /**
   * Fetches each leader's partitions from where the last reading stopped. The first Fetch waits for a
   * record up to the reading's pause (shared among the leaders); once one arrived, the rest wait no more.
   */
  async #fetchArrivals(topics: TopicReading[], waitMs: number): Promise<LiveRecord[]> {
    const leaders = this.#byLeader(topics, (key) => this.#positions.has(key));
    if (leaders.size === 0) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      return [];
    }
    const arrived: LiveRecord[] = [];
    const names = new Map(topics.map((topic) => [topic.topicId, topic.name]));
    for (const [leader, parts] of leaders) {
      const byTopic = new Map<string, number[]>();
      for (const { topic, partition } of parts) byTopic.set(topic.topicId, [...(byTopic.get(topic.topicId) ?? []), partition.partition]);
      const request = [...byTopic].map(([topicId, partitions]) => ({
        topicId,
        partitions: partitions.map((partition) => ({
          partition,
          currentLeaderEpoch: -1,
          fetchOffset: this.#positions.get(`${topicId}/${partition}`)!,
          lastFetchedEpoch: -1,
          partitionMaxBytes: PARTITION_BYTES,
        })),
      }));
      const wait = arrived.length > 0 ? 0 : Math.floor(waitMs / leaders.size);
      // Session id 0 and epoch -1: a full fetch outside any fetch session.
      const response = await this.#connections
        .toBroker(leader, (connection) =>
          responseDespiteErrors(fetchV17.api.async(connection, wait, 1, 1024 * 1024, READ_COMMITTED, 0, -1, request, [], "")),
        )
        // A leader that died is still listed for the seconds until the cluster fences it: its partitions keep what
        // the view last saw, and the rest of the view goes on (the learner is watching that very failure).
        .catch(() => undefined);
      if (!response) continue;
      for (const { topicId, partitions } of response.responses) {
        for (const fetched of partitions) {
          const key = `${topicId}/${fetched.partitionIndex}`;
          const from = this.#positions.get(key);
          if (from === undefined) continue;
          if (fetched.errorCode !== 0) {
            // A moved leader is found by the next reading; offsets out of range start the partition afresh.
            if (!NOT_LEADER.has(fetched.errorCode)) this.#positions.delete(key);
            continue;
          }
          const { records, next } = fetchedRecords(fetched.records ?? [], from, fetched.abortedTransactions);
          const end = fetched.lastStableOffset >= 0n ? fetched.lastStableOffset : fetched.highWatermark;
          // Far behind (a flood of records): skip to the last few, which are what the view shows.
          this.#positions.set(key, end - next > BigInt(MAX_BEHIND) ? end - BigInt(LOOK_BACK) : next);
          this.#offsets.set(key, { logStart: Number(fetched.logStartOffset), logEnd: Number(fetched.highWatermark) });
          for (const record of records) {
            const key = record.key?.toString("utf8") ?? null;
            const value = record.value?.toString("utf8") ?? null;
            arrived.push({
              topic: names.get(topicId) ?? topicId,
              partition: fetched.partitionIndex,
              offset: record.offset,
              timestamp: record.timestamp,
              key: key === null ? null : cut(key, KEY_CHARS),
              value: value === null ? null : cut(value, VALUE_CHARS),
              cut: (value?.length ?? 0) > VALUE_CHARS,
            });
          }
        }
      }
    }
    return arrived.sort((a, b) => a.timestamp - b.timestamp || a.offset - b.offset);
  }

  /** The partitions that have a leader the cluster lists, grouped by that leader, where `wanted` says. */
  #byLeader(topics: TopicReading[], wanted: (key: string) => boolean) {
    const leaders = new Map<number, { topic: TopicReading; partition: PartitionReading }[]>();
    for (const topic of topics) {
      for (const partition of topic.partitions) {
        if (!this.#connections.brokers.has(partition.leader) || !wanted(`${topic.topicId}/${partition.partition}`)) continue;
        leaders.set(partition.leader, [...(leaders.get(partition.leader) ?? []), { topic, partition }]);
      }
    }
    return leaders;
  }

  /** Positions and settings of topics that are gone (deleted, or made anew under another id) are dropped. */
  #forgetGone(topics: TopicReading[]): void {
    const ids = new Set(topics.map((topic) => topic.topicId));
    for (const map of [this.#positions, this.#offsets]) for (const key of map.keys()) if (!ids.has(key.split("/")[0]!)) map.delete(key);
    for (const id of this.#minInsync.keys()) if (!ids.has(id)) this.#minInsync.delete(id);
  }
}
