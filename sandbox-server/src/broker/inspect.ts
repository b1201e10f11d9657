// Reads the broker's real state for graders: topics, their offsets, and groups' committed offsets.
import { Kafka, type Admin } from "kafkajs";
import { kafkajsConfig, type BrokerAccess } from "./access.ts";

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
  partitions: PartitionOffsets[];
}

export interface GroupState {
  group: string;
  /** Committed offset per partition of the asked topic; absent when the group committed none. */
  committed: Map<number, number>;
}

/** The questions a grader may ask the broker. Unit tests answer them with plain data. */
export interface BrokerState {
  topic(name: string): Promise<TopicState | undefined>;
  groupOffsets(group: string, topic: string): Promise<GroupState>;
  /** The topic's value of a config, such as "retention.ms"; undefined when the topic does not exist. */
  topicConfig(topic: string, config: string): Promise<string | undefined>;
  /** How many brokers the cluster has. */
  brokerCount(): Promise<number>;
}

/** A long-lived admin connection for graders; reconnects on the next question after a failure. */
export class BrokerInspector implements BrokerState {
  #kafka: Kafka;
  #admin?: Promise<Admin>;

  constructor(access: BrokerAccess) {
    this.#kafka = new Kafka(
      kafkajsConfig(access, "tributary-grader", { connectionTimeout: 2000, requestTimeout: 5000, retry: { retries: 2, initialRetryTime: 200 } }),
    );
  }

  async #withAdmin<T>(question: (admin: Admin) => Promise<T>): Promise<T> {
    this.#admin ??= (async () => {
      const admin = this.#kafka.admin();
      await admin.connect();
      return admin;
    })();
    try {
      return await question(await this.#admin);
    } catch (error) {
      const stale = this.#admin;
      this.#admin = undefined;
      void stale.then((admin) => admin.disconnect()).catch(() => {});
      throw error;
    }
  }

  async topic(name: string): Promise<TopicState | undefined> {
    return this.#withAdmin(async (admin) => {
      const topics = await admin.listTopics();
      if (!topics.includes(name)) return undefined;
      const offsets = await admin.fetchTopicOffsets(name);
      const { topics: [metadata] } = await admin.fetchTopicMetadata({ topics: [name] });
      const copies = new Map(metadata?.partitions.map((p) => [p.partitionId, { replicas: p.replicas.length, inSync: p.isr.length }]));
      return {
        name,
        partitions: offsets
          .map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high), replicas: 0, inSync: 0, ...copies.get(p.partition) }))
          .sort((a, b) => a.partition - b.partition),
      };
    });
  }

  async groupOffsets(group: string, topic: string): Promise<GroupState> {
    return this.#withAdmin(async (admin) => {
      const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const committed = new Map<number, number>();
      for (const p of entry?.partitions ?? []) {
        // kafkajs reports "-1" for a partition the group never committed.
        if (Number(p.offset) >= 0) committed.set(p.partition, Number(p.offset));
      }
      return { group, committed };
    });
  }

  async topicConfig(topic: string, config: string): Promise<string | undefined> {
    return this.#withAdmin(async (admin) => {
      if (!(await admin.listTopics()).includes(topic)) return undefined;
      const { resources } = await admin.describeConfigs({
        resources: [{ type: 2 /* TOPIC */, name: topic, configNames: [config] }],
        includeSynonyms: false,
      });
      return resources[0]?.configEntries.find((entry) => entry.configName === config)?.configValue;
    });
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

  async brokerCount(): Promise<number> {
    return this.#withAdmin(async (admin) => (await admin.describeCluster()).brokers.length);
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    if (admin) await (await admin).disconnect().catch(() => {});
  }
}
