// Reads the broker's real state for graders: topics, their offsets, and groups' committed offsets.
import { Kafka, type Admin } from "kafkajs";
import { kafkajsConfig, type BrokerAccess } from "./access.ts";

export interface PartitionOffsets {
  partition: number;
  /** First offset still held (after retention). */
  low: number;
  /** Offset the next record will get: the log-end offset. */
  high: number;
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
      return {
        name,
        partitions: offsets
          .map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }))
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

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    if (admin) await (await admin).disconnect().catch(() => {});
  }
}
