// The live view's event stream against the real broker, as a browser's EventSource reads it: a stream
// opened on a learner with no topic yet shows a topic made after it opened, and the records produced to
// it after that, within seconds, without the stream being opened again.
import { EventSourceParserStream } from "eventsource-parser/stream";
import { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LiveViewSchema, type LiveView } from "../../sandbox-server/src/contract/index.ts";
import { kafkajsConfig } from "../support/kafkajs-config.ts";
import type { LearnerClient } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
/** How long a change may take to reach an open stream: the watcher reads about once a second. */
const WITHIN_MS = 5000;
let sandbox: TestServer;
let learner: LearnerClient;
let namespace: string;

/** An open live view stream: every view it has sent, and a way to wait for one. */
interface ViewStream {
  views: LiveView[];
  /** Resolves with the first view (sent already or to come) for which `test` holds; rejects after `ms`. */
  until(test: (view: LiveView) => boolean, ms?: number): Promise<LiveView>;
  close(): void;
}

async function openStream(client: LearnerClient): Promise<ViewStream> {
  const controller = new AbortController();
  const response = await fetch(`${client.baseUrl}/api/live?cluster=course`, {
    headers: { cookie: client.cookie, accept: "text/event-stream" },
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`GET /api/live answered ${response.status}`);
  const views: LiveView[] = [];
  const waiting = new Set<() => void>();
  void (async () => {
    const events = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    try {
      for await (const message of events) {
        if (message.event !== "view") continue;
        views.push(LiveViewSchema.parse(JSON.parse(message.data)));
        for (const wake of waiting) wake();
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    views,
    until: (test, ms = WITHIN_MS) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = views.find(test);
          if (!found) return;
          waiting.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`No view within ${ms} ms passed the test; the last: ${JSON.stringify(views.at(-1))}`));
        }, ms);
        waiting.add(check);
        check();
      }),
    close: () => controller.abort(),
  };
}

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
  learner = sandbox.learner();
  namespace = await learner.namespace();
});

afterAll(async () => {
  await sandbox?.close();
});

describe("the live view's stream follows the learner's Kafka as it changes", () => {
  it("shows a topic made after the stream opened, then the records produced to it", async () => {
    const stream = await openStream(learner);
    const client = new Kafka(kafkajsConfig(kafka, "live-view-stream"));
    const admin = client.admin();
    const producer = client.producer();
    try {
      // The first view: a learner with nothing on the broker yet.
      const first = await stream.until(() => true, 20_000);
      expect(first.topics).toEqual([]);
      // Let the watcher settle into reading an empty namespace before anything appears.
      await new Promise((resolve) => setTimeout(resolve, 2500));

      await admin.connect();
      await admin.createTopics({ topics: [{ topic: `${namespace}arrivals`, numPartitions: 3 }], waitForLeaders: true });
      const withTopic = await stream.until((view) => view.topics.some((topic) => topic.name === "arrivals"));
      expect(withTopic.topics.find((topic) => topic.name === "arrivals")!.partitions).toHaveLength(3);

      await producer.connect();
      const keys = ["first", "second", "third"];
      for (const key of keys) await producer.send({ topic: `${namespace}arrivals`, messages: [{ key, value: `${key} value` }] });
      const withRecords = await stream.until((view) => keys.every((key) => view.records.some((record) => record.key === key)));
      expect(withRecords.records.filter((record) => record.topic === "arrivals")).toHaveLength(3);
      const counted = withRecords.topics.find((topic) => topic.name === "arrivals")!.partitions.reduce((sum, p) => sum + p.records, 0);
      expect(counted).toBe(3);

      // A second topic later still shows beside the first.
      await admin.createTopics({ topics: [{ topic: `${namespace}later`, numPartitions: 1 }], waitForLeaders: true });
      await producer.send({ topic: `${namespace}later`, messages: [{ key: "late", value: "late value" }] });
      const both = await stream.until((view) => view.records.some((record) => record.topic === "later" && record.key === "late"));
      expect(both.topics.map((topic) => topic.name)).toEqual(["arrivals", "later"]);
    } finally {
      stream.close();
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});
