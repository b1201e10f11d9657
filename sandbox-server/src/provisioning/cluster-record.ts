// The record of the cluster this project started (cluster.json), so `status`, `stop`, `stop-node`,
// `start-node` and `npm start` work from any terminal. Every change is a read-modify-write under a lock,
// written whole (a rename), so readers never see half a record and no writer undoes another's change.
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TributaryConfig } from "../config.ts";
import type { KafkaCredentials } from "../kafka/access.ts";
import { withFileLock } from "./file-lock.ts";
import { clusterTopology, type ClusterMode, type ClusterTopology } from "./topology.ts";

export interface ClusterRecord {
  runtime: "jvm" | "docker";
  mode: ClusterMode;
  bootstrap: string[];
  /** The cluster's super user; the record file is readable by its owner only. */
  admin?: KafkaCredentials;
  /** Process id of each node, node 1 first; a restarted node's new pid replaces its old one. */
  pids: number[];
  /** The command that started the cluster (it stops it on Ctrl-C); only it forgets the record. */
  owner: number;
  /** Nodes stopped with `stop-node` and not started again: their absence is no surprise. */
  stoppedNodes: number[];
  /** Set before the cluster's nodes are signalled to stop: nothing may start a node of it any more. */
  stopping?: boolean;
  startedAt: string;
}

const recordFile = (config: TributaryConfig) => path.join(config.kafka.homeDir, "cluster.json");

/** The record of the cluster this project started, if any (a record that cannot be read counts as none). */
export async function readRecord(config: TributaryConfig): Promise<ClusterRecord | undefined> {
  const file = recordFile(config);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(await readFile(file, "utf8")) as ClusterRecord;
    return { ...record, stoppedNodes: record.stoppedNodes ?? [], owner: record.owner ?? 0 };
  } catch {
    return undefined;
  }
}

/** Writes the record whole: another command reading it meanwhile sees the old one or the new, never half. */
async function writeRecord(config: TributaryConfig, record: ClusterRecord): Promise<void> {
  await mkdir(config.kafka.homeDir, { recursive: true });
  const temporary = `${recordFile(config)}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, recordFile(config));
}

/** What a change under the lock does to the record: a new record, `null` to forget it, or `undefined` to leave it. */
export type RecordChange = ClusterRecord | null | undefined;

/**
 * Reads the record, decides, and writes the decision, holding the record's lock throughout. `change`
 * may do more under the lock (start a process whose pid it records); returns what `change` returns.
 */
export async function changeRecord<T>(
  config: TributaryConfig,
  change: (record: ClusterRecord | undefined) => Promise<{ record: RecordChange; result: T }>,
): Promise<T> {
  await mkdir(config.kafka.homeDir, { recursive: true });
  return withFileLock(`${recordFile(config)}.lock`, async () => {
    const { record, result } = await change(await readRecord(config));
    if (record === null) await rm(recordFile(config), { force: true });
    else if (record) await writeRecord(config, record);
    return result;
  });
}

/** The layout of a recorded cluster, from its mode and first port. */
export function recordTopology(record: ClusterRecord): ClusterTopology {
  return clusterTopology(record.mode, Number(record.bootstrap[0]!.split(":")[1]));
}
