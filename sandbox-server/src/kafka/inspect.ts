// Reads the broker's real state for graders, one consistent snapshot per Check: topics and their
// offsets, replicas and configs, groups' committed offsets, and records where a checkpoint asks.
// Every snapshot has an admin connection of its own, so one learner's failed question never
// resets a connection another learner's Check is using.
import { Kafka, type Admin } from "kafkajs";
import { kafkajsConfig, type BrokerAccess } from "./access.ts";
import { readRecords, type ReadBounds, type TopicRecord } from "./read-records.ts";

export interface PartitionOffsets {
  partition: number;
  /** First offset still held (after retention). */
  low: number;
  /** Offset the next record will get: the log-end offset. */
  high: number;
  /** Brokers holding a copy of this partition. */
  replicas: number;
  /** Copies that are in sync with the leader. */
  inSync: number;
}

export interface TopicState {
  name: string;
  /** Kafka's id of the topic: a topic deleted and made again under the same name has another. */
  topicId?: string;
  partitions: PartitionOffsets[];
  /** The configs the snapshot was asked for, by name. */
  config: Record<string, string>;
  /** Records up to the log end above, when the snapshot was asked for them. */
  records?: TopicRecord[];
  /** True when there were more records than the cap. */
  truncated?: boolean;
}

export interface GroupState {
  group: string;
  topic: string;
  /** Committed offset per partition of the topic; absent when the group committed none there. */
  committed: Map<number, number>;
  /** Kafka's state of the group ("Stable", "Empty", "Dead" when it does not exist, …). */
  state: string;
  /** Consumers in the group now. */
  members: number;
}

/** What one Check needs to know, named as the lesson names things (without the namespace). */
export interface SnapshotRequest {
  topics: string[];
  /** Topics whose records are read too (each must also be in `topics`). */
  records: string[];
  groups: { group: string; topic: string }[];
  configs: { topic: string; config: string }[];
  /** At most this many records are read from one topic. */
  recordCap: number;
}

/** The broker as one learner's Check saw it; missing topics are absent from `topics`. */
export interface BrokerSnapshot {
  brokerCount: number;
  topics: Map<string, TopicState>;
  /** Keyed "<group>/<topic>". */
  groups: Map<string, GroupState>;
}

/** The one question graders ask the broker. Unit tests answer it with plain data. */
export interface BrokerState {
  snapshot(namespace: string, request: SnapshotRequest): Promise<BrokerSnapshot>;
}

const groupKey = (group: string, topic: string) => `${group}/${topic}`;

/**
 * A topic the learner's program deletes and makes afresh may vanish between two questions of one
 * snapshot: it then counts as missing, which is what the learner's program left at that moment.
 */
const vanished =
  <T>(missing: T) =>
  (error: unknown): T => {
    if ((error as { type?: string }).type === "UNKNOWN_TOPIC_OR_PARTITION") return missing;
    throw error;
  };

/** Reads snapshots with short-lived connections, a few at a time so a crowd of Checks queues instead of piling on Kafka. */
export class BrokerInspector implements BrokerState {
  #kafka: Kafka;
  #running = 0;
  #waiting: (() => void)[] = [];
  readonly #parallel: number;

