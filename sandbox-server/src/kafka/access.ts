// How the server's own clients reach the course's Kafka: the bootstrap addresses, whose credentials to
// present (SASL/SCRAM, when the broker authenticates clients), and the connection options every client
// of the server shares. The mechanism is spelled here and nowhere else.
import type { Socket } from "node:net";
import { AuthenticationError, Connection, metadataV12, type BaseOptions, type ConnectionOptions, type ConnectionPool } from "@platformatic/kafka";
import { responseDespiteErrors } from "./protocol-errors.ts";

export interface KafkaCredentials {
  username: string;
  password: string;
}

export interface BrokerAccess {
  bootstrap: string[];
  /** The broker's super user. Absent when the broker takes unauthenticated clients (an external broker). */
  admin?: KafkaCredentials;
}

/** The one SASL mechanism the course's brokers enable, as Kafka spells it. */
export const SCRAM_MECHANISM = "SCRAM-SHA-256";

/** A broker address, "host:port", as a client connects to it. */
export function brokerAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(":");
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

/** SASL options for a principal, or none for a broker that takes unauthenticated clients. */
export function saslOptions(credentials: KafkaCredentials | undefined): Pick<ConnectionOptions, "sasl"> {
  return credentials ? { sasl: { mechanism: SCRAM_MECHANISM, username: credentials.username, password: credentials.password } } : {};
}

/** Options for one of the server's clients (admin, consumer) as the broker's super user. */
export function clientOptions(
  access: BrokerAccess,
  clientId: string,
  tuning: Omit<BaseOptions, "clientId" | "bootstrapBrokers" | "sasl"> = {},
): BaseOptions {
  return { clientId, bootstrapBrokers: access.bootstrap, ...saslOptions(access.admin), ...tuning };
}

/**
 * A client that connects to a loopback port nobody listens on may, when that port lies in the kernel's
 * ephemeral range, be handed that very port as its source and connect to itself; it then holds the port
 * the broker needs to restart. Such a connection is reset the moment it is made, whatever the port.
 */
export function refuseSelfConnection(socket: Socket | undefined): void {
  socket?.once("connect", () => {
    if (socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress) {
      socket.resetAndDestroy();
    }
  });
}

/**
 * A connection reports its failures to whoever waits on it (a request's callback, connect's promise), and
 * also emits them as "error" events; a connection that fails twice (its broker killed during a login)
 * emits one nobody listens for, which would end the process. The events are left to the waiters.
 */
function leaveErrorsToWaiters(connection: Connection): void {
  connection.on("error", () => {});
}

/** Guards every connection a pool (a client's, or one of its own) opens from now on: see refuseSelfConnection and leaveErrorsToWaiters. */
export function guardPool(pool: ConnectionPool): ConnectionPool {
  // The pool emits "connecting" just before the connection creates its socket.
  pool.on("connecting", ({ connection }) => {
    leaveErrorsToWaiters(connection);
    process.nextTick(() => refuseSelfConnection(connection.socket));
  });
  return pool;
}

/** Connects a connection of its own to a broker, guarded as a pool's are (see guardPool). */
export async function connectTo(connection: Connection, address: string): Promise<void> {
  const { host, port } = brokerAddress(address);
  leaveErrorsToWaiters(connection);
  const connecting = connection.connect(host, port);
  refuseSelfConnection(connection.socket);
  await connecting;
}

/** Why a login at `address` failed, or nothing when it succeeded. */
export async function loginRefusal(address: string, options: ConnectionOptions): Promise<Error | undefined> {
  const connection = new Connection("tributary-principals", options);
  try {
    await connectTo(connection, address);
    return undefined;
  } catch (error) {
    return error as Error;
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Kafka's code for a topic the principal may not describe. */
const TOPIC_AUTHORIZATION_FAILED = 29;

/**
 * Whether the broker at `address` has applied a principal's ACLs on `namespace`. Asked about a topic there that
 * does not exist, a broker answers "unknown topic" to a principal allowed to describe it, and "not authorized" while
 * its ACLs have not reached the broker: they come after the credentials in the cluster's metadata, so a login that
 * works does not yet mean the learner may create a topic.
 */
export async function namespaceAuthorized(address: string, options: ConnectionOptions, namespace: string): Promise<boolean> {
  const connection = new Connection("tributary-principals", options);
  try {
    await connectTo(connection, address);
    const response = await responseDespiteErrors(metadataV12.api.async(connection, [`${namespace}ready`], false, false));
    return response.topics.every((topic) => topic.errorCode !== TOPIC_AUTHORIZATION_FAILED);
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Kafka's code for a topic the broker does not know. */
const UNKNOWN_TOPIC_OR_PARTITION = 3;
/** How long a broker is given to hear of topics the controller has created. Milliseconds, unless the machine is very busy. */
const LISTED_TIMEOUT_MS = 10_000;

/**
 * Resolves once the broker at `address` lists every topic in `topics`: the controller creates topics and answers
 * before the brokers have heard, and a client that asks a broker about them at once is told they do not exist.
 * Gives up after `timeoutMs`, or at once when the broker does not answer: the program will meet that itself.
 */
export async function untilBrokerListsTopics(access: BrokerAccess, address: string, topics: string[], timeoutMs = LISTED_TIMEOUT_MS): Promise<void> {
  const connection = new Connection("tributary-topics", { connectTimeout: 2000, requestTimeout: 5000, ...saslOptions(access.admin) });
  const deadline = Date.now() + timeoutMs;
  try {
    await connectTo(connection, address);
    for (;;) {
      const response = await responseDespiteErrors(metadataV12.api.async(connection, topics, false, false));
      if (response.topics.every((topic) => topic.errorCode !== UNKNOWN_TOPIC_OR_PARTITION) || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } catch {
    // The broker does not answer: nothing to wait for.
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Whether the broker answered and refused the login (rather than not answering at all). */
export function isLoginRefused(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) if (cause instanceof AuthenticationError) return true;
  return false;
}
