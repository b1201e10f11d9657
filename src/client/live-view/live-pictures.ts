// The live view drawn: each partition with its replicas per broker (the leader starred, out-of-sync ones
// marked) and its log with the last records' keys; the last records; each group with its members holding
// partitions, its commits against the log end, and its lag over time. Elements that move between views
// carry `data-flip` keys, new records `data-record` keys, so the panel can animate what changed.
import type { LiveGroup, LivePartition, LiveTopic, LiveView } from "#contract/live-view";
import { lagChart } from "./lag-chart.ts";
import { memberLabel, recordKey, replicaState, type ReplicaState } from "./live-changes.ts";
import { clock, duration, el, plural } from "./live-dom.ts";

/** Records of one partition the strip shows, oldest first. */
const STRIP = 8;

const STATE_TITLES: Record<ReplicaState, string> = {
  leader: "leader",
  "in-sync": "in sync",
  eligible: "out of sync, eligible to lead (ELR)",
  "out-of-sync": "out of sync",
  offline: "offline",
};

const heading = (level: number, text: string, className: string) => {
  const h = document.createElement(`h${Math.min(6, level)}`);
  h.className = className;
  h.textContent = text;
  return h;
};

function replicas(topic: LiveTopic, partition: LivePartition): HTMLElement {
  return el(
    "span",
    { class: "lv-replicas" },
    ...partition.replicas.map((broker) => {
      const state = replicaState(partition, broker);
      return el(
        "span",
        {
          class: "lv-replica",
          attrs: {
            "data-state": state,
            "data-change": `${topic.name}/${partition.partition}/${broker}`,
            title: `broker ${broker}: ${STATE_TITLES[state]}`,
          },
        },
        state === "leader" &&
          el("span", { class: "lv-leader-mark", attrs: { "data-flip": `lead:${topic.name}/${partition.partition}`, "aria-hidden": "true" } }, "★"),
        el("span", { class: "visually-hidden" }, `broker ${broker}, ${STATE_TITLES[state]}`),
        el("span", { attrs: { "aria-hidden": "true" } }, `b${broker}`),
      );
    }),
  );
}

function partitionRow(view: LiveView, topic: LiveTopic, partition: LivePartition): HTMLElement {
  const recent = view.records
    .filter((r) => r.topic === topic.name && r.partition === partition.partition)
    .slice(0, STRIP)
    .reverse();
  const needs = topic.minInsyncReplicas.effective;
  return el(
    "li",
    { class: "lv-partition", attrs: { "data-under-replicated": partition.underReplicated, "data-under-min-isr": partition.underMinIsr } },
    el("span", { class: "lv-pname" }, `partition ${partition.partition}`),
    replicas(topic, partition),
    el(
      "span",
      { class: "lv-log", attrs: { title: `offsets ${partition.logStart} to ${partition.logEnd - 1}` } },
      el(
        "span",
        { class: "lv-strip", attrs: { "aria-hidden": "true" } },
        ...recent.map((r) =>
          el("span", { class: "lv-rec", attrs: { "data-record": recordKey(r), title: `offset ${r.offset}, key ${r.key ?? "none"}` } }, r.key ?? "∅"),
        ),
      ),
      el("span", { class: "lv-count" }, `${plural(partition.records, "record")} · end ${partition.logEnd}`),
    ),
    partition.leader < 0 && el("span", { class: "lv-flag" }, "no leader"),
    partition.underReplicated && el("span", { class: "lv-flag" }, "under-replicated"),
    partition.underMinIsr && el("span", { class: "lv-flag lv-flag-serious" }, `under min ISR: writes with acks=all need ${needs} in sync`),
  );
}

function topicCard(view: LiveView, topic: LiveTopic, level: number): HTMLElement {
  const copies = Math.max(...topic.partitions.map((p) => p.replicas.length));
  const { setting, effective } = topic.minInsyncReplicas;
  const min =
    setting !== null && setting > effective
      ? `min.insync.replicas ${setting}, so ${effective} here: there ${copies === 1 ? "is" : "are"} only ${plural(copies, "replica")}`
      : `min.insync.replicas ${effective}`;
  return el(
    "article",
    { class: "lv-topic" },
    heading(level, topic.name, "lv-title"),
    el("p", { class: "lv-meta" }, `${plural(topic.partitions.length, "partition")} · ${plural(copies, "replica")} each · ${min}`),
    el("ul", { class: "lv-partitions" }, ...topic.partitions.map((p) => partitionRow(view, topic, p))),
  );
}

