// The part of a learner's Kafka that belongs to one exercise: the topics and groups it owns in their
// namespace. Cleared to start afresh (every run of a lab, or "Start this exercise over"), made anew where
// the exercise says how many partitions its topics need, and marked when a run starts, so a check can
// tell the records that run wrote from those of earlier runs.
import { Admin, metadataV12 } from "@platformatic/kafka";
import { brokerAddress, clientOptions, guardPool, type BrokerAccess } from "./access.ts";
import { protocolErrorCodes, responseDespiteErrors } from "./protocol-errors.ts";

/** What an exercise owns, named as the lesson names it (without the namespace). */
export interface OwnedNames {
  /** Topics, with the partitions the server makes them with (none: the learner's program makes it). */
  topics: Record<string, { partitions?: number }>;
  groups: string[];
}

/** Where a topic ended when a run started: its id (a topic made anew has another) and each partition's end offset. */
export interface TopicMark {
  topicId: string;
  offsets: Record<number, number>;
}

/** Marks of the owned topics that existed when a run started, by name. */
export type RunMarks = Record<string, TopicMark>;

/** How often a topic that is being deleted is asked after before it can be made again. */
const RECREATE_ATTEMPTS = 20;
const RECREATE_PAUSE_MS = 100;
/** How long a deleted topic may stay listed, or a new one without leaders, before the slate gives up. */
const GONE_WAIT_MS = 10_000;

/** A topic as Kafka lists it now. */
interface ListedTopic {
  id: string;
  partitions: number;
}

/** The codes and messages of an error and of the errors it wraps: the broker's own answer lies two levels down. */
const errorCode = (error: unknown): string => {
  const { code, apiId, message, errors } = error as { code?: string; apiId?: string; message?: string; errors?: unknown[] };
  return [code, apiId, message, ...(errors ?? []).map(errorCode)].filter(Boolean).join(" ");
};

export class ExerciseSlates {
  readonly #access: BrokerAccess;
  #admin?: Admin;

  constructor(access: BrokerAccess) {
    this.#access = access;
  }

  /** Deletes the owned topics and groups that exist; returns what it deleted, named as the lesson names it. */
  async clear(namespace: string, owned: OwnedNames): Promise<{ topics: string[]; groups: string[] }> {
    const admin = this.#client();
    const existing = await this.#listed(Object.keys(owned.topics).map((name) => namespace + name));
    const topics = Object.keys(owned.topics).filter((name) => existing.has(namespace + name));
    // Deleting a topic also drops every group's committed offsets on it.
    const names = topics.map((name) => namespace + name);
    if (names.length) {
      await admin.deleteTopics({ topics: names });
      await this.#untilGone(names);
    }
    const groups: string[] = [];
    if (owned.groups.length) {
      const known = await admin.listGroups();
      for (const name of owned.groups.filter((group) => known.has(namespace + group))) {
        // A group whose last member is still leaving keeps its name a moment; it holds no offsets any more.
        await admin.deleteGroups({ groups: [namespace + name] }).then(
          () => groups.push(name),
          () => {},
        );
      }
    }
    return { topics, groups };
  }

  /** Makes the owned topics that declare partitions and do not exist (again, after a clear). */
  async prepare(namespace: string, owned: OwnedNames): Promise<void> {
    const declared = Object.entries(owned.topics).filter(([, topic]) => topic.partitions !== undefined);
    if (declared.length === 0) return;
    const admin = this.#client();
    for (let attempt = 1; ; attempt++) {
      const existing = await this.#listed(declared.map(([name]) => namespace + name));
      const missing = declared.filter(([name]) => !existing.has(namespace + name));
      if (missing.length === 0) return this.#untilLeading(admin, namespace, declared);
      try {
        await admin.createTopics({ topics: missing.map(([name, topic]) => ({ topic: namespace + name, partitions: topic.partitions })) });
      } catch (error) {
        // A topic deleted a moment ago may still be on its way out, and one made a moment ago may not be listed yet.
        if (attempt >= RECREATE_ATTEMPTS || !/TOPIC_ALREADY_EXISTS|TopicExists|already exists/.test(errorCode(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, RECREATE_PAUSE_MS));
      }
    }
  }

  /**
   * Waits until the brokers no longer list `names`: a broker's metadata follows a deletion a moment later, and a
   * topic still listed would be taken for the new one (or be found gone after the run started).
   */
  async #untilGone(names: string[]): Promise<void> {
    for (const deadline = Date.now() + GONE_WAIT_MS; ; ) {
      const existing = await this.#listed(names);
      const lingering = names.filter((name) => existing.has(name));
      if (lingering.length === 0) return;
      if (Date.now() > deadline) throw new Error(`Kafka still lists ${lingering.join(", ")} ${GONE_WAIT_MS / 1000} s after deleting it.`);
      await new Promise((resolve) => setTimeout(resolve, RECREATE_PAUSE_MS));
    }
  }

