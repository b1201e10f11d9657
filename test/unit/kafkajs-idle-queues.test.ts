// The launcher's fix for kafkajs's idle request queues, on kafkajs's own RequestQueue class: an idle queue
// arms no timer, and a queue with requests waiting (throttled by the broker) still sends them when it may.
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { quietIdleRequestQueues } from "../../sandbox-server/src/runs/inside/kafkajs-idle-queues.ts";

const require = createRequire(import.meta.url);

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  maybeThrottle(ms: number): void;
  push(request: {
    entry: { correlationId: number; apiKey: number; apiName: string; apiVersion: number; resolve(): void; reject(): void };
    expectResponse: boolean;
    sendRequest(): void;
  }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
  destroy(): void;
}
type QueueClass = (new (options: Record<string, unknown>) => Queue) & { prototype: { scheduleCheckPendingRequests(): void } };
const RequestQueue = require("kafkajs/src/network/requestQueue/index.js") as QueueClass;
const asReleased = RequestQueue.prototype.scheduleCheckPendingRequests;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const queues: Queue[] = [];
const newQueue = () => {
  const queue = new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: "test",
    broker: "b:1",
    logger: silent,
  });
  queues.push(queue);
  return queue;
};
const request = (correlationId: number, sendRequest: () => void) => ({
  entry: { correlationId, apiKey: 3, apiName: "Metadata", apiVersion: 6, resolve() {}, reject() {} },
  expectResponse: true,
  sendRequest,
});

afterEach(() => {
  for (const queue of queues.splice(0)) queue.destroy();
  // Each test starts from kafkajs as released, whatever the order they run in.
  RequestQueue.prototype.scheduleCheckPendingRequests = asReleased;
});

describe("kafkajs's request queues under the course's launcher", () => {
  it("as released, kafkajs re-arms a check on a queue with nothing pending (the behaviour the fix removes)", () => {
    const queue = newQueue();
    queue.checkPendingRequests();
    expect(queue.pending).toHaveLength(0);
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
  });

  it("quieted, a queue with nothing pending arms no check, before or after answers", () => {
    expect(quietIdleRequestQueues(require)).toBe(true);
    const queue = newQueue();
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
    let sent = 0;
    queue.push(request(1, () => sent++));
    queue.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(sent).toBe(1);
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it("quieted, a request held back while the broker throttles the client is still sent once the throttle ends", async () => {
    quietIdleRequestQueues(require);
    const queue = newQueue();
    queue.maybeThrottle(40);
    const sent = new Promise<number>((resolve) => queue.push(request(7, () => resolve(Date.now()))));
    expect(queue.pending).toHaveLength(1);
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    expect(await sent).toBeGreaterThanOrEqual(queue.throttledUntil - 1);
    expect(queue.pending).toHaveLength(0);
  });

  it("leaves a kafkajs it does not know as it is", () => {
    expect(
      quietIdleRequestQueues(() => {
        throw new Error("Cannot find module");
      }),
    ).toBe(false);
    expect(quietIdleRequestQueues(() => ({}))).toBe(false);
  });
});
