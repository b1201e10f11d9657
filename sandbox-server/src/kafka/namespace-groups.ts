// A learner's consumer groups, read as the learner: each group's state, members and the partitions each
// holds, its committed offsets, and the timestamp of the oldest record it has not read yet. Groups are
// listed by every broker (each lists those it coordinates) and kept to the learner's namespace.
import {
  decodeConsumerProtocolAssignment,
  describeGroupsV5,
  fetchV17,
  FindCoordinatorKeyTypes,
  findCoordinatorV6,
  listGroupsV5,
  offsetFetchV9,
} from "@platformatic/kafka";
import type { LiveMember } from "../contract/live-view.ts";
import { fetchedRecords } from "./fetched-records.ts";
import type { LearnerConnections } from "./learner-connections.ts";
import type { TopicReading } from "./namespace-reader.ts";
import { responseDespiteErrors } from "./protocol-errors.ts";

export interface GroupReading {
  /** As the lesson names it, without the namespace. */
  name: string;
  state: string;
  members: LiveMember[];
  /** Committed offsets: the next offset the group reads, per topic and partition. */
  committed: { topic: string; partition: number; offset: number }[];
  /** Timestamp of the first record not yet read, per "topic/partition", where the group has records to read. */
  unreadSince: Map<string, number>;
}

const READ_COMMITTED = 1;
/** Kafka's codes for a coordinator that moved or is not ready: ask again who coordinates the group. */
const ASK_COORDINATOR_AGAIN = new Set([14, 15, 16]);

export class NamespaceGroups {
  readonly #connections: LearnerConnections;
  readonly #namespace: string;
  readonly #coordinators = new Map<string, number>();
  /** Timestamps of records at an offset, per "topicId/partition/offset": a record's timestamp never changes. */
  #timestamps = new Map<string, number>();

  constructor(connections: LearnerConnections, namespace: string) {
    this.#connections = connections;
    this.#namespace = namespace;
  }

