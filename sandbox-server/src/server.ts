// Assembles the stages into one server: the API under /api, the built site everywhere else.
import { serve, type ServerType } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { TributaryConfig } from "./config.ts";
import { BrokerInspector, LearnerPrincipals, brokerAccess, probeKafka } from "./broker/index.ts";
import { loadExerciseCatalog } from "./exercises/index.ts";
import { ProgressStore } from "./progress/index.ts";
import { RunRegistry, type IsolationState } from "./runs/index.ts";
import { createApp } from "./app.ts";
import { ensureFlinkRunner, sqlLauncherFactory } from "./flink/index.ts";
import { topicRecordReader } from "./grading/run-grader.ts";
import { log } from "./log.ts";

export interface SandboxServer {
  url: string;
  /** How learners' programs are contained on this server. */
  isolation: IsolationState;
  /** Stops runs, closes connections and the database. */
  close(): Promise<void>;
}

/** Starts the sandbox server on the configured host and port (0 picks a free port). */
export async function startSandboxServer(config: TributaryConfig): Promise<SandboxServer> {
  const catalog = await loadExerciseCatalog(config.contentDir);
  const access = await brokerAccess(config);
  const broker = new BrokerInspector(access);
  const principals = new LearnerPrincipals(access, config.kafka.learnerQuotas);
  if (!principals.enforced) {
    console.warn(
      `⚠ Kafka at ${access.bootstrap.join(",")} takes unauthenticated clients: learners are kept apart by topic names only, not by the broker. ` +
        "Use the broker `npm run kafka` starts, or give its super user in KAFKA_ADMIN_USERNAME and KAFKA_ADMIN_PASSWORD.",
    );
  }
  const progress = new ProgressStore(config.progress.databasePath);
  // Flink's jars are fetched (once) and its SQL runner compiled only when the course has SQL exercises.
  const flinkRunner = [...catalog.values()].some((exercise) => exercise.language === "sql")
    ? await ensureFlinkRunner(config.flink.pomPath, config.flink.homeDir, (message) => log.info(`flink: ${message}`))
    : undefined;
  const runs = new RunRegistry(
    config.runs,
    access.bootstrap,
    {
      answers: async () => (await probeKafka(access, 1500)).reachable,
      namespaceUsage: (namespace) => broker.namespaceUsage(namespace),
    },
    flinkRunner && sqlLauncherFactory(config.flink, flinkRunner, { KAFKA_BROKERS: access.bootstrap.join(","), TZ: "UTC" }),
  );
  await runs.prepare();
  const app = createApp({
    catalog,
    runs,
    broker,
    principals,
    progress,
    probeKafka: async () => ({ ...(await probeKafka(access)), bootstrap: access.bootstrap }),
    sourceLimitBytes: config.runs.limits.sourceLimitBytes,
    readRecords: topicRecordReader(access),
  });
  // The site is static HTML; serveStatic resolves `root` against the working directory.
  app.use("/*", serveStatic({ root: path.relative(process.cwd(), config.siteDir) || "." }));
  // A page that does not exist gets the site's own 404 page; an unknown /api route keeps its JSON answer.
  const notFoundPage = path.join(config.siteDir, "404.html");
  app.get("*", async (c) => {
    if (c.req.path.startsWith("/api/") || !existsSync(notFoundPage)) return c.notFound();
    return c.html(await readFile(notFoundPage, "utf8"), 404);
  });

  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.server.host, port: config.server.port }, () => resolve(s));
    s.once("error", (error: NodeJS.ErrnoException) => {
      progress.close();
      void broker.close();
      void principals.close();
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`Port ${config.server.port} on ${config.server.host} is taken (is Tributary already running?). Choose another with TRIBUTARY_PORT=…`)
          : error,
      );
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.server.port;
  return {
    url: `http://${config.server.host}:${port}`,
    isolation: runs.isolation,
    close: async () => {
      await runs.stopAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Every run has ended, so each event stream is writing its exit event and closing.
        // Give them a moment to deliver it; then cut whatever is left (idle keep-alives, stuck clients).
        if ("closeIdleConnections" in server) server.closeIdleConnections();
        setTimeout(() => {
          if ("closeAllConnections" in server) server.closeAllConnections();
        }, 1000).unref();
      });
      await broker.close();
      await principals.close();
      progress.close();
    },
  };
}
