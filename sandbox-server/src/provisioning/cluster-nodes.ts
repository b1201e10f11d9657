// One node of a recorded three-broker cluster: stopped or started again on request (`npm run kafka --
// stop-node N`, `start-node N`), and watched by the command that started the cluster.
import type { TributaryConfig } from "../config.ts";
import { changeRecord, readRecord, recordTopology, type ClusterRecord } from "./cluster-record.ts";
import { clusterOptions } from "./cluster.ts";
import { processAlive, terminateBroker } from "./broker-processes.ts";
import { brokerLogFile, prepareJvm, startJvmNode, type StartingNode } from "./kafka-node.ts";

/** The recorded JVM cluster and its node `nodeId`, or an error a host can act on. */
function recordedJvmNode(record: ClusterRecord | undefined, nodeId: number): ClusterRecord {
  if (!record) throw new Error("No Kafka started by Tributary is running; start one with `npm run kafka -- multi`.");
  if (record.runtime !== "jvm") throw new Error("This Kafka runs in Docker; stop one broker with `docker compose stop`.");
  if (record.stopping) throw new Error("The Kafka started by Tributary is being stopped.");
  const count = recordTopology(record).nodes.length;
  if (!Number.isInteger(nodeId) || nodeId < 1 || nodeId > count) {
    throw new Error(`The running ${record.mode} cluster has nodes 1 to ${count}; there is no node "${nodeId}".`);
  }
  return record;
}

/** Stops one node of a running cluster (`npm run kafka -- stop-node N`); the others keep serving. */
export async function stopKafkaNode(config: TributaryConfig, nodeId: number, onProgress: (m: string) => void): Promise<void> {
  const pid = await changeRecord(config, async (now) => {
    const record = recordedJvmNode(now, nodeId);
    const pid = record.pids[nodeId - 1]!;
    if (!processAlive(pid)) throw new Error(`Kafka node ${nodeId} is not running; \`npm run kafka -- start-node ${nodeId}\` starts it.`);
    return { record: { ...record, stoppedNodes: [...new Set([...record.stoppedNodes, nodeId])] }, result: pid };
  });
  onProgress(`stopping Kafka node ${nodeId} (pid ${pid})`);
  await terminateBroker(pid, 25000);
}

/**
 * Starts one node of a running cluster again (`npm run kafka -- start-node N`). Its pid is recorded
 * under the record's lock as soon as its process runs, so a second `start-node N` finds it running and
 * a Ctrl-C of the cluster's command stops it too; then waits until the cluster lists it.
 */
export async function startKafkaNode(config: TributaryConfig, nodeId: number, onProgress: (m: string) => void): Promise<number> {
  const first = recordedJvmNode(await readRecord(config), nodeId);
  const options = clusterOptions(config, recordTopology(first), onProgress);
  // Jars and policies (slow the first time) are made ready before the lock is taken.
  const setup = await prepareJvm(options);
  const starting = await changeRecord<StartingNode>(config, async (now) => {
    const record = recordedJvmNode(now, nodeId);
    const old = record.pids[nodeId - 1]!;
    if (processAlive(old)) throw new Error(`Kafka node ${nodeId} already runs (pid ${old}).`);
    const node = await startJvmNode(setup, options, nodeId, record.admin);
    const pids = [...record.pids];
    pids[nodeId - 1] = node.pid;
    return { record: { ...record, pids, stoppedNodes: record.stoppedNodes.filter((id) => id !== nodeId) }, result: node };
  });
  await starting.ready;
  return starting.pid;
}

export type NodeChange =
  | { kind: "died"; node: number; logFile: string }
  | { kind: "stopped"; node: number }
  | { kind: "back"; node: number }
  | { kind: "cluster-stopped" };

/**
 * Watches the recorded cluster's nodes for the command that started it: a node that dies or is stopped,
 * a node that comes back, the whole cluster stopped from another terminal. Returns a function that stops watching.
 */
export function watchKafkaNodes(config: TributaryConfig, onChange: (change: NodeChange) => void, intervalMs = 500): () => void {
  let last: boolean[] | undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void readRecord(config)
      .then((record) => {
        if (!record || record.stopping) {
          if (last) onChange({ kind: "cluster-stopped" });
          clearInterval(timer);
          return;
        }
        const alive = record.pids.map(processAlive);
        alive.forEach((now, i) => {
          const before = last?.[i] ?? true;
          const node = i + 1;
          if (before && !now) {
            if (record.stoppedNodes.includes(node)) onChange({ kind: "stopped", node });
            else onChange({ kind: "died", node, logFile: brokerLogFile(config.kafka.homeDir, recordTopology(record), node) });
          } else if (!before && now) {
            onChange({ kind: "back", node });
          }
        });
        last = alive;
      })
      .finally(() => (busy = false));
  }, intervalMs);
  // Not unref'd: `npm run kafka` has nothing else to keep it running while it watches.
  return () => clearInterval(timer);
}
