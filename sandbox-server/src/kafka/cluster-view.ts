// Which brokers of the cluster answer right now, each asked on its own. A client that asks one broker
// about the cluster believes that broker: a broker cut off from the others, or one still listed in the
// seconds after another died, tells stale news. So every broker the metadata lists (and every bootstrap
// address) is asked for itself, and only those that answer count.
import { ConnectionPool, metadataV12, type Connection, type ConnectionOptions } from "@platformatic/kafka";
import { brokerAddress, guardPool } from "./access.ts";

export interface BrokerAnswer {
  address: string;
  /** The broker's node id, when the metadata lists this address. */
  nodeId?: number;
  answers: boolean;
  /** Why it did not answer. */
  error?: string;
}

export interface ClusterView {
  /** Each bootstrap address, in order. */
  bootstrap: BrokerAnswer[];
  /** Each broker the answering brokers' metadata lists, by node id. */
  listed: Map<number, BrokerAnswer>;
  /** Brokers that answered: the listed ones that did (none when no broker answered at all). */
  answering: number;
  /** The active controller the answering brokers name; -1 when none does. */
  controllerId: number;
  /** An authenticated connection (in the pool) to each listed broker that answered. */
  connections: Map<number, Connection>;
}

/** A pool of connections to the brokers whose every connection refuses to be its own peer. */
export function guardedPool(clientId: string, options: ConnectionOptions): ConnectionPool {
  return guardPool(new ConnectionPool(clientId, options));
}

interface Asked {
  answer: BrokerAnswer;
  connection?: Connection;
  metadata?: Awaited<ReturnType<typeof metadataV12.api.async>>;
}

async function ask(pool: ConnectionPool, address: string): Promise<Asked> {
  try {
    const connection = await pool.get(brokerAddress(address));
    // No topics: only the brokers and the controller, which every broker knows from its metadata log.
    const metadata = await metadataV12.api.async(connection, [], false, false);
    return { answer: { address, answers: true }, connection, metadata };
  } catch (error) {
    return { answer: { address, answers: false, error: (error as Error).message } };
  }
}

/** Asks every bootstrap address, then every broker their metadata lists, each over a connection of `pool`. */
export async function viewCluster(pool: ConnectionPool, bootstrap: string[]): Promise<ClusterView> {
  const asked = new Map<string, Promise<Asked>>();
  const askOnce = (address: string) => {
    if (!asked.has(address)) asked.set(address, ask(pool, address));
    return asked.get(address)!;
  };
  const first = await Promise.all(bootstrap.map(askOnce));
  const listedAddresses = new Map<number, string>();
  let controllerId = -1;
  for (const { metadata } of first) {
    for (const broker of metadata?.brokers ?? []) listedAddresses.set(broker.nodeId, `${broker.host}:${broker.port}`);
    if (metadata && metadata.controllerId >= 0) controllerId = metadata.controllerId;
  }
  const listed = new Map<number, BrokerAnswer>();
  const connections = new Map<number, Connection>();
  await Promise.all(
    [...listedAddresses].map(async ([nodeId, address]) => {
      const { answer, connection } = await askOnce(address);
      listed.set(nodeId, { ...answer, nodeId });
      if (connection && answer.answers) connections.set(nodeId, connection);
    }),
  );
  const byAddress = new Map([...listed.values()].map((answer) => [answer.address, answer.nodeId]));
  return {
    bootstrap: first.map(({ answer }) => ({ ...answer, nodeId: byAddress.get(answer.address) })),
    listed,
    answering: [...listed.values()].filter((answer) => answer.answers).length,
    controllerId,
    connections,
  };
}
