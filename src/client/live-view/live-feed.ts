// One stream of the learner's live Kafka per page, shared by every panel on it: opened by the first panel
// that listens, closed when the last one stops, so the server's watcher stops when no tab watches.
import type { LiveView } from "#contract/live-view";
import { learnerKnown } from "../sandbox-api.ts";

export type LiveFeedUpdate = { type: "view"; view: LiveView } | { type: "problem"; message: string } | { type: "connecting" };
type Listener = (update: LiveFeedUpdate) => void;

const listeners = new Set<Listener>();
let source: EventSource | undefined;
let last: LiveFeedUpdate = { type: "connecting" };
/** True while a stream waits for the learner's id before it opens. */
let connecting = false;

function send(update: LiveFeedUpdate): void {
  last = update;
  for (const listener of listeners) listener(update);
}

async function open(cluster: string): Promise<void> {
  // The stream must watch the learner the page acts for: on a first visit, the one its first request made.
  await learnerKnown();
  // Every panel stopped listening while the page waited: there is nothing to open.
  if (listeners.size === 0 || source) return;
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
  if (!source && !connecting) {
    last = { type: "connecting" };
    connecting = true;
    void open(cluster).finally(() => (connecting = false));
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
