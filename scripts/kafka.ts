// npm run kafka -- single | multi | status | stop | stop-node N | start-node N | compose
// Starts the course's Kafka in the foreground (Ctrl-C stops it), or reports on / stops one already running.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { checkStateFolders, loadConfig, type ClusterMode } from "../sandbox-server/src/config.ts";
import {
  repositoryComposeFiles,
  startKafka,
  stopKafka,
  stopOwnKafka,
  kafkaStatus,
  stopKafkaNode,
  startKafkaNode,
  watchKafkaNodes,
} from "../sandbox-server/src/provisioning/index.ts";
import { progressPrinter, onShutdown } from "./lib/progress.ts";
import { describeNodeChange } from "./lib/kafka-nodes.ts";

const USAGE = `Usage: npm run kafka -- <command>

  single        start one Kafka broker (KRaft) on 127.0.0.1:9092 and keep it in the foreground
  multi         start three brokers on 127.0.0.1:9092, :9094, :9096 (replication factor 3, min.insync.replicas 2)
  status        tell what is running, node by node, and whether Kafka answers
  stop          stop a Kafka started by another terminal
  stop-node N   stop broker N (1, 2 or 3) of a running cluster; the others keep serving
  start-node N  start broker N again; it rejoins and catches up
  compose       write docker/compose.single.yaml, docker/compose.multi.yaml and the files they mount,
                from the broker definition the JVM path reads (with the default settings)

Docker is used when an engine answers, else the JVM (Java 17+ and Maven, which also build the
brokers' policies for Docker). Force one with TRIBUTARY_KAFKA_RUNTIME=docker|jvm.`;

async function start(mode: ClusterMode): Promise<void> {
  const config = loadConfig({ ...process.env, TRIBUTARY_KAFKA_MODE: mode });
  await checkStateFolders(config);
  const progress = progressPrinter("kafka");
  const cluster = await startKafka(config, mode, progress);
  progress(`Kafka is ready (${cluster.runtime}, ${mode}): bootstrap ${cluster.bootstrap.join(",")}`);
  if (cluster.runtime === "docker") {
    console.log("Kafka runs in Docker in the background; `npm run kafka -- stop` stops it.");
    return;
  }
  console.log("Press Ctrl-C to stop it.");
  // A broker's death is reported, and the others keep serving: a cluster of three survives one loss.
  // Even with every node down this command stays, so `start-node` can bring them back; Ctrl-C ends it.
  let alive = cluster.pids.length;
  let settle!: () => void;
  const stoppedElsewhere = new Promise<void>((resolve) => (settle = resolve));
  const unwatch = watchKafkaNodes(config, (change) => {
    if (change.kind === "cluster-stopped") return settle();
    alive += change.kind === "back" ? 1 : -1;
    const line = describeNodeChange(change, mode, alive);
    if (change.kind === "died") console.error(line);
    else console.log(line);
  });
  onShutdown(async () => {
    unwatch();
    await stopOwnKafka(config, cluster);
    console.log("Kafka stopped.");
  });
  await stoppedElsewhere;
  unwatch();
  await stopOwnKafka(config, cluster);
  console.log("Kafka was stopped.");
}

async function status(): Promise<void> {
  const config = loadConfig();
  const { record, nodesAlive, probe } = await kafkaStatus(config);
  if (record) {
    console.log(`Started: ${record.runtime}, ${record.mode}, at ${record.startedAt}; bootstrap ${record.bootstrap.join(",")}`);
    if (record.runtime === "jvm") {
      console.log(`Processes alive: ${nodesAlive.filter(Boolean).length} of ${record.pids.length}`);
      for (const [i, up] of nodesAlive.entries()) {
        const state = up ? `running, pid ${record.pids[i]}` : record.stoppedNodes.includes(i + 1) ? "stopped (stop-node)" : "down";
        console.log(`  node ${i + 1} (${record.bootstrap[i]}): ${state}`);
      }
    }
  } else {
    console.log("No Kafka was started by Tributary on this machine.");
  }
  console.log(
    probe.reachable ? `Kafka answers: ${probe.brokers} broker(s), metadata in ${probe.latencyMs} ms.` : `Kafka does not answer. ${probe.error ?? ""}`,
  );
  process.exitCode = probe.reachable ? 0 : 1;
}

async function stop(): Promise<void> {
  const stopped = await stopKafka(loadConfig(), progressPrinter("kafka"));
  console.log(stopped ? "Kafka stopped." : "No Kafka started by Tributary is running.");
}

function nodeArgument(): number {
  const raw = process.argv[3];
  const node = Number(raw);
  if (!raw || !Number.isInteger(node)) throw new Error(`Name the node: \`npm run kafka -- ${process.argv[2]} 2\` (1, 2 or 3), got "${raw ?? ""}".`);
  return node;
}

async function stopNode(): Promise<void> {
  const node = nodeArgument();
  await stopKafkaNode(loadConfig(), node, progressPrinter("kafka"));
  console.log(`Kafka node ${node} stopped. \`npm run kafka -- start-node ${node}\` starts it again.`);
}

async function startNode(): Promise<void> {
  const node = nodeArgument();
  const pid = await startKafkaNode(loadConfig(), node, progressPrinter("kafka"));
  console.log(`Kafka node ${node} runs again (pid ${pid}); it rejoins the cluster and catches up on its own.`);
}

/** Writes the Docker path's files for both modes into docker/, from the default settings: what the repository holds. */
async function compose(): Promise<void> {
  const config = loadConfig({});
  for (const [name, text] of repositoryComposeFiles(config)) {
    const file = path.join(config.projectRoot, "docker", name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text, { mode: name.endsWith(".sh") ? 0o755 : 0o644 });
    console.log(`wrote docker/${name}`);
  }
}

const command = process.argv[2];
const commands: Record<string, () => Promise<void>> = {
  single: () => start("single"),
  multi: () => start("multi"),
  status,
  stop,
  "stop-node": stopNode,
  "start-node": startNode,
  compose,
};
const chosen = command ? commands[command] : undefined;
if (!chosen) {
  console.error(command ? `Unknown command "${command}".\n\n${USAGE}` : USAGE);
  process.exit(2);
}
chosen().then(
  // Done: exit even if a client library still holds a timer or socket to a broker that is gone.
  () => process.exit(process.exitCode ?? 0),
  (error: Error) => {
    console.error(`\n✗ ${error.message}`);
    process.exit(1);
  },
);
