// Server-sent events, one way for every stream the API serves (a run's output; a learner's live Kafka):
// events reach the wire in the order they were sent, all of them before the stream closes, and the
// feed is unsubscribed the moment the viewer goes away.
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";

/** Sends one event; `id` lets a viewer resume after it (Last-Event-ID). */
export type SendEvent = (event: string, data: unknown, id?: string) => void;

/**
 * Streams what `feed` sends until it calls `end` (then every event sent is written first) or the viewer
 * goes away; `feed` returns its unsubscribe. `onClose` runs once either way.
 */
export function eventStream(c: Context, feed: (send: SendEvent, end: () => void) => () => void, onClose?: () => void): Response {
  return streamSSE(c, async (stream) => {
    let written = Promise.resolve();
    const send: SendEvent = (event, data, id) => {
      written = written.then(() => stream.writeSSE({ event, data: JSON.stringify(data), ...(id === undefined ? {} : { id }) }));
    };
    try {
      await new Promise<void>((done) => {
        let unsubscribe: (() => void) | undefined;
        let ended = false;
        const end = () => {
          ended = true;
          void written.then(done);
        };
        unsubscribe = feed(send, end);
        if (ended) unsubscribe();
        stream.onAbort(() => {
          unsubscribe?.();
          unsubscribe = undefined;
          done();
        });
      });
    } finally {
      onClose?.();
    }
  }) as unknown as Response;
}
