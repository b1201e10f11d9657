// A sandbox server for one test file: its own port, state folder and progress database.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadConfig, type TributaryConfig } from "../../sandbox-server/src/config.ts";
import type { BrokerAccess } from "../../sandbox-server/src/kafka/index.ts";
import { startSandboxServer, type SandboxServer } from "../../sandbox-server/src/server.ts";
import { LearnerClient } from "./sandbox-client.ts";

export interface TestServer {
  server: SandboxServer;
  config: TributaryConfig;
  /** Holds the progress database and run folders; pass it to a new server to restart this one. */
  stateDir: string;
  /** A new learner (a fresh cookie jar). */
  learner(): LearnerClient;
  /** Stops the server; `keepState` leaves the database for a restarted server to read. */
  close(options?: { keepState?: boolean }): Promise<void>;
}

/** The environment that points a server at a broker, super user included. */
export function brokerEnv(access: BrokerAccess): NodeJS.ProcessEnv {
  return {
    KAFKA_BOOTSTRAP: access.bootstrap.join(","),
    ...(access.admin && { KAFKA_ADMIN_USERNAME: access.admin.username, KAFKA_ADMIN_PASSWORD: access.admin.password }),
  };
}

/** Starts a server on a free port against the broker; `stateDir` reuses an earlier server's state. */
export async function startTestServer(access: BrokerAccess, options: { stateDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TestServer> {
  const stateDir = options.stateDir ?? (await mkdtemp(path.join(os.tmpdir(), "tributary-test-")));
  // Every test's learners come from 127.0.0.1: the limit on new learners per address would stop a suite. And
  // many servers share the machine in a suite, each with learners of its own who would all count as reading:
  // no sandboxes are kept for readers unless a test asks (TRIBUTARY_WARM_FOR_READERS: undefined for the default).
  const config = loadConfig({
    TRIBUTARY_STATE_DIR: stateDir,
    TRIBUTARY_NEW_LEARNERS_PER_HOUR: "100000",
    TRIBUTARY_WARM_FOR_READERS: "0",
    ...brokerEnv(access),
    ...options.env,
  });
  config.server.port = 0;
  const server = await startSandboxServer(config);
  return {
    server,
    config,
    stateDir,
    learner: () => new LearnerClient(server.url),
    close: async ({ keepState = false } = {}) => {
      await server.close();
      if (!keepState) await rm(stateDir, { recursive: true, force: true });
    },
  };
}
