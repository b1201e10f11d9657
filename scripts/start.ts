// npm start: Kafka (reused if one already answers), the site (built if stale), the sandbox server.
// Ctrl-C stops what this command started.
import { loadConfig } from "../sandbox-server/src/config.ts";
import { startKafka, forgetKafka, probeKafka, brokerAccess, type RunningCluster } from "../sandbox-server/src/broker/index.ts";
import { startSandboxServer } from "../sandbox-server/src/server.ts";
import { ensureSiteBuilt } from "./lib/site.ts";
import { progressPrinter, onShutdown } from "./lib/progress.ts";

const config = loadConfig();
const progress = progressPrinter("start");

async function bringUpKafka(): Promise<RunningCluster | undefined> {
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

async function main(): Promise<void> {
  const cluster = await bringUpKafka();
  try {
    await ensureSiteBuilt(config.projectRoot, config.siteDir, progress);
    const server = await startSandboxServer(config);
    onShutdown(async () => {
      await server.close();
      if (cluster) {
        await cluster.stop();
        await forgetKafka(config);
      }
      console.log("Stopped.");
    });
    const { kind, note } = server.isolation;
    progress(kind === "sandbox" ? `learners' programs run in a bubblewrap sandbox${note ? ` (${note})` : ""}` : `learners' programs run WITHOUT the OS sandbox: ${note}`);
    console.log(`\nTributary is ready: open ${server.url}/ in your browser.\nPress Ctrl-C to stop.`);
    if (cluster) {
      void cluster.exited.then((exit) => {
        if (!exit.requested) console.error(`\n✗ Kafka node ${exit.node} stopped unexpectedly; runs will fail until Kafka is back (npm run kafka -- single).`);
      });
    }
  } catch (error) {
    await cluster?.stop();
    if (cluster) await forgetKafka(config);
    throw error;
  }
}

main().catch((error: Error) => {
  console.error(`\n✗ ${error.message}`);
  process.exit(1);
});
