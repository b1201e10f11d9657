// npm run kafka -- single | multi | status | stop
// Starts the course's Kafka in the foreground (Ctrl-C stops it), or reports on / stops one already running.
import { loadConfig, type ClusterMode } from "../sandbox-server/src/config.ts";
import { startKafka, stopKafka, kafkaStatus, forgetKafka } from "../sandbox-server/src/broker/index.ts";
import { progressPrinter, onShutdown } from "./lib/progress.ts";

const USAGE = `Usage: npm run kafka -- <command>

  single   start one Kafka broker (KRaft) on 127.0.0.1:9092 and keep it in the foreground
  multi    start three brokers on 127.0.0.1:9092, :9094, :9096 (replication factor 3, min.insync.replicas 2)
  status   tell what is running and whether Kafka answers
  stop     stop a Kafka started by another terminal

Docker is used when an engine answers, else the JVM (Java 17+ and Maven).
Force one with TRIBUTARY_KAFKA_RUNTIME=docker|jvm.`;

async function start(mode: ClusterMode): Promise<void> {
  const config = loadConfig({ ...process.env, TRIBUTARY_KAFKA_MODE: mode });
  const progress = progressPrinter("kafka");
  const cluster = await startKafka(config, mode, progress);
  progress(`Kafka is ready (${cluster.runtime}, ${mode}): bootstrap ${cluster.bootstrap.join(",")}`);
  if (cluster.runtime === "docker") {
    console.log("Kafka runs in Docker in the background; `npm run kafka -- stop` stops it.");
    return;
  }
  console.log("Press Ctrl-C to stop it.");
  let stoppingHere = false;
  onShutdown(async () => {
    stoppingHere = true;
    await cluster.stop();
    await forgetKafka(config);
    console.log("Kafka stopped.");
  });
  const exit = await cluster.exited;
  if (stoppingHere) return new Promise(() => {}); // the Ctrl-C handler finishes and exits
  if (exit.requested) {
    // `npm run kafka -- stop` from another terminal; let the other nodes finish too.
    await cluster.stop();
    console.log("Kafka was stopped.");
    return;
  }
  await cluster.stop();
  await forgetKafka(config);
  throw new Error(
    `Kafka node ${exit.node} exited unexpectedly (${exit.signal ?? `exit ${exit.code}`}). Its log: ${config.kafka.homeDir}/${mode}/node-${exit.node}/broker.log`,
  );
}

async function status(): Promise<void> {
  const config = loadConfig();
  const { record, processesAlive, probe } = await kafkaStatus(config);
  if (record) {
    console.log(`Started: ${record.runtime}, ${record.mode}, at ${record.startedAt}; bootstrap ${record.bootstrap.join(",")}`);
    if (record.runtime === "jvm") console.log(`Processes alive: ${processesAlive} of ${record.pids.length}`);
  } else {
    console.log("No Kafka was started by Tributary on this machine.");
  }
  console.log(
    probe.reachable
      ? `Kafka answers: ${probe.brokers} broker(s), metadata in ${probe.latencyMs} ms.`
      : `Kafka does not answer. ${probe.error ?? ""}`,
  );
  process.exitCode = probe.reachable ? 0 : 1;
}

async function stop(): Promise<void> {
  const stopped = await stopKafka(loadConfig(), progressPrinter("kafka"));
  console.log(stopped ? "Kafka stopped." : "No Kafka started by Tributary is running.");
}

const command = process.argv[2];
const commands: Record<string, () => Promise<void>> = {
  single: () => start("single"),
  multi: () => start("multi"),
  status,
  stop,
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