  async read(topics: TopicReading[]): Promise<GroupReading[]> {
    const names: string[] = [];
    for (const broker of this.#connections.brokers.keys()) {
      const listed = await this.#connections.toBroker(broker, (connection) => responseDespiteErrors(listGroupsV5.api.async(connection, [], [])));
      for (const group of listed.groups) if (group.groupId.startsWith(this.#namespace)) names.push(group.groupId);
    }
    for (const name of this.#coordinators.keys()) if (!names.includes(name)) this.#coordinators.delete(name);
    if (names.length === 0) return [];
    await this.#findCoordinators(names);
    const groups: GroupReading[] = [];
    const byCoordinator = new Map<number, string[]>();
    for (const name of names) {
      const coordinator = this.#coordinators.get(name);
      if (coordinator === undefined) groups.push(this.#unknown(name));
      else byCoordinator.set(coordinator, [...(byCoordinator.get(coordinator) ?? []), name]);
    }
    for (const [coordinator, ids] of byCoordinator) groups.push(...(await this.#describe(coordinator, ids)));
    await this.#oldestUnread(groups, topics);
    return groups.sort((a, b) => a.name.localeCompare(b.name));
  }

  #unknown(fullName: string): GroupReading {
    return { name: fullName.slice(this.#namespace.length), state: "Unknown", members: [], committed: [], unreadSince: new Map() };
  }

  async #findCoordinators(names: string[]): Promise<void> {
    const unknown = names.filter((name) => !this.#coordinators.has(name));
    if (unknown.length === 0) return;
    const found = await this.#connections.toAny((connection) =>
      responseDespiteErrors(findCoordinatorV6.api.async(connection, FindCoordinatorKeyTypes.GROUP, unknown)),
    );
    for (const coordinator of found.coordinators) {
      if (coordinator.errorCode === 0 && this.#connections.brokers.has(coordinator.nodeId))
        this.#coordinators.set(coordinator.key, coordinator.nodeId);
    }
  }

  /** Members, assignments and commits of the groups one broker coordinates. */
  async #describe(coordinator: number, ids: string[]): Promise<GroupReading[]> {
    const described = await this.#connections.toBroker(coordinator, (connection) =>
      responseDespiteErrors(describeGroupsV5.api.async(connection, ids, false)),
    );
    const committed = await this.#connections.toBroker(coordinator, (connection) =>
      responseDespiteErrors(
        offsetFetchV9.api.async(
          connection,
          ids.map((groupId) => ({ groupId, memberId: null, memberEpoch: -1, topics: null })),
          false,
        ),
      ),
    );
    return ids.map((id) => {
      const description = described.groups.find((group) => group.groupId === id);
      const offsets = committed.groups.find((group) => group.groupId === id);
      if (!description || ASK_COORDINATOR_AGAIN.has(description.errorCode) || (offsets && ASK_COORDINATOR_AGAIN.has(offsets.errorCode))) {
        this.#coordinators.delete(id);
        return this.#unknown(id);
      }
      return {
        name: id.slice(this.#namespace.length),
        state: description.errorCode === 0 ? description.groupState : "Unknown",
        members: description.members
          .map((member) => ({
            id: member.memberId,
            clientId: member.clientId,
            host: member.clientHost,
            assigned: description.protocolType === "consumer" ? this.#assigned(member.memberAssignment) : [],
          }))
          .sort((a, b) => a.id.localeCompare(b.id)),
        // Kafka answers -1 for a partition the group has no commit on.
        committed: (offsets?.topics ?? [])
          .filter((topic) => topic.name.startsWith(this.#namespace))
          .flatMap((topic) =>
            topic.partitions
              .filter((p) => p.errorCode === 0 && p.committedOffset >= 0n)
              .map((p) => ({ topic: topic.name.slice(this.#namespace.length), partition: p.partitionIndex, offset: Number(p.committedOffset) })),
          )
          .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
        unreadSince: new Map(),
      };
    });
  }

  /** A member's partitions, from the consumer protocol's assignment (empty while a rebalance hands them out). */
  #assigned(assignment: Buffer): LiveMember["assigned"] {
    if (assignment.length === 0) return [];
    try {
      return decodeConsumerProtocolAssignment(assignment)
        .assignedPartitions.filter((a) => a.topic.startsWith(this.#namespace))
        .map((a) => ({ topic: a.topic.slice(this.#namespace.length), partitions: [...a.partitions].sort((x, y) => x - y) }))
        .sort((a, b) => a.topic.localeCompare(b.topic));
    } catch {
      return [];
    }
  }

  /**
   * The timestamp of each group's first unread record, where it has any: read once per offset (a Fetch of
   * that partition at the committed offset, to its leader) and kept while the group stays there.
   */
  async #oldestUnread(groups: GroupReading[], topics: TopicReading[]): Promise<void> {
    const wanted = new Map<string, { topicId: string; partition: number; offset: number; leader: number }>();
    for (const group of groups) {
      for (const { topic: name, partition, offset } of group.committed) {
        const topic = topics.find((t) => t.name === name);
        const p = topic?.partitions.find((x) => x.partition === partition);
        if (!topic || !p || offset >= p.logEnd) continue;
        // Records below the log start are gone: the oldest unread one that is left is at the log start.
        const at = Math.max(offset, p.logStart);
        wanted.set(`${topic.topicId}/${partition}/${at}`, { topicId: topic.topicId, partition, offset: at, leader: p.leader });
      }
    }
    const missing = [...wanted].filter(([key, w]) => !this.#timestamps.has(key) && this.#connections.brokers.has(w.leader));
    const byLeader = new Map<number, Map<string, (typeof missing)[number][1]>>();
    // One Fetch per leader; a partition asked at two offsets (two groups) has its second one read next time.
    for (const [, w] of missing) {
      const asks = byLeader.get(w.leader) ?? new Map();
      if (!asks.has(`${w.topicId}/${w.partition}`)) asks.set(`${w.topicId}/${w.partition}`, w);
      byLeader.set(w.leader, asks);
    }
    for (const [leader, asks] of byLeader) {
      const byTopic = new Map<string, (typeof missing)[number][1][]>();
      for (const w of asks.values()) byTopic.set(w.topicId, [...(byTopic.get(w.topicId) ?? []), w]);
      const request = [...byTopic].map(([topicId, ws]) => ({
        topicId,
        partitions: ws.map((w) => ({
          partition: w.partition,
          currentLeaderEpoch: -1,
          fetchOffset: BigInt(w.offset),
          lastFetchedEpoch: -1,
          partitionMaxBytes: 64 * 1024,
        })),
      }));
      const response = await this.#connections.toBroker(leader, (connection) =>
        responseDespiteErrors(fetchV17.api.async(connection, 0, 1, 1024 * 1024, READ_COMMITTED, 0, -1, request, [], "")),
      );
      for (const { topicId, partitions } of response.responses) {
        for (const fetched of partitions) {
          const w = asks.get(`${topicId}/${fetched.partitionIndex}`);
          const first =
            w && fetched.errorCode === 0
              ? fetchedRecords(fetched.records ?? [], BigInt(w.offset), fetched.abortedTransactions).records[0]
              : undefined;
          if (w && first) this.#timestamps.set(`${topicId}/${w.partition}/${w.offset}`, first.timestamp);
        }
      }
    }
    // Kept only while some group is still at that offset.
    this.#timestamps = new Map([...this.#timestamps].filter(([key]) => wanted.has(key)));
    for (const group of groups) {
      for (const { topic: name, partition, offset } of group.committed) {
        const topic = topics.find((t) => t.name === name);
        const p = topic?.partitions.find((x) => x.partition === partition);
        if (!topic || !p) continue;
        const timestamp = this.#timestamps.get(`${topic.topicId}/${partition}/${Math.max(offset, p.logStart)}`);
        if (timestamp !== undefined) group.unreadSince.set(`${name}/${partition}`, timestamp);
      }
    }
  }
}