  /**
   * Waits until every partition's leader answers where it ends. Kafka lists a new topic a moment before its leaders
   * take writes, and a producer's send to several partitions that is refused for one of them is sent again whole:
   * the others' records would be written twice.
   */
  async #untilLeading(admin: Admin, namespace: string, topics: [string, { partitions?: number }][]): Promise<void> {
    const request = topics.map(([name, { partitions = 1 }]) => ({
      name: namespace + name,
      partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, timestamp: -1n })),
    }));
    for (const deadline = Date.now() + GONE_WAIT_MS; ; ) {
      try {
        await admin.listOffsets({ topics: request });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, RECREATE_PAUSE_MS));
      }
    }
  }

  /** Where each of these topics (those that exist) ends now. */
  async mark(namespace: string, topics: string[]): Promise<RunMarks> {
    if (topics.length === 0) return {};
    const listed = await this.#listed(topics.map((name) => namespace + name));
    const present = topics.filter((name) => listed.has(namespace + name));
    if (present.length === 0) return {};
    const ends = await this.#client().listOffsets({
      topics: present.map((name) => ({
        name: namespace + name,
        partitions: Array.from({ length: listed.get(namespace + name)!.partitions }, (_, partitionIndex) => ({
          partitionIndex,
          timestamp: -1n, // the log end
        })),
      })),
    });
    const marks: RunMarks = {};
    for (const topic of ends) {
      const name = topic.name.slice(namespace.length);
      marks[name] = {
        topicId: listed.get(topic.name)?.id ?? "",
        offsets: Object.fromEntries(topic.partitions.map((p) => [p.partitionIndex, Number(p.offset)])),
      };
    }
    return marks;
  }

  /**
   * Which of `names` Kafka lists now, with their ids and partition counts: one Metadata request for these
   * topics alone. Listing every topic instead would cost each Run more as a class makes more of them.
   */
  async #listed(names: string[]): Promise<Map<string, ListedTopic>> {
    const listed = new Map<string, ListedTopic>();
    if (names.length === 0) return listed;
    const pool = this.#client().connections;
    let lastError: unknown;
    for (const address of this.#access.bootstrap) {
      let metadata: Awaited<ReturnType<typeof metadataV12.api.async>>;
      try {
        const connection = await pool.get(brokerAddress(address));
        metadata = await responseDespiteErrors(metadataV12.api.async(connection, names, false, false));
      } catch (error) {
        lastError = error;
        continue;
      }
      for (const topic of metadata.topics) {
        // A topic made a moment ago may have no leader yet: it exists all the same.
        if (topic.errorCode === protocolErrorCodes.UNKNOWN_TOPIC_OR_PARTITION || !topic.name) continue;
        listed.set(topic.name, { id: topic.topicId, partitions: topic.partitions.length });
      }
      return listed;
    }
    throw lastError;
  }

  #client(): Admin {
    if (!this.#admin) {
      this.#admin = new Admin(clientOptions(this.#access, "tributary-slates", { timeout: 5000, retries: 2 }));
      guardPool(this.#admin.connections);
    }
    return this.#admin;
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    await admin?.close().catch(() => {});
  }
}
