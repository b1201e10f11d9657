// Runs the sandbox server alone (npm run server); `npm start` also brings up Kafka and builds the site.
import { loadConfig } from "./config.ts";
import { startSandboxServer } from "./server.ts";

try {
  const config = loadConfig();
  const server = await startSandboxServer(config);
  console.log(`Sandbox server on ${server.url} (Kafka: ${config.kafka.bootstrap.join(",")}; runs: ${server.isolation.kind})`);
  const shutdown = () => void server.close().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  // A host's mistake (a setting, a port taken) is one line; the server has logged anything unexpected.
  console.error(`✗ ${(error as Error).message}`);
  process.exit(1);
}
