// One live panel: the learner's Kafka (or the part an exercise owns) drawn or as tables, redrawn as each
// view arrives, with what changed animated and said. Loaded only once a panel is open and in view.
import type { LiveView } from "#contract/live-view";
import "./live-view.css";
import { announce } from "./live-announcer.ts";
import { changesBetween, describeChanges } from "./live-changes.ts";
import { clock, el } from "./live-dom.ts";
import { listenToLiveView, type LiveFeedUpdate } from "./live-feed.ts";
import { playChanges, positions } from "./live-motion.ts";
import { renderPictures } from "./live-pictures.ts";
import { isWholeView, scopeView, type LiveScope } from "./live-scope.ts";
import { renderTables } from "./live-tables.ts";

const TABLES_KEY = "tributary:live-tables";
const names = (attribute: string | undefined) => (attribute ? attribute.split(" ").filter(Boolean) : []);

export interface LivePanel {
  /** Starts listening (the panel is open and near view). */
  start(): void;
  /** Stops listening (the panel was closed). */
  stop(): void;
}

/** Fills the panel `root` (a LiveView component) and keeps it up to date while started. */
export function mountLivePanel(root: HTMLElement): LivePanel {
  const scope: LiveScope = { topics: names(root.dataset.topics), groups: names(root.dataset.groups) };
  const level = Number(root.dataset.headingLevel ?? 4);
  const title = root.dataset.title ?? "Your Kafka, live";
  const cluster = root.dataset.cluster ?? "course";
  const status = el("span", { class: "lv-status", attrs: { "data-live-status": "connecting" } }, "Connecting…");
  const toggle = el("button", { class: "lv-toggle", attrs: { type: "button", "aria-pressed": "false", "data-live-tables": "" } }, "Show as tables");
  const content = el("div", {
    class: "lv-content",
    attrs: { role: "region", tabindex: 0, "aria-label": `${title}: pictures`, "data-live-content": "" },
  });
  const body = root.querySelector<HTMLElement>("[data-live-body]") ?? root;
  body.replaceChildren(
    ...[
      // My Kafka shows the course's brokers: a panel watching the learner's lab does not lead there.
      el(
        "div",
        { class: "lv-bar" },
        status,
        toggle,
        !isWholeView(scope) && cluster === "course" && el("a", { attrs: { href: "/my-kafka/" } }, "All of your Kafka"),
      ),
      !isWholeView(scope) &&
        el(
          "p",
          { class: "lv-scope" },
          `This exercise's ${[...scope.topics.map((t) => `topic ${t}`), ...scope.groups.map((g) => `group ${g}`)].join(", ")}, and the topics its groups read.`,
        ),
      content,
    ].filter((child) => child !== false),
  );

  let tables = localStorage.getItem(TABLES_KEY) === "true";
  /** The last view received, whole, and the part of it drawn. */
  let latest: LiveView | undefined;
  let shown: LiveView | undefined;
  let stopListening: (() => void) | undefined;

  const draw = (view: LiveView, animate: boolean) => {
    const scoped = scopeView(view, scope);
    const changes = changesBetween(animate ? shown : undefined, scoped);
    const before = positions(content);
    const empty = !isWholeView(scope) && scoped.topics.length === 0 && scoped.groups.length === 0;
    content.replaceChildren(
      empty
        ? el("p", { class: "lv-empty" }, "Nothing of this exercise's on the broker yet. Press Run and watch it appear here.")
        : tables
          ? renderTables(scoped)
          : renderPictures(scoped, level),
    );
    if (animate && !tables) playChanges(content, before, changes);
    if (animate) announce(describeChanges(changes));
    latest = view;
    shown = scoped;
  };

  const show = (update: LiveFeedUpdate) => {
    status.dataset.liveStatus = update.type;
    if (update.type === "connecting") status.textContent = "Connecting…";
    else if (update.type === "problem") {
      status.textContent = update.message;
      announce([update.message]);
    } else {
      status.textContent = `Live · read at ${clock(update.view.at)}`;
      root.dataset.liveAt = String(update.view.at);
      draw(update.view, shown !== undefined);
    }
  };

  const showTables = (on: boolean) => {
    tables = on;
    toggle.setAttribute("aria-pressed", String(on));
    toggle.textContent = on ? "Show as pictures" : "Show as tables";
    content.setAttribute("aria-label", `${title}: ${on ? "tables" : "pictures"}`);
    if (latest) draw(latest, false);
  };
  toggle.addEventListener("click", () => {
    localStorage.setItem(TABLES_KEY, String(!tables));
    showTables(!tables);
  });
  showTables(tables);

  return {
    start() {
      stopListening ??= listenToLiveView(show, cluster);
    },
    stop() {
      stopListening?.();
      stopListening = undefined;
      latest = shown = undefined;
    },
  };
}
