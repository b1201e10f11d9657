// Every setting Tributary reads, with its default, in one typed place.
// Environment variables override defaults so a course host can tune a server without editing code.
import { fileURLToPath } from "node:url";
import { constants } from "node:fs";
import { access, mkdir, open, rm, statfs } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
// The cluster's port layout is the topology's alone (it imports nothing from here).
import { bootstrapAddresses, clusterTopology, LAB_PORTS, type ClusterMode } from "./provisioning/topology.ts";
import type { LabSettings } from "./lab/lab-clusters.ts";
import type { KafkaCredentials } from "./kafka/access.ts";
import type { LearnerTopicLimits } from "./kafka/learner-policy.ts";
import type { GradingSettings } from "./grading/check-grading.ts";
import { availableParallelism, totalmem } from "node:os";

export type { ClusterMode, LearnerTopicLimits };
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

/** What each learner's principal may use: client quotas the broker enforces, and its topic policies' caps. */
export interface LearnerQuotas extends LearnerTopicLimits {
  produceBytesPerSecond: number;
  fetchBytesPerSecond: number;
  /** Partitions a learner may create or delete per second (Kafka's controller_mutation_rate). */
  partitionMutationsPerSecond: number;
  /** Percent of one request-handling thread's time a learner's requests may take (Kafka's request_percentage). */
  requestPercentage: number;
}

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
  /**
   * Node's permission model as a second fence inside the sandbox (on by default). Turned off only to
   * show that bubblewrap alone contains every hostile program (the security suite does).
   */
  nodePermissionModel: boolean;
}

/** How learners' programs are contained: an OS sandbox (bubblewrap), or a plain Node process. */
export type Isolation = "auto" | "sandbox" | "process";

export interface RunSettings {
  limits: RunLimits;
  /** "auto" uses the sandbox where bubblewrap works and says so loudly where it does not. */
  isolation: Isolation;
  /** Runs alive at once, across all learners. */
  maxConcurrent: number;
  /** MiB of memory runs may be promised at once (each counts its memory limit); unless set, see hostRunMemoryMb. */
  memoryBudgetMb?: number;
  /** Cores runs may be promised at once (each counts its language's `cpus`); the host's cores unless set. */
  cpus?: number;
  /** Sandboxes kept started ahead of time, so a Run does not wait for one (0: none). */
  warmSandboxes: number;
  /**
   * At most this many more sandboxes kept started, one for each learner reading the course without a program
   * running (0: none beyond `warmSandboxes`). They are started while the machine has cores to spare.
   */
  warmForReaders: number;
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
  /** Everything Tributary writes lives here (TRIBUTARY_STATE_DIR). */
  stateDir: string;
  contentDir: string;
  /** The built site the server serves next to the API. */
  siteDir: string;
  server: { host: string; port: number };
  kafka: KafkaSettings;
  runs: RunSettings;
  flink: FlinkSettings;
  progress: ProgressSettings;
  grading: GradingSettings;
  /** Fault labs: a small Kafka cluster per learner who asks, whose brokers they stop and start. */
  lab: LabSettings;
  /** What keeps one learner from taking down, impersonating or filling up a shared server. */
  protection: ClassProtection & SecretSettings;
}

/** Where learners' progress is kept: an embedded SQLite file, or a PostgreSQL database servers share. */
export interface ProgressSettings {
  /** The SQLite file (TRIBUTARY_DB); unused when `postgres` is set. */
  databasePath: string;
  /** A PostgreSQL database (TRIBUTARY_DATABASE_URL) that every server of a school shares. */
  postgres?: PostgresSettings;
}

export interface PostgresSettings {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Connections this server may hold open at once (TRIBUTARY_DATABASE_POOL). */
  poolSize: number;
}

/** The secret that signs learner ids and derives their namespaces and Kafka passwords. */
export interface SecretSettings {
  secretFile: string;
  /**
   * The host named the file (TRIBUTARY_SECRET_FILE), so every server of a school reads the same one: it
   * must exist, as a server that made its own would sign ids no other server accepts.
   */
  sharedSecret: boolean;
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

/** A setting with a value that is not allowed; its message is one line a host can act on. */
export class ConfigError extends Error {
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(message);
    this.name = "ConfigError";
    this.setting = setting;
  }
}

