// kafkajs 2.2.4 (its latest release) keeps every open connection's request queue checking for pending
// requests every millisecond, for as long as the connection lives, even with nothing pending (an open
// kafkajs issue, tulios/kafkajs#1704). Each connection then costs about 20 ms of CPU a second doing
// nothing: a consumer waiting for messages, a producer between sends. With a class's programs on one
// machine, every program's spinning slows every other's, and the longer they take, the more they spin.
//
// A queue with nothing pending has nothing to check: a request that cannot be sent at once (too many in
// flight, or the broker throttling this client) is queued by `push`, which arms the check itself. So the
// check is armed only while something is pending; with something pending, kafkajs's own timing holds.
// Loaded by the launcher before a learner's program, so a program run here costs what it would if kafkajs
// were fixed, and behaves exactly as it would on the learner's own machine.

interface RequestQueuePrototype {
  scheduleCheckPendingRequests(this: { pending?: unknown[] }): void;
}

/**
 * Makes kafkajs's request queues (as `require` resolves kafkajs) arm their pending-request check only while
 * requests are pending. False, and kafkajs left as it is, where its request queue is not the one this knows.
 */
export function quietIdleRequestQueues(require: (id: string) => unknown): boolean {
  let RequestQueue: { prototype: RequestQueuePrototype } | undefined;
  try {
    RequestQueue = require("kafkajs/src/network/requestQueue/index.js") as typeof RequestQueue;
  } catch {
    return false;
  }
  const prototype = RequestQueue?.prototype;
  const schedule = prototype?.scheduleCheckPendingRequests;
  if (!prototype || typeof schedule !== "function") return false;
  if (schedule.name === "scheduleWhilePending") return true;
  prototype.scheduleCheckPendingRequests = function scheduleWhilePending() {
    if (Array.isArray(this.pending) && this.pending.length === 0) return;
    schedule.call(this);
  };
  return true;
}
