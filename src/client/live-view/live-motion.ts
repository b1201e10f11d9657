// Motion that teaches, and only where it does: a record sliding into its partition, a partition moving
// from one member to another in a rebalance, the leader's star moving to another broker, a replica
// flashing as it leaves or rejoins the ISR. Nothing moves for a learner who asked for less motion.
import type { LiveChanges } from "./live-changes.ts";

const reduced = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

/** Where each element that may move is now, before the view is drawn again. */
export function positions(root: Element): Map<string, DOMRect> {
  return new Map([...root.querySelectorAll<HTMLElement>("[data-flip]")].map((element) => [element.dataset.flip!, element.getBoundingClientRect()]));
}

/** Plays what changed: moved elements glide from where they were, arrivals and replica changes are marked. */
export function playChanges(root: Element, before: Map<string, DOMRect>, changes: LiveChanges): void {
  const arrived = new Set(changes.arrived.map((r) => `${r.topic}/${r.partition}/${r.offset}`));
  for (const element of root.querySelectorAll<HTMLElement>("[data-record]"))
    if (arrived.has(element.dataset.record!)) element.classList.add("lv-arrived");
  const changed = new Set(changes.replicas.map((c) => `${c.topic}/${c.partition}/${c.broker}`));
  for (const element of root.querySelectorAll<HTMLElement>("[data-change]"))
    if (changed.has(element.dataset.change!)) element.classList.add("lv-changed");
  if (reduced()) return;
  for (const element of root.querySelectorAll<HTMLElement>("[data-flip]")) {
    const was = before.get(element.dataset.flip!);
    if (!was) continue;
    const now = element.getBoundingClientRect();
    const dx = was.left - now.left;
    const dy = was.top - now.top;
    if (Math.abs(dx) < 1 && Math.abs(dy) < 1) continue;
    element.animate([{ transform: `translate(${dx}px, ${dy}px)` }, { transform: "translate(0, 0)" }], { duration: 700, easing: "ease-in-out" });
  }
}
