// The connections one learner's live view reads their Kafka over: a pool of its own that logs in as the
// learner (so the broker's ACLs decide what they may see), the brokers the cluster lists, and a count of
// the requests sent. Whoever uses it sends one request at a time.
import { metadataV12, type Connection } from "@platformatic/kafka";
import { brokerAddress, saslOptions, type KafkaCredentials } from "./access.ts";
import { guardedPool } from "./cluster-view.ts";

/** A cluster as one learner reaches it: where it is, and the learner's own login there. */
export interface WatchedCluster {
  bootstrap: string[];
  /** The learner's principal; absent when the cluster takes unauthenticated clients. */
  credentials?: KafkaCredentials;
}

export class LearnerConnections {
  readonly #cluster: WatchedCluster;
  readonly #pool;
  /** The brokers the cluster listed at the last look, by node id. */
  brokers = new Map<number, { host: string; port: number }>();
  controllerId = -1;
  /** Requests sent so far. */
  requests = 0;

  constructor(cluster: WatchedCluster, requestTimeoutMs: number) {
    this.#cluster = cluster;
    this.#pool = guardedPool("tributary-live-view", { connectTimeout: 3000, requestTimeout: requestTimeoutMs, ...saslOptions(cluster.credentials) });
  }

  /** Sends `request` to broker `nodeId`. */
  async toBroker<T>(nodeId: number, request: (connection: Connection) => Promise<T>): Promise<T> {
    const broker = this.brokers.get(nodeId);
    if (!broker) throw new Error(`Broker ${nodeId} is not listed by the cluster right now.`);
    const connection = await this.#pool.get(broker);
    this.requests++;
    return request(connection);
  }

  /** Sends `request` to the first broker that takes a connection: a listed one, else a bootstrap address. */
  async toAny<T>(request: (connection: Connection) => Promise<T>): Promise<T> {
    const candidates = [...this.brokers.values(), ...this.#cluster.bootstrap.map(brokerAddress)];
    let lastError: unknown = new Error("The cluster has no broker address.");
    for (const broker of candidates) {
      let connection: Connection;
      try {
        connection = await this.#pool.get(broker);
      } catch (error) {
        lastError = error;
        continue;
      }
      this.requests++;
      return request(connection);
    }
    throw lastError;
  }

  /** Asks which brokers the cluster lists now (a Metadata request for no topics). */
  async refreshBrokers(): Promise<void> {
    const metadata = await this.toAny((connection) => metadataV12.api.async(connection, [], false, false));
    this.brokers = new Map(metadata.brokers.map((broker) => [broker.nodeId, { host: broker.host, port: broker.port }]));
    this.controllerId = metadata.controllerId;
  }

  async close(): Promise<void> {
    await this.#pool.close().catch(() => {});
  }
}
