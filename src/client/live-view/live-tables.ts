// The live view's numbers as tables, for the keyboard and screen readers: partitions (leader, replicas,
// in-sync and eligible replicas per broker, offsets), consumer groups (members and what they hold), their
// offsets and lag, and the last records.
import type { LiveView } from "#contract/live-view";
import { memberLabel } from "./live-changes.ts";
import { clock, duration, el } from "./live-dom.ts";

type Cell = string | number;

const brokers = (ids: number[]) => (ids.length ? ids.join(", ") : "none");

function table(caption: string, headers: string[], rows: Cell[][], empty: string): HTMLElement {
  if (rows.length === 0) return el("p", { class: "lv-empty" }, `${caption}: ${empty}`);
  return el(
    "table",
    { class: "lv-table" },
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { attrs: { scope: "col" } }, h)))),
    el(
      "tbody",
      {},
      ...rows.map(([first, ...rest]) => el("tr", {}, el("th", { attrs: { scope: "row" } }, first), ...rest.map((cell) => el("td", {}, cell)))),
    ),
  );
}

/** Every number of the view, as tables with captions and headers. */
export function renderTables(view: LiveView): HTMLElement {
  const partitions = view.topics.flatMap((topic) =>
    topic.partitions.map((p) => [
      `${topic.name} ${p.partition}`,
      p.leader < 0 ? "none" : p.leader,
      brokers(p.replicas),
      brokers(p.isr),
      brokers(p.elr),
      p.logStart,
      p.logEnd,
      p.records,
      [p.underReplicated ? "under-replicated" : "", p.underMinIsr ? `under min ISR (needs ${topic.minInsyncReplicas.effective})` : ""]
        .filter(Boolean)
        .join("; ") || "ok",
    ]),
  );
  const members = view.groups.flatMap((group) =>
    group.members.length === 0
      ? [[group.name, group.state, "none", "nothing"]]
      : group.members.map((member) => [
          group.name,
          group.state,
          memberLabel(member),
          member.assigned.map(({ topic, partitions }) => `${topic} ${partitions.join(", ")}`).join("; ") || "nothing",
        ]),
  );
  const offsets = view.groups.flatMap((group) => [
    ...group.offsets.map((o) => [`${group.name}: ${o.topic} ${o.partition}`, o.committed ?? "none", o.logEnd, o.lag ?? "unknown"]),
    [`${group.name}: total`, "", "", `${group.totalLag}${group.timeLagMs === null ? "" : `, oldest unread ${duration(group.timeLagMs)} old`}`],
  ]);
  const records = view.records.map((r) => [`${r.topic} ${r.partition} @${r.offset}`, clock(r.timestamp), r.key ?? "no key", r.value ?? "null"]);
  return el(
    "div",
    { class: "lv-tables" },
    table(
      "Partitions",
      ["Topic and partition", "Leader", "Replicas", "In sync (ISR)", "Eligible (ELR)", "Log start", "Log end", "Records", "State"],
      partitions,
      "no topic yet",
    ),
    table("Consumer group members", ["Group", "State", "Member", "Holds"], members, "no consumer group yet"),
    table("Committed offsets and lag", ["Group, topic and partition", "Committed", "Log end", "Lag"], offsets, "no commit yet"),
    table("Last records to arrive", ["Topic, partition and offset", "Time", "Key", "Value"], records, "no record yet"),
  );
}
