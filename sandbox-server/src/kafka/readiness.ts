// "Kafka answers" means more than an open port: each broker is asked for itself (see cluster-view.ts),
// every broker of the cluster must be listed and answer, a controller must lead, and a consumer group
// can be joined (its coordinator is loaded).
import { apiVersionsV3, Consumer } from "@platformatic/kafka";
import { brokerAddress, clientOptions, guardPool, saslOptions, type BrokerAccess } from "./access.ts";
import { guardedPool, viewCluster } from "./cluster-view.ts";

const READINESS_GROUP = "__tributary_readiness";

export interface ReadinessOptions {
  /** Brokers that must be listed and answer. */
  expectedBrokers: number;
  /** A node that must be among them (a node started again in a running cluster). */
  nodeId?: number;
  timeoutMs: number;
  onProgress?: (message: string) => void;
  /** Stops waiting early, e.g. when the broker process has died. */
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `expectedBrokers` brokers are listed and answer and a controller leads; rejects on timeout or abort. */
async function waitForBrokers(access: BrokerAccess, options: ReadinessOptions, deadline: number): Promise<void> {
  let lastError = "no answer yet";
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    const pool = guardedPool("tributary-readiness", { connectTimeout: 1000, requestTimeout: 5000, ...saslOptions(access.admin) });
    try {
      const view = await viewCluster(pool, access.bootstrap);
      const nodeListed = options.nodeId === undefined || view.listed.get(options.nodeId)?.answers === true;
      if (view.listed.size >= options.expectedBrokers && view.answering >= options.expectedBrokers && nodeListed && view.controllerId >= 0) return;
      lastError =
        view.listed.size === 0
          ? (view.bootstrap.find((b) => b.error)?.error ?? "no broker answered")
          : `${view.answering} of ${options.expectedBrokers} brokers registered and answering`;
    } finally {
      await pool.close().catch(() => {});
    }
    options.onProgress?.(`waiting for broker metadata (${lastError})`);
    await sleep(500);
  }
  throw new Error(`Kafka did not answer a metadata request in time: ${lastError}.`);
}

/** Joins a consumer group once (and leaves it), which proves the group coordinator is loaded. */
async function joinConsumerGroup(access: BrokerAccess, options: ReadinessOptions, deadline: number): Promise<void> {
  let lastError = "";
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    const consumer = new Consumer({
      ...clientOptions(access, "tributary-readiness", { connectTimeout: 1000, requestTimeout: 5000, retries: 0 }),
      groupId: READINESS_GROUP,
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1000,
    });
    guardPool(consumer.connections);
    try {
      await consumer.joinGroup();
      // Closing leaves the group, so the group holds no member after the check.
      await consumer.close();
      return;
    } catch (error) {
      lastError = (error as Error).message;
      options.onProgress?.(`waiting for the group coordinator (${lastError})`);
      await sleep(500);
    } finally {
      await consumer.close(true).catch(() => {});
    }
  }
  throw new Error(`Kafka answered metadata requests but no consumer group could be joined in time (${lastError}).`);
}

/** Waits until Kafka serves metadata and a consumer group round trip. */
export async function waitUntilKafkaAnswers(access: BrokerAccess, options: ReadinessOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  await waitForBrokers(access, options, deadline);
  options.onProgress?.("brokers registered; joining a consumer group");
  await joinConsumerGroup(access, options, deadline);
}

export interface BrokerNodeState {
  address: string;
  /** Whether the broker at this address answers Kafka requests right now. */
  up: boolean;
}

export interface KafkaProbe {
  reachable: boolean;
  /** Brokers that answered, each asked for itself: never those a stale metadata still lists. */
  brokers: number;
  latencyMs: number;
  error?: string;
  /** Each bootstrap address, in order, and whether it answered. */
  nodes: BrokerNodeState[];
}

/**
 * One quick question to every broker: which answer right now? Each is asked on its own, so a broker
 * that is down, or a controller that just died, costs only its own answer, never the cluster's.
 */
export async function probeKafka(access: BrokerAccess, timeoutMs = 2000): Promise<KafkaProbe> {
  const started = performance.now();
  const pool = guardedPool("tributary-health", { connectTimeout: timeoutMs, requestTimeout: timeoutMs, ...saslOptions(access.admin) });
  try {
    const view = await viewCluster(pool, access.bootstrap);
    const latencyMs = Math.round(performance.now() - started);
    const nodes = view.bootstrap.map(({ address, answers }) => ({ address, up: answers }));
    if (view.answering > 0) return { reachable: true, brokers: view.answering, latencyMs, nodes };
    const reason = view.bootstrap.find((b) => b.error)?.error ?? "no broker answered";
    return { reachable: false, brokers: 0, latencyMs, nodes, error: `Kafka at ${access.bootstrap.join(",")} does not answer: ${reason}` };
  } finally {
    await pool.close().catch(() => {});
  }
}

/**
 * Whether each address answers a Kafka request (ApiVersions, which needs no login) right now, in order.
 * A port that takes connections but speaks no Kafka does not count.
 */
export async function brokerNodeStates(bootstrap: string[], timeoutMs = 1000): Promise<BrokerNodeState[]> {
  const pool = guardedPool("tributary-health", { connectTimeout: timeoutMs, requestTimeout: timeoutMs });
  try {
    return await Promise.all(
      bootstrap.map(async (address) => {
        try {
          await apiVersionsV3.api.async(await pool.get(brokerAddress(address)), "tributary", "1");
          return { address, up: true };
        } catch {
          return { address, up: false };
        }
      }),
    );
  } finally {
    await pool.close().catch(() => {});
  }
}

/** Brokers that must be up for a cluster to serve: a majority (2 of 3, 1 of 1), as its controller quorum needs. */
export const brokersNeeded = (count: number) => Math.floor(count / 2) + 1;