/**
 * Reads one setting through a zod schema: absent or empty takes the fallback; a value the schema
 * refuses fails with one line naming the setting, the value and what is allowed.
 */
function setting<T>(env: NodeJS.ProcessEnv, name: string, schema: z.ZodType<T>, fallback: T, allowed: string): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(name, `${name} must be ${allowed}, got "${raw}".`);
  return parsed.data;
}

const wholeNumber = (least: number, most: number) => z.string().trim().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(least).max(most));

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, allow: { zero?: boolean; max?: number } = {}): number {
  const least = allow.zero ? 0 : 1;
  const most = allow.max ?? 1_000_000_000;
  const allowed =
    allow.max !== undefined ? `a whole number from ${least} to ${most}` : allow.zero ? "a whole number, 0 or more" : "a positive whole number";
  return setting(env, name, wholeNumber(least, most), fallback, allowed);
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  return setting(env, name, z.enum(allowed as unknown as [T, ...T[]]), fallback, `one of ${allowed.join(", ")}`);
}

/** The highest TCP port. */
const MAX_PORT = 65535;
/** A cluster takes six consecutive ports from its base (three brokers, each with a controller port). */
const CLUSTER_PORTS = 6;

const hostName = z.union([z.ipv4(), z.ipv6(), z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/)]);
const brokerAddress = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9.-]+:\d+$/)
  .refine((address) => {
    const port = Number(address.slice(address.lastIndexOf(":") + 1));
    return port >= 1 && port <= MAX_PORT;
  });
const bootstrapList = z
  .string()
  .transform((list) =>
    list
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(brokerAddress).min(1));

