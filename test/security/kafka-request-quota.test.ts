// A learner's requests may take only TRIBUTARY_LEARNER_REQUEST_PERCENT of a request thread's time
// (Kafka's request_percentage quota on their principal): one learner flooding the broker with metadata
// requests from many connections is throttled, and another learner's producer keeps its pace.
import { Connection, metadataV12 } from "@platformatic/kafka";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { LearnerIds } from "../../sandbox-server/src/http/learner-id.ts";
import { connectTo, LearnerPrincipals, learnerNamespace, SCRAM_MECHANISM, type LearnerKafka } from "../../sandbox-server/src/kafka/index.ts";

const access = inject("kafkaAccess");
const quotas = loadConfig().kafka.learnerQuotas;
const ids = new LearnerIds();
let principals: LearnerPrincipals;

const FLOOD_CLIENTS = 16;
const FLOOD_SECONDS = 12;
const SENDS = 60;

beforeAll(() => {
  principals = new LearnerPrincipals(access, quotas);
});

afterAll(async () => {
  await principals?.close();
});

async function newLearner(): Promise<LearnerKafka> {
  const { id } = ids.issue();
  return principals.forLearner(id, learnerNamespace(id, ids.namespaceKey));
}

/** Milliseconds each of `SENDS` acks=all sends of one record took, one after another. */
async function sendLatencies(learner: LearnerKafka): Promise<number[]> {
  const kafka = new Kafka({
    clientId: "neighbour",
    brokers: access.bootstrap,
    sasl: { mechanism: "scram-sha-256", ...learner.credentials! },
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const topic = `${learner.namespace}pace`;
  await producer.send({ topic, acks: -1, messages: [{ value: "warm-up" }] });
  const latencies: number[] = [];
  for (let i = 0; i < SENDS; i++) {
    const started = performance.now();
    await producer.send({ topic, acks: -1, messages: [{ key: String(i), value: "v" }] });
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await producer.disconnect();
  return latencies;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * p)]!;

interface Flood {
  requests: number;
  /** The most throttle time the broker reported in one answer. */
  maxThrottleMs: number;
  /** Answers per second in the first and the last two seconds of the flood. */
  firstRate: number;
  lastRate: number;
}

/** `FLOOD_CLIENTS` connections of one learner, each asking for metadata as fast as the broker answers. */
async function flood(learner: LearnerKafka, until: Promise<unknown>): Promise<Flood> {
  const answeredAt: number[] = [];
  let maxThrottleMs = 0;
  let done = false;
  void until.finally(() => (done = true));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: FLOOD_CLIENTS }, async () => {
      const connection = new Connection("flood", {
        sasl: { mechanism: SCRAM_MECHANISM, ...learner.credentials! },
        requestTimeout: 60_000,
      });
      await connectTo(connection, access.bootstrap[0]!);
      try {
        while (!done && performance.now() - started < FLOOD_SECONDS * 1000) {
          // Several requests in flight on each connection, as a client that ignores throttling sends them.
          const answers = await Promise.all(Array.from({ length: 4 }, () => metadataV12.api.async(connection, null, false, false)));
          for (const answer of answers) {
            answeredAt.push(performance.now() - started);
            maxThrottleMs = Math.max(maxThrottleMs, answer.throttleTimeMs);
          }
        }
      } finally {
        await connection.close();
      }
    }),
  );
  const end = Math.max(...answeredAt);
  const rate = (from: number, to: number) => answeredAt.filter((t) => t >= from && t < to).length / ((to - from) / 1000);
  return { requests: answeredAt.length, maxThrottleMs, firstRate: rate(0, 2000), lastRate: rate(end - 2000, end) };
}

describe("a learner flooding the broker with requests", () => {
  it("is throttled by its request quota, while another learner's producer keeps its latency", { timeout: 180_000 }, async () => {
    const [flooder, neighbour] = await Promise.all([newLearner(), newLearner()]);
    const alone = await sendLatencies(neighbour);

    let neighbourDone!: () => void;
    const finished = new Promise<void>((resolve) => (neighbourDone = resolve));
    const flooding = flood(flooder, finished);
    // Let the flood reach its pace (and the quota its window) before the neighbour measures.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const beside = await sendLatencies(neighbour).finally(neighbourDone);
    const result = await flooding;

    console.log(
      `[request quota] ${quotas.requestPercentage}% of a thread: flood of ${result.requests} metadata requests, ` +
        `${Math.round(result.firstRate)}/s at first, ${Math.round(result.lastRate)}/s at the end, throttled up to ${result.maxThrottleMs} ms; ` +
        `neighbour's send p50/p95 ${percentile(alone, 0.5).toFixed(1)}/${percentile(alone, 0.95).toFixed(1)} ms alone, ` +
        `${percentile(beside, 0.5).toFixed(1)}/${percentile(beside, 0.95).toFixed(1)} ms beside the flood`,
    );
    // The broker says it throttles the flood, and the flood slows down.
    expect(result.maxThrottleMs).toBeGreaterThan(0);
    expect(result.lastRate).toBeLessThan(result.firstRate);
    // The neighbour's sends stay near their pace without the flood (a generous bound: this machine is shared).
    // Unthrottled, the same flood made 3,500 requests a second and tripled the neighbour's p50, sextupled its p95.
    expect(percentile(beside, 0.5)).toBeLessThan(percentile(alone, 0.5) * 2 + 10);
    expect(percentile(beside, 0.95)).toBeLessThan(percentile(alone, 0.95) * 2 + 25);
  });
});
