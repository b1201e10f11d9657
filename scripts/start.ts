// npm start: Kafka (reused if one already answers), the site (built if stale), the sandbox server.
// Ctrl-C stops what this command started.
import { checkStateFolders, loadConfig, type TributaryConfig } from "../sandbox-server/src/config.ts";
import { startKafka, stopOwnKafka, brokerAccess, watchKafkaNodes, type RunningCluster } from "../sandbox-server/src/provisioning/index.ts";
import { probeKafka } from "../sandbox-server/src/kafka/index.ts";
import { startSandboxServer } from "../sandbox-server/src/server.ts";
import { ensureSiteBuilt } from "./lib/site.ts";
import { progressPrinter, onShutdown } from "./lib/progress.ts";
import { describeNodeChange } from "./lib/kafka-nodes.ts";

const progress = progressPrinter("start");

async function bringUpKafka(config: TributaryConfig): Promise<RunningCluster | undefined> {
  const probe = await probeKafka(await brokerAccess(config));
  if (probe.reachable) {
    progress(`Kafka already answers at ${config.kafka.bootstrap.join(",")} (${probe.brokers} broker(s)); using it`);
    return undefined;
  }
  const kafkaProgress = progressPrinter("kafka");
  const cluster = await startKafka(config, config.kafka.mode, kafkaProgress);
  kafkaProgress(`Kafka is ready (${cluster.runtime}, ${config.kafka.mode}): bootstrap ${cluster.bootstrap.join(",")}`);
  return cluster;
}

/** Reports each broker that stops or comes back; a three-broker cluster keeps serving with one down. */
function reportBrokers(config: TributaryConfig, cluster: RunningCluster): () => void {
  let alive = cluster.pids.length;
  return watchKafkaNodes(config, (change) => {
    if (change.kind === "cluster-stopped") {
      console.error(`\n✗ Kafka was stopped from another terminal; runs will fail until it is back (npm run kafka -- ${config.kafka.mode}).`);
      return;
    }
    alive += change.kind === "back" ? 1 : -1;
    const line = describeNodeChange(change, config.kafka.mode, alive);
    if (change.kind === "died") console.error(`\n${line}`);
    else console.log(line);
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Before Kafka, which writes there too: an unwritable state folder is one line naming its setting.
  await checkStateFolders(config);
  const cluster = await bringUpKafka(config);
  try {
    await ensureSiteBuilt(config.projectRoot, config.siteDir, progress);
    const server = await startSandboxServer(config);
    const unwatch = cluster?.runtime === "jvm" ? reportBrokers(config, cluster) : () => {};
    onShutdown(async () => {
      unwatch();
      await server.close();
      if (cluster) await stopOwnKafka(config, cluster);
      console.log("Stopped.");
    });
    const { kind, note } = server.isolation;
    progress(
      kind === "sandbox"
        ? `learners' programs run in a bubblewrap sandbox${note ? ` (${note})` : ""}`
        : `learners' programs run WITHOUT the OS sandbox: ${note}`,
    );
    console.log(`\nTributary is ready: open ${server.url}/ in your browser.\nPress Ctrl-C to stop.`);
  } catch (error) {
    if (cluster) await stopOwnKafka(config, cluster);
    throw error;
  }
}

main().catch((error: Error) => {
  // Expected failures (a setting, a port taken, Kafka that cannot start) are one line, without a stack trace.
  console.error(`\n✗ ${error.message}`);
  process.exit(1);
});
