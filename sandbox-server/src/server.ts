// Assembles the stages into one server: the API under /api, the built site everywhere else.
import path from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { checkStateFolders, type TributaryConfig } from "./config.ts";
import { brokerAccess } from "./provisioning/index.ts";
import { BrokerInspector, ExerciseSlates, LearnerPrincipals, LearnerWatches, probeKafka, untilBrokerListsTopics } from "./kafka/index.ts";
import { loadExerciseCatalog } from "./exercises/index.ts";
import { openProgressStore } from "./progress/index.ts";
import {
  RunRegistry,
  ensureFlinkRunner,
  PythonLanguageRuntime,
  SqlLanguageRuntime,
  TypeScriptRuntime,
  type IsolationState,
  type LanguageRuntime,
} from "./runs/index.ts";
import { createApp } from "./app.ts";
import { CheckGrading } from "./grading/index.ts";
import { serveSiteFiles } from "./http/site-files.ts";
import { LearnerIds, loadServerSecret } from "./http/learner-id.ts";
import { serverHostNames } from "./http/same-origin.ts";
import { log } from "./log.ts";
import { LabClusters, labStarter } from "./lab/index.ts";

export interface SandboxServer {
  url: string;
  /** How learners' programs are contained on this server. */
  isolation: IsolationState;
  /** Stops runs, closes connections and the database. */
  close(): Promise<void>;
}

