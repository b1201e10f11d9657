// Reads the broker's real state for graders, one consistent snapshot per Check: topics and their
// offsets, replicas and configs, groups' committed offsets, and records where a checkpoint asks.
// Every snapshot has connections of its own, so one learner's failed question never resets a
// connection another learner's Check is using. A snapshot of a cluster too broken to judge is not
// taken: it throws KafkaUnavailable, and the Check is an outage, never a verdict.
import { Admin, ConfigResourceTypes, GenericError } from "@platformatic/kafka";
import { clientOptions, guardPool, type BrokerAccess } from "./access.ts";
import { viewCluster, type ClusterView } from "./cluster-view.ts";
import { KafkaUnavailable } from "./errors.ts";
import { isUnknownTopic } from "./protocol-errors.ts";
import { brokersNeeded } from "./readiness.ts";
import { READ_SIZE_CAPS, readRecords, type ReadSizeCaps, type TopicBounds, type TopicRecord } from "./read-records.ts";
import { describeTopics, type PartitionLayout, type TopicLayout } from "./topic-layout.ts";

export interface PartitionOffsets extends PartitionLayout {
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
  /** Kafka's id of the topic: a topic deleted and made again under the same name has a new one. */
  topicId: string;
  partitions: PartitionOffsets[];
  /** The configs the snapshot was asked for, by name. */
  config: Record<string, string>;
  /** Records up to the log end above, when the snapshot was asked for them. */
  records?: TopicRecord[];
  /** True when there were more records than the cap, or than the size caps let a Check read. */
  truncated?: boolean;
  /** What was too big to read (a record, or the snapshot's records in all), in a sentence for the learner. */
  tooBig?: string;
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
  /**
   * The state key of an earlier snapshot whose verdict the caller still holds: when the broker's state is
   * the same, records are not read again (the snapshot says `unchanged`).
   */
  unchangedSince?: string;
}

/** The broker as one learner's Check saw it; missing topics are absent from `topics`. */
export interface BrokerSnapshot {
  /** Brokers that answered for themselves while the snapshot was taken. */
  brokerCount: number;
  topics: Map<string, TopicState>;
  /** Keyed "<group>/<topic>". */
  groups: Map<string, GroupState>;
  /** Everything the snapshot saw but records, as one string: equal keys mean equal records too. */
  stateKey?: string;
  /** True when the state equals the request's `unchangedSince`: records were not read. */
  unchanged?: boolean;
}

/** The one question graders ask the broker. Unit tests answer it with plain data. */
export interface BrokerState {
  snapshot(namespace: string, request: SnapshotRequest): Promise<BrokerSnapshot>;
}

export const groupKey = (group: string, topic: string) => `${group}/${topic}`;

/**
 * A topic the learner's program deletes and makes afresh may vanish between two questions of one
 * snapshot: it then counts as missing, which is what the learner's program left at that moment.
 */
const vanished =
  <T>(missing: T) =>
  (error: unknown): T => {
    if (isUnknownTopic(error)) return missing;
    throw error;
  };

/** A failure of the Kafka client is an outage; anything else is a fault of the server and goes on as it is. */
function asUnavailable(error: unknown): unknown {
  if (error instanceof KafkaUnavailable || !(error instanceof Error) || !GenericError.isGenericError(error)) return error;
  return new KafkaUnavailable(`Kafka did not answer: ${error.message}`, { cause: error });
}

/** Reads snapshots with short-lived connections, a few at a time so a crowd of Checks queues instead of piling on Kafka. */
export class BrokerInspector implements BrokerState {
  readonly #access: BrokerAccess;
  readonly #parallel: number;
  readonly #sizeCaps: ReadSizeCaps;
  #running = 0;
  #waiting: (() => void)[] = [];
  /** Every broker the cluster's metadata has listed: how many the cluster has, also while some are down. */
  readonly #seen = new Set<number>();

  constructor(access: BrokerAccess, parallel = 6, sizeCaps: ReadSizeCaps = READ_SIZE_CAPS) {
    this.#access = access;
    this.#parallel = parallel;
    this.#sizeCaps = sizeCaps;
  }

