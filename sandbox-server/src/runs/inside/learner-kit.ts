// The module learners import as "tributary": where their Kafka is, who they are on it, and the
// namespace their topics and groups live in. The sandbox server bundles this file into every
// program, and the editor shows it to the type checker, so both see the same names.
//
// It also makes a program ride out a broker of three dying, as a production client would, and, when Kafka
// is lost all the same, ends the program with one line in the course's words instead of kafkajs's stack.
// This file runs inside learners' programs: it may use only kafkajs's types, Node's built-ins and
// `process.env`, and it stays one file (the editor shows it as is; the compiler bundles it alone).
import type { ISocketFactory, KafkaConfig } from "kafkajs";
import net from "node:net";
import { Duplex } from "node:stream";
import tls from "node:tls";
import { inspect } from "node:util";

const env = process.env;

/**
 * The prefix of every topic and consumer group you may use, such as "l3f9a0c2d71be-".
 * The broker refuses any other name, so learners sharing a server never see each other's data.
 */
export const namespace: string = env.KAFKA_NAMESPACE ?? "";

/** The cluster's brokers, as the course hands them to every program. */
const clusterBrokers = (env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");

/** Your topic called `name`: the name inside your namespace. */
export function topic(name: string): string {
  return namespace + name;
}

/** Your consumer group called `name`: the name inside your namespace. */
export function group(name: string): string {
  return namespace + name;
}

/** Your transactional id called `name`: the name inside your namespace, so a producer that restarts with it fences its predecessor. */
export function transactionalId(name: string): string {
  return namespace + name;
}

// ---------------------------------------------------------------------------------------------------------
// Riding out a broker that died a moment ago.
//
// For a few seconds after a broker dies the cluster still lists it (until its session times out), and kafkajs
// gives up at once on some requests sent to it (listing or creating topics) instead of asking again. So a
// connection to a broker of the cluster that refuses it, or closes before answering anything, is made to
// the next broker instead, with what was sent replayed. A broker answers a request that is not its own with
// "not the leader" or "not the coordinator", after which kafkajs asks the cluster where to send it, and the
// next answer no longer lists the dead broker. Addresses outside the cluster are never redirected.

type Address = { host: string; port: number };

function parseAddress(address: string): Address {
  const colon = address.lastIndexOf(":");
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1"]);
const sameAddress = (a: Address, b: Address) =>
  a.port === b.port && (a.host === b.host || (LOOPBACK_NAMES.has(a.host) && LOOPBACK_NAMES.has(b.host)));

/** A connection to the first of `candidates` that answers: committed to a broker once it sends its first byte. */
class FailoverSocket extends Duplex {
  readonly #candidates: Address[];
  #onConnect?: () => void;
  #upstream?: net.Socket;
  /** What was written before the first answer, replayed to the next broker. */
  #unanswered: Buffer[] = [];
  #answered = false;
  /** How the intended broker's connection ended: what kafkajs would have seen without the others. */
  #intendedEnd?: { error?: Error };
  #unref = false;

  constructor(candidates: Address[], onConnect: () => void) {
    super({ allowHalfOpen: false });
    this.#candidates = [...candidates];
    this.#onConnect = onConnect;
    this.#tryNext();
  }

  #tryNext(): void {
    const address = this.#candidates.shift();
    if (!address) {
      // No broker answered: end as the intended broker's own connection ended.
      const error = this.#intendedEnd?.error;
      if (error) this.destroy(error);
      else this.push(null);
      return;
    }
    const socket = net.connect(address);
    socket.setKeepAlive(true, 60_000);
    if (this.#unref) socket.unref();
    this.#upstream = socket;
    for (const chunk of this.#unanswered) socket.write(chunk);
    let failure: Error | undefined;
    socket.once("connect", () => {
      const onConnect = this.#onConnect;
      this.#onConnect = undefined;
      onConnect?.();
    });
    socket.on("data", (data: Buffer) => {
      this.#answered = true;
      this.#unanswered = [];
      if (!this.push(data)) socket.pause();
    });
    socket.on("error", (error) => (failure ??= error));
    socket.once("close", () => {
      if (socket !== this.#upstream || this.destroyed) return;
      if (!this.#answered) {
        this.#intendedEnd ??= { error: failure };
        this.#tryNext();
      } else if (failure) this.destroy(failure);
      else this.push(null);
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.#answered) this.#unanswered.push(chunk);
    this.#upstream?.write(chunk);
    callback();
  }

  override _read(): void {
    this.#upstream?.resume();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#upstream?.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#upstream?.destroy();
    callback(error);
  }

  /** kafkajs lets a closed connection's socket go without keeping the program alive. */
  unref(): this {
    this.#unref = true;
    this.#upstream?.unref();
    return this;
  }
}

/** kafkajs's socket factory, with connections to the cluster's brokers failing over to the others. */
const failoverSockets: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  // The course's brokers speak SASL over plain TCP; a program asking for TLS gets kafkajs's own behaviour.
  if (ssl) return tls.connect({ host, port, ...(typeof ssl === "object" ? ssl : {}) }, onConnect);
  const intended = { host, port };
  const cluster = clusterBrokers.map(parseAddress);
  const at = cluster.findIndex((address) => sameAddress(address, intended));
  const others = at < 0 ? [] : [...cluster.slice(at + 1), ...cluster.slice(0, at)];
  return new FailoverSocket([intended, ...others], onConnect) as unknown as net.Socket;
};

/**
 * Brokers, credentials and retries for `new Kafka({ clientId, ...connection })`, as a production client would
 * have them: the retries outlast a broker's failover (about 25 s in all; kafkajs alone gives up after about
 * 10 s), and a connection to a broker that died a moment ago is made to another broker of the cluster.
 */
export const connection: Pick<KafkaConfig, "brokers" | "sasl" | "retry" | "socketFactory"> = {
  brokers: clusterBrokers,
  retry: { retries: 8, maxRetryTime: 5000 },
  socketFactory: failoverSockets,
  ...(env.KAFKA_USERNAME && env.KAFKA_PASSWORD
    ? { sasl: { mechanism: "scram-sha-256", username: env.KAFKA_USERNAME, password: env.KAFKA_PASSWORD } }
    : {}),
};

// ---------------------------------------------------------------------------------------------------------
// When Kafka is lost all the same: one line in the course's words (the Python kit says the same), never
// kafkajs's stack. Errors of the program's own keep Node's report, with their own lines.

/** kafkajs's errors for a broker that cannot be reached or went away while a request waited. */
const LOST_KAFKA = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSBrokerNotFound",
  "KafkaJSGroupCoordinatorNotFound",
  "KafkaJSNoBrokerAvailableError",
  "KafkaJSTimeout",
  "KafkaJSLockTimeout",
]);
/** Kafka's answers when too few of its brokers are left to serve. */
const TOO_FEW_BROKERS = new Set([
  "LEADER_NOT_AVAILABLE",
  "NOT_LEADER_FOR_PARTITION",
  "NOT_ENOUGH_REPLICAS",
  "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
  "REQUEST_TIMED_OUT",
  "NETWORK_EXCEPTION",
  "BROKER_NOT_AVAILABLE",
  "GROUP_COORDINATOR_NOT_AVAILABLE",
  "NOT_COORDINATOR_FOR_GROUP",
]);

type KafkaJSFailure = Error & { type?: string; cause?: unknown; errors?: unknown[] };

/** The error in `error`'s causes that says Kafka was lost, if any. */
function lostKafkaIn(error: unknown, depth = 0): KafkaJSFailure | undefined {
  if (!(error instanceof Error) || depth > 8) return undefined;
  const failure = error as KafkaJSFailure;
  const inner = [failure.cause, ...(Array.isArray(failure.errors) ? failure.errors : [])];
  for (const each of inner) {
    const found = lostKafkaIn(each, depth + 1);
    if (found) return found;
  }
  if (LOST_KAFKA.has(failure.name) || (failure.type !== undefined && TOO_FEW_BROKERS.has(failure.type))) return failure;
  return undefined;
}

/** ApiVersions v0, which a broker answers before any login: size, api key 18, version 0, correlation id 1, no client id. */
const API_VERSIONS_REQUEST = Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff]);

/** Whether the broker at `address` answers a Kafka request now. */
function brokerAnswers(address: Address): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ ...address, timeout: 1500 }, () => socket.write(API_VERSIONS_REQUEST));
    const settle = (answers: boolean) => (socket.destroy(), resolve(answers));
    socket.once("data", () => settle(true));
    socket.once("timeout", () => settle(false));
    socket.once("error", () => settle(false));
    socket.once("close", () => settle(false));
  });
}

