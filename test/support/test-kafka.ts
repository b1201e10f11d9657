// Vitest global setup for tests that need Kafka: a real single broker of their own, on its own
// ports and with fresh data, so tests never touch the course's broker (9092) or a learner's topics.
// Set KAFKA_BOOTSTRAP (and KAFKA_ADMIN_USERNAME/KAFKA_ADMIN_PASSWORD when it authenticates clients)
// to test against a broker that is already running instead.
import { rm } from "node:fs/promises";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { startJvmCluster, clusterTopology, type RunningCluster } from "../../sandbox-server/src/provisioning/index.ts";
import { probeKafka, type BrokerAccess } from "../../sandbox-server/src/kafka/index.ts";

declare module "vitest" {
  export interface ProvidedContext {
    kafkaAccess: BrokerAccess;
  }
}

export const TEST_KAFKA_PORT = Number(process.env.TRIBUTARY_TEST_KAFKA_PORT ?? 19092);
export const testStateDir = path.join(loadConfig().projectRoot, ".tributary", "test");

// Both the integration and the e2e project name this setup; they share one broker.
const shared = globalThis as { tributaryTestKafka?: Promise<{ access: BrokerAccess; cluster?: RunningCluster }> };

async function bringUp(): Promise<{ access: BrokerAccess; cluster?: RunningCluster }> {
  const given = process.env.KAFKA_BOOTSTRAP?.split(",").filter(Boolean);
  if (given?.length) {
    const { KAFKA_ADMIN_USERNAME: username, KAFKA_ADMIN_PASSWORD: password } = process.env;
    const access = { bootstrap: given, admin: username && password ? { username, password } : undefined };
    const probe = await probeKafka(access);
    if (!probe.reachable) throw new Error(`KAFKA_BOOTSTRAP=${given.join(",")} does not answer: ${probe.error}`);
    return { access };
  }
  const homeDir = path.join(testStateDir, "kafka");
  await rm(path.join(homeDir, "single"), { recursive: true, force: true });
  const started = performance.now();
  const cluster = await startJvmCluster({
    topology: clusterTopology("single", TEST_KAFKA_PORT),
    homeDir,
    pomPath: path.join(loadConfig().projectRoot, "kafka", "pom.xml"),
    learnerLimits: loadConfig().kafka.learnerQuotas,
    portSetting: "TRIBUTARY_TEST_KAFKA_PORT",
    onProgress: (message) => console.log(`[test kafka] ${message}`),
  });
  console.log(`[test kafka] ready on ${cluster.bootstrap.join(",")} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { access: { bootstrap: cluster.bootstrap, admin: cluster.admin }, cluster };
}

export default async function setup(project: TestProject) {
  const first = shared.tributaryTestKafka === undefined;
  shared.tributaryTestKafka ??= bringUp();
  const { access, cluster } = await shared.tributaryTestKafka;
  project.provide("kafkaAccess", access);
  return async () => {
    if (first && cluster) await cluster.stop();
  };
}