  /** Runs `question` with an admin client and the cluster's view of its own, once enough of the cluster answers. */
  async #withCluster<T>(question: (admin: Admin, view: ClusterView) => Promise<T>): Promise<T> {
    if (this.#running >= this.#parallel) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    const admin = new Admin(
      clientOptions(this.#access, "tributary-grader", { connectTimeout: 3000, requestTimeout: 10_000, timeout: 10_000, retries: 2, retryDelay: 200 }),
    );
    guardPool(admin.connections);
    try {
      // Over the admin's own pool: its later requests reuse these connections.
      const view = await viewCluster(admin.connections, this.#access.bootstrap);
      this.#requireMajority(view);
      return await question(admin, view);
    } catch (error) {
      throw asUnavailable(error);
    } finally {
      await admin.close().catch(() => {});
      this.#running--;
      this.#waiting.shift()?.();
    }
  }

  /** A cluster with fewer than a majority of its brokers answering cannot serve, whatever its survivors say. */
  #requireMajority(view: ClusterView): void {
    for (const nodeId of view.listed.keys()) this.#seen.add(nodeId);
    // A fresh server whose cluster lost two brokers gracefully sees only the survivor listed: its bootstrap list knows better.
    const size = Math.max(this.#seen.size, new Set(this.#access.bootstrap).size);
    if (view.answering >= brokersNeeded(size)) return;
    const reason = view.bootstrap.find((b) => b.error)?.error;
    throw new KafkaUnavailable(
      view.answering === 0
        ? `No broker of the cluster answers${reason ? ` (${reason})` : ""}.`
        : `Only ${view.answering} of the cluster's ${size} brokers answer; Kafka needs ${brokersNeeded(size)} to serve.`,
    );
  }

  snapshot(namespace: string, request: SnapshotRequest): Promise<BrokerSnapshot> {
    return this.#withCluster(async (admin, view) => {
      const [connection] = view.connections.values();
      const names = [...new Set(request.topics)];
      const layouts = await describeTopics(
        connection!,
        names.map((name) => namespace + name),
      );
      const topics = new Map<string, TopicState>();
      await Promise.all(
        names.map(async (name) => {
          const layout = layouts.get(namespace + name);
          if (!layout) return;
          requireLeaders(name, layout, view);
          const partitions = await partitionOffsets(admin, namespace + name, layout).catch(vanished(undefined));
          if (partitions) topics.set(name, { name, topicId: layout.topicId, partitions, config: {} });
        }),
      );
      await readConfigs(admin, namespace, request.configs, topics);
      const groups = await readGroups(
        admin,
        namespace,
        request.groups.filter((g) => topics.has(g.topic)),
        topics,
      );
      // Records are what a snapshot costs most; the same topics at the same offsets hold the same records.
      const stateKey = stateKeyOf(view.answering, topics, groups);
      if (request.unchangedSince === stateKey) return { brokerCount: view.answering, topics, groups, stateKey, unchanged: true };
      const bounds = new Map<string, TopicBounds>();
      for (const name of new Set(request.records)) {
        const topic = topics.get(name);
        if (topic) bounds.set(name, { topicId: topic.topicId, partitions: topic.partitions });
      }
      const { read, vanished: gone } = await readRecords(view.connections, bounds, request.recordCap, this.#sizeCaps);
      for (const [name, { records, truncated, tooBig }] of read)
        Object.assign(topics.get(name)!, { records, truncated, ...(tooBig ? { tooBig } : {}) });
      for (const name of gone) {
        topics.delete(name);
        for (const [key, group] of groups) if (group.topic === name) groups.delete(key);
      }
      return { brokerCount: view.answering, topics, groups, stateKey };
    });
  }

  /** How many topics, and partitions in all, a learner's namespace holds. */
  async namespaceUsage(namespace: string): Promise<{ topics: number; partitions: number }> {
    return this.#withCluster(async (admin, view) => {
      const names = (await admin.listTopics()).filter((name) => name.startsWith(namespace));
      const [connection] = view.connections.values();
      const layouts = await describeTopics(connection!, names);
      return { topics: layouts.size, partitions: [...layouts.values()].reduce((sum, t) => sum + t.partitions.length, 0) };
    });
  }

  /** Nothing to close: every snapshot closes its own connections. */
  async close(): Promise<void> {}
}