/** Reads the configuration from the environment, falling back to defaults for a single learner. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): TributaryConfig {
  const stateDir = path.resolve(projectRoot, env.TRIBUTARY_STATE_DIR || ".tributary");
  const mode = oneOf(env, "TRIBUTARY_KAFKA_MODE", ["single", "multi"] as const, "single");
  const portBase = integer(env, "TRIBUTARY_KAFKA_PORT", 9092, { max: MAX_PORT - CLUSTER_PORTS + 1 });
  const bootstrap = setting(
    env,
    "KAFKA_BOOTSTRAP",
    bootstrapList,
    bootstrapAddresses(clusterTopology(mode, portBase)),
    "a comma-separated list of host:port (port 1 to 65535)",
  );
  if (Boolean(env.KAFKA_ADMIN_USERNAME) !== Boolean(env.KAFKA_ADMIN_PASSWORD)) {
    const given = env.KAFKA_ADMIN_USERNAME ? "KAFKA_ADMIN_USERNAME" : "KAFKA_ADMIN_PASSWORD";
    throw new ConfigError(given, `${given} is set but not its partner: set both KAFKA_ADMIN_USERNAME and KAFKA_ADMIN_PASSWORD, or neither.`);
  }
  const admin =
    env.KAFKA_ADMIN_USERNAME && env.KAFKA_ADMIN_PASSWORD ? { username: env.KAFKA_ADMIN_USERNAME, password: env.KAFKA_ADMIN_PASSWORD } : undefined;

  const classProtection = classProtectionSettings(env, integer(env, "TRIBUTARY_LEARNER_MAX_PARTITIONS", 100));
  return {
    projectRoot,
    stateDir,
    contentDir: path.resolve(projectRoot, env.TRIBUTARY_CONTENT_DIR || "content"),
    siteDir: path.resolve(projectRoot, "dist"),
    server: {
      host: setting(env, "TRIBUTARY_HOST", hostName, "127.0.0.1", "an IP address or host name (e.g. 127.0.0.1)"),
      port: integer(env, "TRIBUTARY_PORT", 4321, { max: MAX_PORT }),
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
        requestPercentage: integer(env, "TRIBUTARY_LEARNER_REQUEST_PERCENT", 10, { max: 1100 }),
        topics: integer(env, "TRIBUTARY_LEARNER_MAX_TOPICS", 25),
        partitions: integer(env, "TRIBUTARY_LEARNER_MAX_PARTITIONS", 100),
        partitionsPerTopic: integer(env, "TRIBUTARY_LEARNER_MAX_PARTITIONS_PER_TOPIC", 12),
        ...classProtection.kafka,
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
        nodePermissionModel: oneOf(env, "TRIBUTARY_NODE_PERMISSION_MODEL", ["on", "off"] as const, "on") === "on",
      },
      isolation: oneOf(env, "TRIBUTARY_ISOLATION", ["auto", "sandbox", "process"] as const, "auto"),
      warmSandboxes: integer(env, "TRIBUTARY_WARM_SANDBOXES", 2, { zero: true }),
      warmForReaders: integer(env, "TRIBUTARY_WARM_FOR_READERS", integer(env, "TRIBUTARY_MAX_RUNS", 32), { zero: true }),
      maxConcurrent: integer(env, "TRIBUTARY_MAX_RUNS", 32),
      memoryBudgetMb: integer(env, "TRIBUTARY_RUN_MEMORY_BUDGET_MIB", hostRunMemoryMb(labSettings(env, stateDir).labs)),
      cpus: integer(env, "TRIBUTARY_RUN_CPUS", availableParallelism(), { max: 4096 }),
      maxPerLearner: integer(env, "TRIBUTARY_MAX_RUNS_PER_LEARNER", 4),
      maxQueued: integer(env, "TRIBUTARY_MAX_QUEUED", 400),
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
      databasePath: path.resolve(projectRoot, env.TRIBUTARY_DB || path.join(stateDir, "progress.sqlite")),
      postgres: postgresSettings(env),
    },
    protection: {
      ...classProtection,
      secretFile: path.resolve(projectRoot, env.TRIBUTARY_SECRET_FILE || path.join(stateDir, "server-secret")),
      sharedSecret: Boolean(env.TRIBUTARY_SECRET_FILE),
    },
    grading: gradingSettings(env),
    lab: labSettings(env, stateDir),
  };
}

/** TRIBUTARY_LABS, TRIBUTARY_LAB_PORT and TRIBUTARY_LAB_IDLE_MINUTES: how many labs, on which ports, kept how long unused. */
function labSettings(env: NodeJS.ProcessEnv, stateDir: string): LabSettings {
  const labs = integer(env, "TRIBUTARY_LABS", 2, { zero: true, max: 64 });
  const portBase = integer(env, "TRIBUTARY_LAB_PORT", 19500, { max: MAX_PORT });
  const lastPort = portBase + labs * LAB_PORTS - 1;
  if (labs > 0 && lastPort > MAX_PORT) {
    throw new ConfigError(
      "TRIBUTARY_LAB_PORT",
      `TRIBUTARY_LAB_PORT=${portBase} leaves no room for ${labs} labs of ${LAB_PORTS} ports each; lower it.`,
    );
  }
  return { labs, portBase, idleMs: integer(env, "TRIBUTARY_LAB_IDLE_MINUTES", 15, { zero: true }) * 60_000, dir: path.join(stateDir, "labs") };
}

/** A database URL with its password replaced, fit for a message or a log. */
export function withoutPassword(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, "$1…@");
}

/** TRIBUTARY_DATABASE_URL and its pool size; undefined (the SQLite store) when the URL is not set. */
function postgresSettings(env: NodeJS.ProcessEnv): PostgresSettings | undefined {
  const url = env.TRIBUTARY_DATABASE_URL?.trim();
  if (!url) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !["postgres:", "postgresql:"].includes(parsed.protocol) || parsed.pathname.length < 2) {
    throw new ConfigError(
      "TRIBUTARY_DATABASE_URL",
      `TRIBUTARY_DATABASE_URL must be a PostgreSQL URL naming a database, such as postgres://tributary:…@db.example:5432/tributary, got "${withoutPassword(url)}".`,
    );
  }
  return { url, poolSize: integer(env, "TRIBUTARY_DATABASE_POOL", 10, { max: 1000 }) };
}