/** The course's line for a program that lost Kafka, or undefined when every broker answers (the stack tells more). */
export async function kafkaOutageLine(failure: Error): Promise<string | undefined> {
  const answers = await Promise.all(clusterBrokers.map((address) => brokerAnswers(parseAddress(address))));
  const answering = answers.filter(Boolean).length;
  const total = clusterBrokers.length;
  const needed = Math.floor(total / 2) + 1;
  const what = `${failure.name}: ${failure.message}`;
  if (answering === 0) {
    return `Kafka could not be reached: no broker answers (${what}). Check that Kafka runs (\`npm run kafka -- status\`), then run your program again.`;
  }
  if (answering < needed) {
    return `Kafka could not be reached: only ${answering} of ${total} brokers answer (${what}), fewer than the ${needed} the cluster needs to serve. Run your program again once they are back (\`npm run kafka -- status\` tells).`;
  }
  if (answering < total) {
    return `Kafka could not be reached: a broker stopped answering while your program ran (${what}). ${answering} of ${total} answer now, and take over its partitions within seconds: run your program again.`;
  }
  return undefined;
}

/** What "Failed to find group coordinator" means while every broker answers: Kafka would not say, for a name not the learner's. */
const COORDINATOR_REFUSED =
  "Kafka would not name a coordinator for your program's consumer group or transactional id (KafkaJSGroupCoordinatorNotFound: Failed to find group coordinator), " +
  'though every broker answers: Kafka refuses a group or transactional id outside your namespace. Name them with group("…") and transactionalId("…") from "tributary".';

// Node tells this monitor of an error nobody caught before it reports it. Only for an error that says Kafka
// was lost does the kit take over the report; any other error gets Node's own, exactly as without the kit.
process.on("uncaughtExceptionMonitor", (error) => {
  const failure = lostKafkaIn(error);
  if (!failure || process.listenerCount("uncaughtException") > 0) return;
  process.on("uncaughtException", () => {});
  void kafkaOutageLine(failure).then((line) => {
    // Every broker answers again: the stack may tell more than the line would, as Node would show it; but
    // kafkajs says only "Failed to find group coordinator" when Kafka refused a group or transactional id.
    line ??= failure.name === "KafkaJSGroupCoordinatorNotFound" ? COORDINATOR_REFUSED : undefined;
    process.stderr.write(`${line ?? inspect(error)}\n`);
    process.exit(1);
  });
});