/** Topics (ids, offsets, replicas, configs) and groups as one string, in a stable order. */
function stateKeyOf(brokers: number, topics: Map<string, TopicState>, groups: Map<string, GroupState>): string {
  const byName = <T>(map: Map<string, T>) => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([
    brokers,
    byName(topics).map(([name, t]) => [
      name,
      t.topicId,
      t.partitions.map((p) => [p.partition, p.low, p.high, p.leader, p.replicas, p.inSync]),
      t.config,
    ]),
    byName(groups).map(([key, g]) => [key, [...g.committed].sort(([a], [b]) => a - b), g.state, g.members]),
  ]);
}

/** A partition whose leader is gone (or not yet elected) has no offsets, records or truth to give. */
function requireLeaders(name: string, layout: TopicLayout, view: ClusterView): void {
  const orphan = layout.partitions.find((p) => p.leader < 0 || !view.connections.has(p.leader));
  if (!orphan) return;
  throw new KafkaUnavailable(
    orphan.leader < 0
      ? `Partition ${orphan.partition} of \`${name}\` has no leader right now: too few of its replicas are up.`
      : `Partition ${orphan.partition} of \`${name}\` is led by broker ${orphan.leader}, which does not answer; the cluster is electing another.`,
  );
}

/** Each partition's first and next offsets (read_uncommitted: the log end a producer sees), with its layout. */
async function partitionOffsets(admin: Admin, fullName: string, layout: TopicLayout): Promise<PartitionOffsets[]> {
  const at = (timestamp: bigint) =>
    admin.listOffsets({ topics: [{ name: fullName, partitions: layout.partitions.map((p) => ({ partitionIndex: p.partition, timestamp })) }] });
  // Kafka's special timestamps: -2 asks for the log start, -1 for the log end.
  const [earliest, latest] = await Promise.all([at(-2n), at(-1n)]);
  const offset = (listed: typeof earliest, partition: number) =>
    Number(listed.find((t) => t.name === fullName)?.partitions.find((p) => p.partitionIndex === partition)?.offset ?? 0n);
  return layout.partitions.map((p) => ({
    ...p,
    low: offset(earliest, p.partition),
    high: offset(latest, p.partition),
    replicas: p.replicaIds.length,
    inSync: p.isrIds.length,
  }));
}

async function readConfigs(admin: Admin, namespace: string, configs: SnapshotRequest["configs"], topics: Map<string, TopicState>): Promise<void> {
  const byTopic = new Map<string, string[]>();
  for (const { topic, config } of configs) if (topics.has(topic)) byTopic.set(topic, [...(byTopic.get(topic) ?? []), config]);
  await Promise.all(
    [...byTopic].map(async ([name, configurationKeys]) => {
      const described = await admin
        .describeConfigs({
          resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: namespace + name, configurationKeys }],
          includeSynonyms: false,
        })
        .catch(vanished(undefined));
      const topic = topics.get(name);
      if (!described) return void topics.delete(name);
      for (const entry of described.flatMap((d) => d.configs)) if (topic) topic.config[entry.name] = entry.value ?? "";
    }),
  );
}

async function readGroups(
  admin: Admin,
  namespace: string,
  wanted: SnapshotRequest["groups"],
  topics: Map<string, TopicState>,
): Promise<Map<string, GroupState>> {
  const groups = new Map<string, GroupState>();
  if (wanted.length === 0) return groups;
  const names = [...new Set(wanted.map((g) => namespace + g.group))];
  const described = await admin.describeGroups({ groups: names });
  const listed = await admin.listConsumerGroupOffsets({
    groups: names.map((groupId) => ({
      groupId,
      topics: [...new Set(wanted.filter((g) => namespace + g.group === groupId).map((g) => g.topic))].map((topic) => ({
        name: namespace + topic,
        partitionIndexes: topics.get(topic)!.partitions.map((p) => p.partition),
      })),
    })),
  });
  for (const { group, topic } of wanted) {
    const committed = new Map<number, number>();
    const entry = listed.find((g) => g.groupId === namespace + group)?.topics.find((t) => t.name === namespace + topic);
    // Kafka reports -1 for a partition the group never committed.
    for (const p of entry?.partitions ?? []) if (p.committedOffset >= 0n) committed.set(p.partitionIndex, Number(p.committedOffset));
    const description = described.get(namespace + group);
    groups.set(groupKey(group, topic), { group, topic, committed, state: description?.state ?? "Dead", members: description?.members.size ?? 0 });
  }
  return groups;
}
