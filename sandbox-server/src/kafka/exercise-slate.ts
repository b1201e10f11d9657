// The part of a learner's Kafka that belongs to one exercise: the topics and groups it owns in their
// namespace. Cleared to start afresh (every run of a lab, or "Start this exercise over"), made anew where
// the exercise says how many partitions its topics need, and marked when a run starts, so a check can
// tell the records that run wrote from those of earlier runs.
import { Admin } from "@platformatic/kafka";
import { SCRAM, type BrokerAccess } from "./access.ts";

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
    const existing = new Set(await admin.listTopics({ includeInternals: false }));
    const topics = Object.keys(owned.topics).filter((name) => existing.has(namespace + name));
    // Deleting a topic also drops every group's committed offsets on it.
    if (topics.length) await admin.deleteTopics({ topics: topics.map((name) => namespace + name) });
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
      const existing = new Set(await admin.listTopics({ includeInternals: false }));
      const missing = declared.filter(([name]) => !existing.has(namespace + name));
      if (missing.length === 0) return;
      try {
        await admin.createTopics({ topics: missing.map(([name, topic]) => ({ topic: namespace + name, partitions: topic.partitions })) });
      } catch (error) {
        // A topic deleted a moment ago may still be on its way out, and one made a moment ago may not be listed yet.
        if (attempt >= RECREATE_ATTEMPTS || !/TOPIC_ALREADY_EXISTS|TopicExists|already exists/.test(errorCode(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, RECREATE_PAUSE_MS));
      }
    }
  }

  /** Where each of these topics (those that exist) ends now. */
  async mark(namespace: string, topics: string[]): Promise<RunMarks> {
    if (topics.length === 0) return {};
    const admin = this.#client();
    const existing = new Set(await admin.listTopics({ includeInternals: false }));
    const present = topics.filter((name) => existing.has(namespace + name));
    if (present.length === 0) return {};
    const metadata = await admin.metadata({ topics: present.map((name) => namespace + name), forceUpdate: true });
    const listed = await admin.listOffsets({
      topics: present.map((name) => ({
        name: namespace + name,
        partitions: Array.from({ length: metadata.topics.get(namespace + name)?.partitionsCount ?? 0 }, (_, partitionIndex) => ({
          partitionIndex,
          timestamp: -1n, // the log end
        })),
      })),
    });
    const marks: RunMarks = {};
    for (const topic of listed) {
      const name = topic.name.slice(namespace.length);
      marks[name] = {
        topicId: metadata.topics.get(topic.name)?.id ?? "",
        offsets: Object.fromEntries(topic.partitions.map((p) => [p.partitionIndex, Number(p.offset)])),
      };
    }
    return marks;
  }

  #client(): Admin {
    this.#admin ??= new Admin({
      clientId: "tributary-slates",
      bootstrapBrokers: this.#access.bootstrap,
      ...(this.#access.admin ? { sasl: { mechanism: SCRAM.kafka, ...this.#access.admin } } : {}),
      timeout: 5000,
      retries: 2,
    });
    return this.#admin;
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    await admin?.close().catch(() => {});
  }
}
