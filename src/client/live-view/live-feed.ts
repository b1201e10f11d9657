// One stream of the learner's live Kafka per page, shared by every panel on it: opened by the first panel
// that listens, closed when the last one stops, so the server's watcher stops when no tab watches.
import type { LiveView } from "#contract/live-view";

export type LiveFeedUpdate = { type: "view"; view: LiveView } | { type: "problem"; message: string } | { type: "connecting" };
type Listener = (update: LiveFeedUpdate) => void;

const listeners = new Set<Listener>();
let source: EventSource | undefined;
let last: LiveFeedUpdate = { type: "connecting" };

function send(update: LiveFeedUpdate): void {
  last = update;
  for (const listener of listeners) listener(update);
}

function open(cluster: string): void {
  source = new EventSource(`/api/live?cluster=${encodeURIComponent(cluster)}`);
  source.addEventListener("view", (message) => send({ type: "view", view: JSON.parse(message.data) as LiveView }));
  source.addEventListener("problem", (message) => send({ type: "problem", message: (JSON.parse(message.data) as { message: string }).message }));
  source.onerror = () => {
    // The browser reconnects by itself after a dropped connection; a refusal (too many tabs, no server) ends the stream.
    if (source?.readyState === EventSource.CLOSED) {
      send({ type: "problem", message: "The live view lost the sandbox server. Reload the page to watch again." });
      source = undefined;
    } else send({ type: "connecting" });
  };
}

/** Listens to the learner's live view of `cluster`; the listener gets the latest update at once. Returns how to stop. */
export function listenToLiveView(listener: Listener, cluster = "course"): () => void {
  listeners.add(listener);
  if (!source) {
    last = { type: "connecting" };
    open(cluster);
  }
  listener(last);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      source?.close();
      source = undefined;
    }
  };
}
