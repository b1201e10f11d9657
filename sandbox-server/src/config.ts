// Every setting Tributary reads, with its default, in one typed place.
// Environment variables override defaults so a course host can tune a server without editing code.
import { fileURLToPath } from "node:url";
import path from "node:path";
// The cluster's port layout is the topology's alone (it imports only types from here).
import { bootstrapAddresses, clusterTopology } from "./broker/topology.ts";
import type { KafkaCredentials } from "./broker/access.ts";

export type ClusterMode = "single" | "multi";
export type KafkaRuntime = "auto" | "docker" | "jvm";

export interface KafkaSettings {
  /** One broker, or three with replication factor 3. */
  mode: ClusterMode;
  /** Where the broker comes from: Docker when an engine answers, else the JVM. */
  runtime: KafkaRuntime;
  /** First client port; brokers of a cluster take every second port from here (9092, 9094, 9096). */
  portBase: number;
  /** Folder that holds jars, broker data and logs for the JVM runtime. */
  homeDir: string;
  /** Bootstrap addresses the server, the graders and learners' programs use. */
  bootstrap: string[];
  /**
   * The broker's super user, for a broker this project did not start (KAFKA_ADMIN_USERNAME and
   * KAFKA_ADMIN_PASSWORD). A broker started by `npm run kafka` records its own.
   */
  admin?: KafkaCredentials;
  /** What each learner's Kafka principal may use, enforced by the broker as client quotas. */
  learnerQuotas: LearnerQuotas;
}

export interface LearnerQuotas {
  produceBytesPerSecond: number;
  fetchBytesPerSecond: number;
  /** Partitions a learner may create or delete per second (Kafka's controller_mutation_rate). */
  partitionMutationsPerSecond: number;
  /** Topics, partitions in all, and partitions in one topic a learner may have at once. */
  topics: number;
  partitions: number;
  partitionsPerTopic: number;
}

/** The caps the brokers' learner topic policy enforces. */
export type LearnerTopicLimits = Pick<LearnerQuotas, "topics" | "partitions" | "partitionsPerTopic">;

export interface RunLimits {
  /** A run is stopped after this much wall-clock time. */
  wallTimeMs: number;
  /** A run is stopped once it has written this many bytes to stdout and stderr together. */
  outputLimitBytes: number;
  /** A run is stopped when its resident memory passes this many MiB. */
  memoryLimitMb: number;
  /** Total size of the files a learner may submit in one run. */
  sourceLimitBytes: number;
  /** A sandboxed run is stopped after using this much CPU time. */
  cpuSeconds: number;
  /** Size of a sandboxed run's private /tmp. */
  tmpBytes: number;
  /** Processes and threads a sandboxed run may have at once. */
  maxTasks: number;
}

/** How learners' programs are contained: an OS sandbox (bubblewrap), or a plain Node process. */
export type Isolation = "auto" | "sandbox" | "process";

export interface RunSettings {
  limits: RunLimits;
  /** "auto" uses the sandbox where bubblewrap works and says so loudly where it does not. */
  isolation: Isolation;
  /** Runs alive at once, across all learners. */
  maxConcurrent: number;
  /** Sandboxes kept started ahead of time, so a Run does not wait for one (0: none). */
  warmSandboxes: number;
  /** Runs alive at once for one learner. */
  maxPerLearner: number;
  /** Runs that may wait for a free slot when the server is full; past this, new runs are refused. */
  maxQueued: number;
  /** Runs one learner may start in any minute. */
  startsPerMinute: number;
  /** A run nobody is watching (the browser went away) is stopped after this long. */
  unwatchedGraceMs: number;
  /**
   * How long a stopped program may take to clean up (SIGTERM) before it is killed. A kafkajs
   * consumer leaves its group only after its current fetch, which waits up to 5 s for data.
   */
  stopGraceMs: number;
  /** Finished runs keep their events this long, so a late viewer can still read them. */
  retainFinishedMs: number;
  /** Parent folder of each run's scratch folder. */
  scratchDir: string;
}

export interface TributaryConfig {
  projectRoot: string;
  contentDir: string;
  /** The built site the server serves next to the API. */
  siteDir: string;
  server: { host: string; port: number };
  kafka: KafkaSettings;
  runs: RunSettings;
  flink: FlinkSettings;
  progress: { databasePath: string };
}

/** How learners' Flink SQL runs: one JVM per run, with caps of its own. */
export interface FlinkSettings {
  /** The pom naming Flink's version and artifacts; jars and the compiled runner go to homeDir. */
  pomPath: string;
  homeDir: string;
  /** A SQL run's memory cap (JVM heap, metaspace and its /tmp together). */
  memoryLimitMb: number;
  cpuSeconds: number;
  /** Flink JVMs kept warmed up once a learner opens a SQL exercise, so Run does not wait for one (0: none). */
  warmRunners: number;
}

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, allow: { zero?: boolean } = {}): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  const least = allow.zero ? 0 : 1;
  if (!Number.isInteger(value) || value < least) {
    throw new Error(`${name} must be a ${allow.zero ? "whole number, 0 or more" : "positive whole number"}, got "${raw}".`);
  }
  return value;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new Error(`${name} must be one of ${allowed.join(", ")}, got "${raw}".`);
  }
  return raw as T;
}

