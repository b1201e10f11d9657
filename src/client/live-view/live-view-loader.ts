// Wakes each live panel on the page only when it is open and near view: until then the page carries none
// of its code and the server reads nothing. A panel the learner closes stops listening; its state is remembered.
import type { LivePanel } from "./live-panel.ts";

const CLOSED_KEY = "tributary:live-closed";

/** Watches every `[data-live-view]` panel (a `<details>`) of the page. */
export function wakeLivePanels(): void {
  const roots = [...document.querySelectorAll<HTMLDetailsElement>("details[data-live-view]")];
  if (roots.length === 0) return;
  const closedByLearner = localStorage.getItem(CLOSED_KEY) === "true";
  const panels = new Map<HTMLElement, Promise<LivePanel>>();
  const near = new Set<Element>();
  const panelOf = (root: HTMLElement) => {
    let panel = panels.get(root);
    if (!panel) {
      panel = import("./live-panel.ts").then(({ mountLivePanel }) => mountLivePanel(root));
      panels.set(root, panel);
    }
    return panel;
  };
  const update = (root: HTMLDetailsElement) => {
    if (root.open && near.has(root)) void panelOf(root).then((panel) => (root.open ? panel.start() : panel.stop()));
    else if (!root.open) void panels.get(root)?.then((panel) => panel.stop());
  };
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) near.add(entry.target);
        update(entry.target as HTMLDetailsElement);
      }
    },
    { rootMargin: "200px" },
  );
  for (const root of roots) {
    // Beside exercises the panel follows the learner's last choice; on My Kafka it is always open.
    if (root.dataset.remember !== undefined && closedByLearner) root.open = false;
    root.addEventListener("toggle", () => {
      if (root.dataset.remember !== undefined) localStorage.setItem(CLOSED_KEY, String(!root.open));
      update(root);
    });
    observer.observe(root);
  }
}
