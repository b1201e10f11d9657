// What changed between two views of the learner's Kafka: the records that arrived, replicas falling out of
// sync or catching up, leaders moving, groups rebalancing. The panel animates these and says them in words.
import type { LiveGroup, LivePartition, LiveRecord, LiveView } from "#contract/live-view";

/** A replica of a partition as its broker holds it. */
export type ReplicaState = "leader" | "in-sync" | "eligible" | "out-of-sync" | "offline";

export interface LiveChanges {
  arrived: LiveRecord[];
  replicas: { topic: string; partition: number; broker: number; from: ReplicaState; to: ReplicaState }[];
  leaders: { topic: string; partition: number; from: number; to: number }[];
  rebalances: { group: string; members: { label: string; holds: string[] }[] }[];
  newTopics: string[];
  newGroups: string[];
}

export const recordKey = (record: Pick<LiveRecord, "topic" | "partition" | "offset">) => `${record.topic}/${record.partition}/${record.offset}`;

export function replicaState(partition: LivePartition, broker: number): ReplicaState {
  if (partition.offline.includes(broker)) return "offline";
  if (partition.leader === broker) return "leader";
  if (partition.isr.includes(broker)) return "in-sync";
  if (partition.elr.includes(broker)) return "eligible";
  return "out-of-sync";
}

/** A member as the panel names it: its program's client id and the end of its member id. */
export const memberLabel = (member: LiveGroup["members"][number]) => `${member.clientId} …${member.id.slice(-4)}`;

/** "topic/partition" → member id, for every partition a member of the group holds. */
function holders(group: LiveGroup): Map<string, string> {
  const held = new Map<string, string>();
  for (const member of group.members)
    for (const { topic, partitions } of member.assigned) for (const p of partitions) held.set(`${topic}/${p}`, member.id);
  return held;
}

const sameHolders = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([key, member]) => b.get(key) === member);

/** What changed from `before` to `after`; nothing for a first view (a panel that just opened shows, it does not replay). */
export function changesBetween(before: LiveView | undefined, after: LiveView): LiveChanges {
  const changes: LiveChanges = { arrived: [], replicas: [], leaders: [], rebalances: [], newTopics: [], newGroups: [] };
  if (!before) return changes;
  const seen = new Set(before.records.map(recordKey));
  const newest = new Map<string, number>();
  for (const record of before.records)
    newest.set(`${record.topic}/${record.partition}`, Math.max(newest.get(`${record.topic}/${record.partition}`) ?? -1, record.offset));
  // A record is new when the last view did not have it and it comes after what that view had of its partition.
  changes.arrived = after.records.filter((r) => !seen.has(recordKey(r)) && r.offset > (newest.get(`${r.topic}/${r.partition}`) ?? -1));
  for (const topic of after.topics) {
    const old = before.topics.find((t) => t.name === topic.name && t.topicId === topic.topicId);
    if (!old) {
      changes.newTopics.push(topic.name);
      continue;
    }
    for (const partition of topic.partitions) {
      const was = old.partitions.find((p) => p.partition === partition.partition);
      if (!was) continue;
      if (was.leader !== partition.leader)
        changes.leaders.push({ topic: topic.name, partition: partition.partition, from: was.leader, to: partition.leader });
      for (const broker of partition.replicas) {
        const from = replicaState(was, broker);
        const to = replicaState(partition, broker);
        if (from !== to && was.replicas.includes(broker))
          changes.replicas.push({ topic: topic.name, partition: partition.partition, broker, from, to });
      }
    }
  }
  for (const group of after.groups) {
    const old = before.groups.find((g) => g.name === group.name);
    if (!old) changes.newGroups.push(group.name);
    const members = group.members.map((m) => m.id).join();
    if (old && (members !== old.members.map((m) => m.id).join() || !sameHolders(holders(old), holders(group)))) {
      changes.rebalances.push({
        group: group.name,
        members: group.members.map((member) => ({
          label: memberLabel(member),
          holds: member.assigned.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic} ${p}`)),
        })),
      });
    }
  }
  return changes;
}

const list = (items: (string | number)[]) => (items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`);

const STATE_WORDS: Record<ReplicaState, string> = {
  leader: "leads",
  "in-sync": "is in sync",
  eligible: "is out of sync but eligible to lead",
  "out-of-sync": "is out of sync",
  offline: "is offline",
};

/** The changes as short sentences, for a screen reader: at most a few, the rest counted. */
export function describeChanges(changes: LiveChanges): string[] {
  const sentences: string[] = [];
  for (const name of changes.newTopics) sentences.push(`New topic ${name}.`);
  for (const name of changes.newGroups) sentences.push(`Consumer group ${name} appeared.`);
  const byTopic = new Map<string, Set<number>>();
  for (const record of changes.arrived) byTopic.set(record.topic, (byTopic.get(record.topic) ?? new Set()).add(record.partition));
  for (const [topic, partitions] of byTopic) {
    const count = changes.arrived.filter((r) => r.topic === topic).length;
    sentences.push(
      `${count} new record${count === 1 ? "" : "s"} in ${topic}, partition${partitions.size === 1 ? "" : "s"} ${list([...partitions].sort())}.`,
    );
  }
  for (const move of changes.leaders) {
    sentences.push(
      move.to < 0
        ? `${move.topic} partition ${move.partition} has no leader.`
        : `${move.topic} partition ${move.partition}: the leader moved from broker ${move.from} to broker ${move.to}.`,
    );
  }
  for (const change of changes.replicas.filter((c) => c.from !== "leader" && c.to !== "leader")) {
    sentences.push(`${change.topic} partition ${change.partition}: broker ${change.broker} ${STATE_WORDS[change.to]}.`);
  }
  for (const { group, members } of changes.rebalances) {
    const holds = members.map((m) => `${m.label} holds ${m.holds.length ? list(m.holds) : "nothing"}`);
    sentences.push(
      `Group ${group} rebalanced: ${members.length} member${members.length === 1 ? "" : "s"}${holds.length ? `; ${holds.join("; ")}` : ""}.`,
    );
  }
  return sentences;
}