function groupCard(group: LiveGroup, at: number, level: number): HTMLElement {
  const lag = group.timeLagMs === null ? "" : group.timeLagMs === 0 ? " · caught up" : ` · oldest unread record ${duration(group.timeLagMs)} old`;
  return el(
    "article",
    { class: "lv-group" },
    heading(level, group.name, "lv-title"),
    el(
      "p",
      { class: "lv-meta" },
      el("span", { class: "lv-state", attrs: { "data-state": group.state } }, group.state),
      ` · ${plural(group.members.length, "member")} · lag ${group.totalLag}${lag}`,
    ),
    el(
      "ul",
      { class: "lv-members" },
      ...group.members.map((member) =>
        el(
          "li",
          { class: "lv-member" },
          el("span", { class: "lv-member-name" }, memberLabel(member)),
          el(
            "span",
            { class: "lv-held" },
            ...member.assigned.flatMap(({ topic, partitions }) =>
              partitions.map((p) => el("span", { class: "lv-chip", attrs: { "data-flip": `hold:${group.name}/${topic}/${p}` } }, `${topic} · ${p}`)),
            ),
            member.assigned.length === 0 && el("span", { class: "lv-idle" }, "holds nothing"),
          ),
        ),
      ),
      group.members.length === 0 && el("li", { class: "lv-idle" }, "No member reads now."),
    ),
    el(
      "ul",
      { class: "lv-offsets" },
      ...group.offsets.map((o) =>
        el(
          "li",
          {},
          el("span", {}, `${o.topic} · ${o.partition}: `),
          el(
            "span",
            { class: "lv-bar", attrs: { "aria-hidden": "true" } },
            el("span", { attrs: { style: `width:${o.logEnd === 0 || o.committed === null ? 0 : Math.round((100 * o.committed) / o.logEnd)}%` } }),
          ),
          el("span", {}, o.committed === null ? `no commit · end ${o.logEnd}` : `committed ${o.committed} of ${o.logEnd} · lag ${o.lag}`),
        ),
      ),
    ),
    el("div", { class: "lv-lag" }, lagChart(group.lagHistory, at), el("span", { class: "lv-meta" }, "lag, last minutes")),
  );
}

/** The whole view drawn; `level` is the heading level of its parts. */
export function renderPictures(view: LiveView, level: number): HTMLElement {
  const down = view.brokers.filter((b) => !b.up);
  return el(
    "div",
    { class: "lv-pictures" },
    view.brokers.length > 1 &&
      el(
        "p",
        { class: "lv-brokers" },
        "Brokers: ",
        ...view.brokers.map((b) => el("span", { class: "lv-broker", attrs: { "data-up": b.up } }, `${b.id}${b.up ? "" : " (down)"}`)),
        down.length > 0 && ` · ${plural(down.length, "broker")} down`,
      ),
    heading(level, "Topics", "lv-section"),
    ...(view.topics.length === 0 ? [el("p", { class: "lv-empty" }, "No topic yet.")] : view.topics.map((t) => topicCard(view, t, level + 1))),
    heading(level, "Last records to arrive", "lv-section"),
    view.records.length === 0
      ? el("p", { class: "lv-empty" }, "No record yet.")
      : el(
          "ol",
          { class: "lv-records" },
          ...view.records.map((r) =>
            el(
              "li",
              { attrs: { "data-record": recordKey(r) } },
              el("span", { class: "lv-rec-where" }, `${r.topic} · ${r.partition} @${r.offset}`),
              el("time", { attrs: { datetime: new Date(r.timestamp).toISOString() } }, clock(r.timestamp)),
              el("span", { class: "lv-rec-key" }, r.key === null ? "no key" : `key ${r.key}`),
              el("span", { class: "lv-rec-value" }, r.value ?? "null"),
            ),
          ),
        ),
    heading(level, "Consumer groups", "lv-section"),
    ...(view.groups.length === 0
      ? [el("p", { class: "lv-empty" }, "No consumer group yet.")]
      : view.groups.map((g) => groupCard(g, view.at, level + 1))),
  );
}