/** Starts the sandbox server on the configured host and port (0 picks a free port). */
export async function startSandboxServer(config: TributaryConfig): Promise<SandboxServer> {
  await checkStateFolders(config);
  // The secret and the store first: a damaged database or a missing shared secret is refused before anything starts.
  const identity = new LearnerIds(loadServerSecret(config.protection.secretFile, config.protection.sharedSecret));
  const progress = await openProgressStore(config.progress);
  if (config.progress.postgres && !config.protection.sharedSecret) {
    console.warn(
      "⚠ Progress is kept in PostgreSQL, but this server signs learner ids with a secret of its own: a learner who reaches another server " +
        "of the school is a stranger there. Give every server the same TRIBUTARY_SECRET_FILE.",
    );
  }
  const catalog = await loadExerciseCatalog(config.contentDir);
  const access = await brokerAccess(config);
  const broker = new BrokerInspector(access);
  // The progress store is the ledger of when principals were used: shared, it spares a learner another server serves.
  const principals = new LearnerPrincipals(access, config.kafka.learnerQuotas, identity.passwordKey, progress);
  if (!principals.enforced) {
    console.warn(
      `⚠ Kafka at ${access.bootstrap.join(",")} takes unauthenticated clients: learners are kept apart by topic names only, not by the broker. ` +
        "Use the broker `npm run kafka` starts, or give its super user in KAFKA_ADMIN_USERNAME and KAFKA_ADMIN_PASSWORD.",
    );
  }
  const slates = new ExerciseSlates(access);
  // Learners who went away should not hold the broker's partitions and descriptors for ever.
  const idleMs = config.protection.idleLearnerMs;
  const idleSweep =
    idleMs > 0 && principals.enforced
      ? setInterval(() => void principals.removeIdle(idleMs), Math.max(60_000, Math.min(idleMs / 4, 10 * 60_000)))
      : undefined;
  idleSweep?.unref();
  // Flink's jars are fetched (once) and its SQL runner compiled only when the course has SQL exercises.
  const flinkRunner = [...catalog.values()].some((exercise) => exercise.language === "sql")
    ? await ensureFlinkRunner(config.flink.pomPath, config.flink.homeDir, (message: string) => log.info(`flink: ${message}`))
    : undefined;
  const runs = new RunRegistry(
    config.runs,
    access.bootstrap,
    {
      answers: async () => (await probeKafka(access, 1500)).reachable,
      topicsListed: (address, topics) => untilBrokerListsTopics(access, address, topics),
      namespaceUsage: (namespace) => broker.namespaceUsage(namespace),
    },
    [
      new TypeScriptRuntime(config.runs.warmSandboxes),
      new PythonLanguageRuntime(config.runs.warmSandboxes),
      ...(flinkRunner ? [new SqlLanguageRuntime(config.flink, flinkRunner)] : []),
    ] satisfies LanguageRuntime[],
  );
  // Checks wait their turn fairly across learners, and are graded off the main thread.
  const grading = new CheckGrading(config.grading);
  const labRunsOf = (learnerId: string) =>
    runs.alive().filter((run) => run.learnerId === learnerId && catalog.get(run.request.exerciseId)?.cluster === "lab");
  // Fault labs: a learner's own three brokers, reached by their programs through a bridge of the lab's own.
  const labs = new LabClusters(
    config.lab,
    labStarter(config.lab, {
      jvm: { homeDir: config.kafka.homeDir, pomPath: path.join(config.projectRoot, "kafka", "pom.xml"), learnerLimits: config.kafka.learnerQuotas },
      quotas: config.kafka.learnerQuotas,
      passwordKey: identity.passwordKey,
      openBridge: (lab) =>
        runs.openBridge(`lab-${lab.bootstrap[0]!.split(":")[1]}`, lab.bootstrap, (address, topics) => untilBrokerListsTopics(lab, address, topics)),
    }),
    {
      // A lab whose learner's program runs there is in use, whatever the page does.
      busy: (learnerId) => labRunsOf(learnerId).length > 0,
      // A lab about to stop ends its learner's programs there first, saying why.
      beforeStop: async (learnerId) => {
        const mine = labRunsOf(learnerId);
        for (const run of mine) run.stop("stopped");
        await Promise.all(mine.map((run) => run.finished));
      },
    },
  );
  // The clusters a learner's live view may watch, each reached as the learner's own principal there.
  const live = new LearnerWatches({
    course: async (learner) => ({
      bootstrap: access.bootstrap,
      credentials: (await principals.forLearner(learner.id, learner.namespace)).credentials,
    }),
    lab: async (learner) => {
      const lab = labs.ready(learner.id);
      if (!lab) return labs.notReadyReason(learner.id);
      return { bootstrap: lab.bootstrap, credentials: (await lab.principals.forLearner(learner.id, learner.namespace)).credentials };
    },
  });
  const app = createApp({
    grading,
    catalog,
    runs,
    broker,
    principals,
    progress,
    slates,
    // Each broker asked for itself: `brokers` counts those that answer, `nodes` says which bootstrap addresses do.
    probeKafka: async () => ({ ...(await probeKafka(access)), bootstrap: access.bootstrap }),
    sourceLimitBytes: config.runs.limits.sourceLimitBytes,
    live,
    labs,
    identity,
    protection: {
      hostNames: serverHostNames(config.server.host, config.protection.extraHostNames),
      extraOrigins: config.protection.extraOrigins,
      newLearnersPerHour: config.protection.newLearnersPerHour,
      streamsPerLearner: config.protection.streamsPerLearner,
    },
  });
  serveSiteFiles(app, config.siteDir);

  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.server.host, port: config.server.port }, () => resolve(s));
    s.once("error", (error: NodeJS.ErrnoException) => {
      clearInterval(idleSweep);
      void progress.close();
      void broker.close();
      void principals.close();
      void slates.close();
      void grading.close();
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `Port ${config.server.port} on ${config.server.host} is taken (is Tributary already running?). Choose another with TRIBUTARY_PORT=…`,
            )
          : error,
      );
    });
  });
  // Only a server that holds its port clears run folders and builds sandboxes: a second instance that
  // fails for a taken port must leave the running one's folders alone.
  try {
    await runs.prepare();
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runs.stopAll();
    await progress.close();
    await broker.close();
    await principals.close();
    await slates.close();
    await grading.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.server.port;
  return {
    url: `http://${config.server.host}:${port}`,
    isolation: runs.isolation,
    close: async () => {
      clearInterval(idleSweep);
      // Labs first: their runs end with them, and a lab still starting needs the run host for its bridge.
      await labs.closeAll();
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
      await live.close();
      await broker.close();
      await principals.close();
      await slates.close();
      await grading.close();
      await progress.close();
    },
  };
}
