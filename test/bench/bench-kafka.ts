// The Kafka a benchmark measures against: the course's own when it answers, else a broker started for it.
import { rm } from "node:fs/promises";
import path from "node:path";
import type { loadConfig } from "../../sandbox-server/src/config.ts";
import { type BrokerAccess, probeKafka } from "../../sandbox-server/src/kafka/index.ts";
import { brokerAccess, clusterTopology, type RunningCluster, startJvmCluster } from "../../sandbox-server/src/provisioning/index.ts";

/** Below the kernel's ephemeral range (32768 and up on Linux), where a broker's port is never a client's. */
export const BENCH_KAFKA_PORT = Number(process.env.TRIBUTARY_BENCH_KAFKA_PORT ?? 24092);

export async function benchKafka(config: ReturnType<typeof loadConfig>): Promise<{ access: BrokerAccess; cluster?: RunningCluster }> {
  const course = await brokerAccess(config);
  if ((await probeKafka(course)).reachable) return { access: course };
  console.log(`Kafka does not answer; starting a broker for the benchmark on 127.0.0.1:${BENCH_KAFKA_PORT}…`);
  // Formatted afresh each time: figures must not depend on what earlier benchmarks left on the broker.
  const homeDir = path.join(config.projectRoot, ".tributary", "bench", "kafka");
  await rm(path.join(homeDir, "single"), { recursive: true, force: true });
  const cluster = await startJvmCluster({
    topology: clusterTopology("single", BENCH_KAFKA_PORT),
    homeDir,
    pomPath: path.join(config.projectRoot, "kafka", "pom.xml"),
    learnerLimits: config.kafka.learnerQuotas,
    portSetting: "TRIBUTARY_BENCH_KAFKA_PORT",
    onProgress: () => {},
  });
  return { access: { bootstrap: cluster.bootstrap, admin: cluster.admin }, cluster };
}