/** Reads the configuration from the environment, falling back to defaults for a single learner. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): TributaryConfig {
  const stateDir = path.resolve(projectRoot, env.TRIBUTARY_STATE_DIR ?? ".tributary");
  const mode = oneOf(env, "TRIBUTARY_KAFKA_MODE", ["single", "multi"] as const, "single");
  const portBase = integer(env, "TRIBUTARY_KAFKA_PORT", 9092);
  const bootstrap = env.KAFKA_BOOTSTRAP
    ? env.KAFKA_BOOTSTRAP.split(",").map((s) => s.trim()).filter(Boolean)
    : bootstrapAddresses(clusterTopology(mode, portBase));
  if (Boolean(env.KAFKA_ADMIN_USERNAME) !== Boolean(env.KAFKA_ADMIN_PASSWORD)) {
    throw new Error("Set both KAFKA_ADMIN_USERNAME and KAFKA_ADMIN_PASSWORD, or neither.");
  }
  const admin = env.KAFKA_ADMIN_USERNAME && env.KAFKA_ADMIN_PASSWORD
    ? { username: env.KAFKA_ADMIN_USERNAME, password: env.KAFKA_ADMIN_PASSWORD }
    : undefined;

  return {
    projectRoot,
    contentDir: path.resolve(projectRoot, env.TRIBUTARY_CONTENT_DIR ?? "content"),
    siteDir: path.resolve(projectRoot, "dist"),
    server: {
      host: env.TRIBUTARY_HOST ?? "127.0.0.1",
      port: integer(env, "TRIBUTARY_PORT", 4321),
    },
    kafka: {
      mode,
      runtime: oneOf(env, "TRIBUTARY_KAFKA_RUNTIME", ["auto", "docker", "jvm"] as const, "auto"),
      portBase,
      homeDir: path.join(stateDir, "kafka"),
      bootstrap,
      admin,
      learnerQuotas: {
        produceBytesPerSecond: integer(env, "TRIBUTARY_LEARNER_PRODUCE_KIB_S", 1024) * 1024,
        fetchBytesPerSecond: integer(env, "TRIBUTARY_LEARNER_FETCH_KIB_S", 2048) * 1024,
        partitionMutationsPerSecond: integer(env, "TRIBUTARY_LEARNER_PARTITIONS_PER_S", 20),
        topics: integer(env, "TRIBUTARY_LEARNER_MAX_TOPICS", 25),
        partitions: integer(env, "TRIBUTARY_LEARNER_MAX_PARTITIONS", 100),
        partitionsPerTopic: integer(env, "TRIBUTARY_LEARNER_MAX_PARTITIONS_PER_TOPIC", 12),
      },
    },
    runs: {
      limits: {
        wallTimeMs: integer(env, "TRIBUTARY_RUN_WALL_SECONDS", 120) * 1000,
        outputLimitBytes: integer(env, "TRIBUTARY_RUN_OUTPUT_KIB", 256) * 1024,
        memoryLimitMb: integer(env, "TRIBUTARY_RUN_MEMORY_MIB", 256),
        sourceLimitBytes: 200 * 1024,
        cpuSeconds: integer(env, "TRIBUTARY_RUN_CPU_SECONDS", 30),
        tmpBytes: 16 * 1024 * 1024,
        maxTasks: 64,
      },
      isolation: oneOf(env, "TRIBUTARY_ISOLATION", ["auto", "sandbox", "process"] as const, "auto"),
      warmSandboxes: integer(env, "TRIBUTARY_WARM_SANDBOXES", 2, { zero: true }),
      maxConcurrent: integer(env, "TRIBUTARY_MAX_RUNS", 32),
      maxPerLearner: integer(env, "TRIBUTARY_MAX_RUNS_PER_LEARNER", 4),
      maxQueued: integer(env, "TRIBUTARY_MAX_QUEUED", 64),
      startsPerMinute: integer(env, "TRIBUTARY_RUNS_PER_MINUTE", 30),
      unwatchedGraceMs: integer(env, "TRIBUTARY_UNWATCHED_GRACE_MS", 5000),
      stopGraceMs: integer(env, "TRIBUTARY_STOP_GRACE_MS", 6000),
      retainFinishedMs: 5 * 60 * 1000,
      scratchDir: path.join(stateDir, "runs"),
    },
    flink: {
      pomPath: path.join(projectRoot, "flink", "pom.xml"),
      // Shared by every state folder (tests use fresh ones): Flink's jars are about 150 MB.
      homeDir: path.resolve(projectRoot, env.TRIBUTARY_FLINK_HOME ?? path.join(".tributary", "flink")),
      memoryLimitMb: integer(env, "TRIBUTARY_FLINK_MEMORY_MIB", 1024),
      cpuSeconds: integer(env, "TRIBUTARY_FLINK_CPU_SECONDS", 300),
      warmRunners: integer(env, "TRIBUTARY_FLINK_WARM_RUNNERS", 1, { zero: true }),
    },
    progress: {
      databasePath: path.resolve(projectRoot, env.TRIBUTARY_DB ?? path.join(stateDir, "progress.sqlite")),
    },
  };
}
