// Which part of the learner's Kafka a panel shows: beside an exercise, that exercise's topics and groups
// (and the topics its groups read); on My Kafka, everything of theirs.
import type { LiveView } from "#contract/live-view";

/** Names as the lesson says them; an empty scope shows the whole view. */
export interface LiveScope {
  topics: string[];
  groups: string[];
}

export const isWholeView = (scope: LiveScope) => scope.topics.length === 0 && scope.groups.length === 0;

/** The view cut down to `scope`: its groups, its topics and the topics those groups hold or committed on. */
export function scopeView(view: LiveView, scope: LiveScope): LiveView {
  if (isWholeView(scope)) return view;
  const groups = view.groups.filter((group) => scope.groups.includes(group.name));
  const topics = new Set(scope.topics);
  for (const group of groups) {
    for (const offset of group.offsets) topics.add(offset.topic);
    for (const member of group.members) for (const held of member.assigned) topics.add(held.topic);
  }
  return {
    ...view,
    topics: view.topics.filter((topic) => topics.has(topic.name)),
    records: view.records.filter((record) => topics.has(record.topic)),
    groups,
  };
}
