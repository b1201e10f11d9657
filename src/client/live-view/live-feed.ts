// One stream of the learner's live Kafka per cluster and page, shared by every panel watching that cluster:
// opened by the first panel that listens, closed when the last one stops, so the server's watcher stops
// when no tab watches. A lesson may watch the course's brokers and the learner's lab side by side.
import type { LiveView } from "#contract/live-view";
import { learnerKnown } from "../sandbox-api.ts";
import { CLUSTER_READY } from "../fault-lab/lab-signals.ts";

export type LiveFeedUpdate = { type: "view"; view: LiveView } | { type: "problem"; message: string } | { type: "connecting" };
type Listener = (update: LiveFeedUpdate) => void;

interface Feed {
  listeners: Set<Listener>;
  source?: EventSource;
  last: LiveFeedUpdate;
  /** True while a stream waits for the learner's id before it opens. */
  connecting: boolean;
}

const LOST = "The live view lost the sandbox server. Reload the page to watch again.";
const feeds = new Map<string, Feed>();

function send(feed: Feed, update: LiveFeedUpdate): void {
  feed.last = update;
  for (const listener of feed.listeners) listener(update);
}

/**
 * Why the server refused a stream: an EventSource is never told, so the same view is asked for once as JSON,
 * whose refusal carries the server's words (too many live views open, a cluster this server does not offer).
 */
async function refusal(cluster: string): Promise<string> {
  try {
    const response = await fetch(`/api/live?cluster=${encodeURIComponent(cluster)}`, { headers: { Accept: "application/json" } });
    if (response.ok) return LOST;
    const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    return body?.error?.message ?? LOST;
  } catch {
    return LOST;
  }
}

async function open(cluster: string, feed: Feed): Promise<void> {
  // The stream must watch the learner the page acts for: on a first visit, the one its first request made.
  await learnerKnown();
  // Every panel stopped listening while the page waited: there is nothing to open.
  if (feed.listeners.size === 0 || feed.source) return;
  const source = new EventSource(`/api/live?cluster=${encodeURIComponent(cluster)}`);
  feed.source = source;
  source.addEventListener("view", (message) => send(feed, { type: "view", view: JSON.parse(message.data) as LiveView }));
  source.addEventListener("problem", (message) =>
    send(feed, { type: "problem", message: (JSON.parse(message.data) as { message: string }).message }),
  );
  source.onerror = () => {
    // The browser reconnects by itself after a dropped connection; a refusal (too many tabs, no server, no such
    // cluster) ends the stream until the page is reloaded or the cluster says it is ready.
    if (source.readyState !== EventSource.CLOSED) return send(feed, { type: "connecting" });
    if (feed.source === source) feed.source = undefined;
    void refusal(cluster).then((message) => {
      if (!feed.source) send(feed, { type: "problem", message });
    });
  };
}

function connect(cluster: string, feed: Feed): void {
  if (feed.source || feed.connecting) return;
  feed.last = { type: "connecting" };
  feed.connecting = true;
  void open(cluster, feed).finally(() => (feed.connecting = false));
}

// A cluster that has just become ready (the learner's lab started) is watched again by the panels waiting for it.
window.addEventListener(CLUSTER_READY, (event) => {
  const cluster = (event as CustomEvent<string>).detail;
  const feed = feeds.get(cluster);
  if (feed && feed.listeners.size > 0 && !feed.source) {
    connect(cluster, feed);
    send(feed, feed.last);
  }
});

/** Listens to the learner's live view of `cluster`; the listener gets the latest update at once. Returns how to stop. */
export function listenToLiveView(listener: Listener, cluster = "course"): () => void {
  let feed = feeds.get(cluster);
  if (!feed) {
    feed = { listeners: new Set(), last: { type: "connecting" }, connecting: false };
    feeds.set(cluster, feed);
  }
  feed.listeners.add(listener);
  connect(cluster, feed);
  listener(feed.last);
  return () => {
    feed.listeners.delete(listener);
    if (feed.listeners.size === 0) {
      feed.source?.close();
      feed.source = undefined;
    }
  };
}