/** What one fault lab (three brokers' JVMs, their memory areas bounded) holds at most, in MiB: measured 1,612. */
export const LAB_MEMORY_MB = 1700;

/**
 * What runs may be promised by default: the host's memory less 1 GiB for the server, the broker and the system,
 * and less what `labs` fault labs may hold, so that runs and labs together never promise more than the host has.
 */
export function hostRunMemoryMb(labs = 0): number {
  return Math.max(512, Math.floor(totalmem() / (1024 * 1024)) - 1024 - labs * LAB_MEMORY_MB);
}

/** How Checks are admitted and graded (TRIBUTARY_CHECKS_AT_ONCE, TRIBUTARY_GRADING_WORKERS). */
export function gradingSettings(env: NodeJS.ProcessEnv): GradingSettings {
  return {
    checksAtOnce: integer(env, "TRIBUTARY_CHECKS_AT_ONCE", 6, { max: 64 }),
    // Two at least, so one learner's large snapshot never holds the only worker; no more than four, as the
    // main thread, the broker and learners' runs share the cores.
    workers: integer(env, "TRIBUTARY_GRADING_WORKERS", Math.min(4, Math.max(2, availableParallelism())), { max: 32 }),
  };
}

// ---- Protecting a shared class server from any one learner (broker, identity, HTTP) ----

export interface ClassProtection {
  /** Merged into KafkaSettings.learnerQuotas: what the brokers' topic policies hold each learner to. */
  kafka: Pick<LearnerQuotas, "storageBytes" | "maxMessageBytes" | "classSize">;
  /** New learner ids one client address may be issued per hour. */
  newLearnersPerHour: number;
  /** A learner idle this long loses their Kafka principal, ACLs and topics (0: never). */
  idleLearnerMs: number;
  /** Host names the server answers to, besides TRIBUTARY_HOST, localhost and 127.0.0.1. */
  extraHostNames: string[];
  /** Origins (scheme://host:port) the course's pages may also be served from, e.g. a proxy that ends TLS. */
  extraOrigins: string[];
  /** Event streams one learner may hold open at once. */
  streamsPerLearner: number;
}