  constructor(access: BrokerAccess, parallel = 6) {
    this.#kafka = new Kafka(
      kafkajsConfig(access, "tributary-grader", { connectionTimeout: 3000, requestTimeout: 10_000, retry: { retries: 3, initialRetryTime: 200 } }),
    );
    this.#parallel = parallel;
  }

  async #withAdmin<T>(question: (admin: Admin) => Promise<T>): Promise<T> {
    if (this.#running >= this.#parallel) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    const admin = this.#kafka.admin();
    try {
      await admin.connect();
      return await question(admin);
    } finally {
      await admin.disconnect().catch(() => {});
      this.#running--;
      this.#waiting.shift()?.();
    }
  }

  snapshot(namespace: string, request: SnapshotRequest): Promise<BrokerSnapshot> {
    return this.#withAdmin(async (admin) => {
      const existing = new Set(await admin.listTopics());
      const wanted = [...new Set(request.topics)].filter((name) => existing.has(namespace + name));
      const topics = new Map<string, TopicState>();
      if (wanted.length) {
        const { topics: metadata } = await admin
          .fetchTopicMetadata({ topics: wanted.map((name) => namespace + name) })
          .catch(vanished({ topics: [] }));
        for (const name of wanted) {
          const offsets = await admin.fetchTopicOffsets(namespace + name).catch(vanished(undefined));
          if (!offsets) continue;
          const copies = new Map(
            metadata
              .find((t) => t.name === namespace + name)
              ?.partitions.map((p) => [p.partitionId, { replicas: p.replicas.length, inSync: p.isr.length }]),
          );
          const partitions = offsets
            .map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high), replicas: 0, inSync: 0, ...copies.get(p.partition) }))
            .sort((a, b) => a.partition - b.partition);
          topics.set(name, { name, partitions, config: {} });
        }
      }
      await this.#readConfigs(admin, namespace, request.configs, topics);
      // Offsets on a topic that does not exist are none, and kafkajs refuses to ask for them.
      const groups = await this.#readGroups(
        admin,
        namespace,
        request.groups.filter((g) => topics.has(g.topic)),
      );
      const bounds: ReadBounds = new Map();
      for (const name of new Set(request.records)) {
        const topic = topics.get(name);
        if (topic) bounds.set(namespace + name, topic.partitions);
      }
      const read = await readRecords(this.#kafka, admin, bounds, request.recordCap);
      for (const [fullName, { records, truncated }] of read) {
        Object.assign(topics.get(fullName.slice(namespace.length))!, { records, truncated });
      }
      const brokerCount = (await admin.describeCluster()).brokers.length;
      return { brokerCount, topics, groups };
    });
  }

  async #readConfigs(admin: Admin, namespace: string, configs: SnapshotRequest["configs"], topics: Map<string, TopicState>): Promise<void> {
    const byTopic = new Map<string, string[]>();
    for (const { topic, config } of configs) if (topics.has(topic)) byTopic.set(topic, [...(byTopic.get(topic) ?? []), config]);
    if (byTopic.size === 0) return;
    const { resources } = await admin.describeConfigs({
      resources: [...byTopic].map(([topic, configNames]) => ({ type: 2 /* TOPIC */, name: namespace + topic, configNames })),
      includeSynonyms: false,
    });
    for (const resource of resources) {
      const topic = topics.get(resource.resourceName.slice(namespace.length));
      for (const entry of resource.configEntries) if (topic) topic.config[entry.configName] = entry.configValue;
    }
  }

  async #readGroups(admin: Admin, namespace: string, wanted: SnapshotRequest["groups"]): Promise<Map<string, GroupState>> {
    const groups = new Map<string, GroupState>();
    if (wanted.length === 0) return groups;
    const names = [...new Set(wanted.map((g) => namespace + g.group))];
    const described = new Map((await admin.describeGroups(names)).groups.map((g) => [g.groupId, g]));
    for (const { group, topic } of wanted) {
      const [entry] = await admin.fetchOffsets({ groupId: namespace + group, topics: [namespace + topic] });
      const committed = new Map<number, number>();
      // kafkajs reports "-1" for a partition the group never committed.
      for (const p of entry?.partitions ?? []) if (Number(p.offset) >= 0) committed.set(p.partition, Number(p.offset));
      const description = described.get(namespace + group);
      groups.set(groupKey(group, topic), { group, topic, committed, state: description?.state ?? "Dead", members: description?.members.length ?? 0 });
    }
    return groups;
  }

  /** How many topics, and partitions in all, a learner's namespace holds. */
  async namespaceUsage(namespace: string): Promise<{ topics: number; partitions: number }> {
    return this.#withAdmin(async (admin) => {
      const names = (await admin.listTopics()).filter((name) => name.startsWith(namespace));
      if (names.length === 0) return { topics: 0, partitions: 0 };
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      return { topics: topics.length, partitions: topics.reduce((sum, t) => sum + t.partitions.length, 0) };
    });
  }

  /** Nothing to close: every snapshot closes its own connections. */
  async close(): Promise<void> {}
}

export { groupKey };
