// "The broker answers" means more than an open port: metadata lists every broker,
// and a consumer group can be joined (its coordinator is loaded).
import net from "node:net";
import { Kafka } from "kafkajs";
import { kafkajsConfig, type BrokerAccess } from "./access.ts";

const READINESS_TOPIC = "__tributary_readiness";

export interface ReadinessOptions {
  expectedBrokers: number;
  timeoutMs: number;
  onProgress?: (message: string) => void;
  /** Stops waiting early, e.g. when the broker process has died. */
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function quietKafka(access: BrokerAccess): Kafka {
  return new Kafka(kafkajsConfig(access, "tributary-readiness", { connectionTimeout: 1000, requestTimeout: 5000, retry: { retries: 0 } }));
}

/** Resolves once metadata shows `expectedBrokers` brokers; rejects on timeout or abort. */
async function waitForMetadata(kafka: Kafka, options: ReadinessOptions, deadline: number): Promise<void> {
  let lastError = "no answer yet";
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length >= options.expectedBrokers && cluster.controller !== null) return;
      lastError = `${cluster.brokers.length} of ${options.expectedBrokers} brokers registered`;
    } catch (error) {
      lastError = (error as Error).message;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    options.onProgress?.(`waiting for broker metadata (${lastError})`);
    await sleep(500);
  }
  throw new Error(`Kafka did not answer a metadata request in time: ${lastError}.`);
}

/** Joins a consumer group once, which proves the group coordinator is loaded. */
async function joinConsumerGroup(kafka: Kafka, options: ReadinessOptions, deadline: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(READINESS_TOPIC)) {
      await admin.createTopics({ topics: [{ topic: READINESS_TOPIC, numPartitions: 1 }], waitForLeaders: true });
    }
  } finally {
    await admin.disconnect();
  }
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    const consumer = kafka.consumer({ groupId: READINESS_TOPIC, retry: { retries: 0 }, sessionTimeout: 10000 });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: READINESS_TOPIC });
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      const crashed = new Promise<never>((_, reject) => consumer.on(consumer.events.CRASH, (event) => reject(event.payload.error)));
      await consumer.run({ eachMessage: async () => {} });
      await Promise.race([joined, crashed, sleep(8000).then(() => Promise.reject(new Error("join timed out")))]);
      return;
    } catch (error) {
      options.onProgress?.(`waiting for the group coordinator (${(error as Error).message})`);
      await sleep(500);
    } finally {
      await consumer.disconnect().catch(() => {});
    }
  }
  throw new Error("Kafka answered metadata requests but no consumer group could be joined in time.");
}

/** Waits until Kafka serves metadata and a consumer group round trip. */
export async function waitUntilKafkaAnswers(access: BrokerAccess, options: ReadinessOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const kafka = quietKafka(access);
  await waitForMetadata(kafka, options, deadline);
  options.onProgress?.("brokers registered; joining a consumer group");
  await joinConsumerGroup(kafka, options, deadline);
}

export interface KafkaProbe {
  reachable: boolean;
  brokers: number;
  latencyMs: number;
  error?: string;
}

export interface BrokerNodeState {
  address: string;
  /** Whether the broker's port takes connections right now. */
  up: boolean;
}

/** Whether each bootstrap address takes a TCP connection right now, in bootstrap order. */
export function brokerNodeStates(bootstrap: string[], timeoutMs = 1000): Promise<BrokerNodeState[]> {
  return Promise.all(
    bootstrap.map(
      (address) =>
        new Promise<BrokerNodeState>((resolve) => {
          const at = address.lastIndexOf(":");
          const socket = net.connect({ host: address.slice(0, at), port: Number(address.slice(at + 1)), timeout: timeoutMs });
          socket.once("connect", () => (socket.destroy(), resolve({ address, up: true })));
          socket.once("timeout", () => (socket.destroy(), resolve({ address, up: false })));
          socket.once("error", () => resolve({ address, up: false }));
        }),
    ),
  );
}

/** Brokers that must be up for a cluster to serve: a majority (2 of 3, 1 of 1), as its controller quorum needs. */
export const brokersNeeded = (count: number) => Math.floor(count / 2) + 1;

/**
 * One quick metadata request: does Kafka answer right now? Each bootstrap broker is asked in turn until
 * one answers: a client without retries gives up on the first broker it picks, and with one broker of
 * three down that would call a cluster that serves "unreachable".
 */
export async function probeKafka(access: BrokerAccess, timeoutMs = 2000): Promise<KafkaProbe> {
  const started = performance.now();
  let lastError = "";
  for (const address of access.bootstrap) {
    const admin = new Kafka(
      kafkajsConfig({ ...access, bootstrap: [address] }, "tributary-health", {
        connectionTimeout: timeoutMs,
        requestTimeout: timeoutMs,
        retry: { retries: 0 },
      }),
    ).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return { reachable: true, brokers: cluster.brokers.length, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      lastError = (error as Error).message;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
  return {
    reachable: false,
    brokers: 0,
    latencyMs: Math.round(performance.now() - started),
    error: `Kafka at ${access.bootstrap.join(",")} does not answer: ${lastError}`,
  };
}