/** The settings of ClassProtection, read from the environment. */
export function classProtectionSettings(env: NodeJS.ProcessEnv, learnerPartitions: number): ClassProtection {
  const storageMib = integer(env, "TRIBUTARY_LEARNER_STORAGE_MIB", 200);
  // Each partition keeps its retention plus one segment being written, and a segment is at least 1 MiB.
  if (storageMib < 2 * learnerPartitions) {
    throw new Error(
      `TRIBUTARY_LEARNER_STORAGE_MIB must be at least 2 MiB per partition a learner may have (TRIBUTARY_LEARNER_MAX_PARTITIONS=${learnerPartitions}), so at least ${2 * learnerPartitions}; got ${storageMib}.`,
    );
  }
  return {
    kafka: {
      storageBytes: storageMib * 1024 * 1024,
      maxMessageBytes: integer(env, "TRIBUTARY_LEARNER_MAX_MESSAGE_KIB", 1024) * 1024,
      classSize: integer(env, "TRIBUTARY_CLASS_SIZE", 16),
    },
    newLearnersPerHour: integer(env, "TRIBUTARY_NEW_LEARNERS_PER_HOUR", 30),
    idleLearnerMs: integer(env, "TRIBUTARY_IDLE_LEARNER_HOURS", 48, { zero: true }) * 60 * 60 * 1000,
    extraHostNames: (env.TRIBUTARY_ALLOWED_HOSTS ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
    extraOrigins: allowedOrigins(env),
    streamsPerLearner: integer(env, "TRIBUTARY_MAX_STREAMS_PER_LEARNER", 8),
  };
}

/** Whether `dir` can be created and written, by writing and removing a probe file; the error when not. */
async function writableFolder(dir: string): Promise<NodeJS.ErrnoException | undefined> {
  const probe = path.join(dir, `.write-probe-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await (await open(probe, "w")).close();
    await rm(probe, { force: true });
    return undefined;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

const reason = (error: NodeJS.ErrnoException) => error.code ?? error.message;

/** File systems the kernel makes up (by statfs magic number): nothing can be kept there, and making folders in /proc never returns. */
const PSEUDO_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, "proc"],
  [0x62656572, "sysfs"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x1cd1, "devpts"],
  [0x64626720, "debugfs"],
  [0x74726163, "tracefs"],
  [0x73636673, "securityfs"],
  [0xcafe4a11, "bpf"],
  [0x6165676c, "pstore"],
  [0x62656570, "configfs"],
  [0xde5e81e4, "efivarfs"],
  [0x42494e4d, "binfmt_misc"],
  [0x65735543, "fusectl"],
  [0x6e736673, "nsfs"],
  [0x19800202, "mqueue"],
  [0xf97cff8c, "selinuxfs"],
]);

/** The pseudo file system `dir` (or its nearest existing parent) lies on, if it does. */
async function pseudoFileSystem(dir: string): Promise<string | undefined> {
  for (let at = dir; ; at = path.dirname(at)) {
    try {
      return PSEUDO_FILE_SYSTEMS.get((await statfs(at)).type);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A part of the path that does not exist yet: its parent decides where it would be made.
      if ((code !== "ENOENT" && code !== "ENOTDIR") || at === path.dirname(at)) return undefined;
    }
  }
}

/** Refuses a folder on a pseudo file system at once, in one line naming the setting. */
async function refusePseudoFolder(dir: string, setting: string): Promise<void> {
  const kind = await pseudoFileSystem(dir);
  if (kind) {
    throw new ConfigError(
      setting,
      `${setting}: ${dir} lies on ${kind}, a file system the kernel makes up, where nothing can be kept. Set ${setting} to a folder on a disk.`,
    );
  }
}

/**
 * Checks, before anything starts, that the state folder and the progress database can be written,
 * and fails with one line naming the file and the setting that chose it.
 */
export async function checkStateFolders(config: TributaryConfig): Promise<void> {
  await refusePseudoFolder(config.stateDir, "TRIBUTARY_STATE_DIR");
  const stateError = await writableFolder(config.stateDir);
  if (stateError) {
    throw new ConfigError(
      "TRIBUTARY_STATE_DIR",
      `TRIBUTARY_STATE_DIR: cannot write to ${config.stateDir} (${reason(stateError)}). Make it writable for this user, or set TRIBUTARY_STATE_DIR to a folder that is.`,
    );
  }
  // PostgreSQL keeps progress elsewhere; opening it says whether it can be used.
  if (config.progress.postgres) return;
  const database = config.progress.databasePath;
  await refusePseudoFolder(path.dirname(database), "TRIBUTARY_DB");
  const dbError =
    (await writableFolder(path.dirname(database))) ??
    (await access(database, constants.F_OK).then(
      () =>
        access(database, constants.R_OK | constants.W_OK).then(
          () => undefined,
          (error: NodeJS.ErrnoException) => error,
        ),
      () => undefined,
    ));
  if (dbError) {
    throw new ConfigError(
      "TRIBUTARY_DB",
      `TRIBUTARY_DB: cannot write the progress database ${database} (${reason(dbError)}). Make it and its folder writable for this user, or set TRIBUTARY_DB (or TRIBUTARY_STATE_DIR) elsewhere.`,
    );
  }
}

/** TRIBUTARY_ALLOWED_ORIGINS: comma-separated origins, each scheme://host[:port] and nothing more. */
function allowedOrigins(env: NodeJS.ProcessEnv): string[] {
  return (env.TRIBUTARY_ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean)
    .map((origin) => {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = undefined;
      }
      if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, "").toLowerCase()) {
        throw new ConfigError(
          "TRIBUTARY_ALLOWED_ORIGINS",
          `TRIBUTARY_ALLOWED_ORIGINS must list origins such as https://course.example.org or http://127.0.0.1:8080 (scheme, host and port only), got "${origin}".`,
        );
      }
      return parsed.origin;
    });
}
