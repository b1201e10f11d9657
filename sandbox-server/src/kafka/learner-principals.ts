// Each learner gets a Kafka principal of their own: SCRAM credentials, ACLs that grant what a
// course program needs under their namespace prefix and nothing else, and client quotas. The
// broker enforces all three (and caps their topics, see kafka/learner-topic-policy), so a
// learner's program cannot read, write or delete another learner's topics whatever it sends.
import { createHmac, pbkdf2, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import {
  Admin,
  Connection,
  alterUserScramCredentialsV0,
  AclOperations,
  AclPermissionTypes,
  ResourcePatternTypes,
  ResourceTypes,
  type Acl,
  type AclOperationValue,
  type ResourceTypeValue,
} from "@platformatic/kafka";
import type { LearnerQuotas } from "../config.ts";
import {
  clientOptions,
  connectTo,
  guardPool,
  isLoginRefused,
  loginRefusal,
  namespaceAuthorized,
  saslOptions,
  type BrokerAccess,
  type KafkaCredentials,
} from "./access.ts";
import { LEARNER_NAMESPACE_PATTERN, type LearnerTopicLimits } from "./learner-policy.ts";
import { log } from "../log.ts";

export interface LearnerKafka {
  /** Prefix of every topic, group and transactional id the learner may use. */
  namespace: string;
  /** The learner's own principal; absent when the broker takes unauthenticated clients. */
  credentials?: KafkaCredentials;
  /** What the brokers' topic policy lets them have, to name in a refusal; absent with credentials. */
  topicLimits?: LearnerTopicLimits;
}

/** Kafka's code for SCRAM-SHA-256 in AlterUserScramCredentials. */
const SCRAM_SHA_256 = 1;
/** Kafka's answer to deleting a credential that does not exist. */
const RESOURCE_NOT_FOUND = 91;
/** Kafka refuses fewer than 4096 iterations. */
const SCRAM_ITERATIONS = 4096;
const PRINCIPAL_READY_TIMEOUT_MS = 10_000;
/**
 * Principals made in one batch at most. A class arriving together asks for a principal each at the same moment;
 * made one by one, each waits for the controller and every broker in turn, and the last learner of a hundred
 * waits for them all. Made together, a batch costs one credential change, one ACL change and one quota change,
 * however many learners it holds, and the brokers are asked about its last learner only. Batches of 64 took
 * longer than a request may on a machine saturated by three hundred runs; 16 did not.
 */
const PRINCIPALS_PER_BATCH = 16;
/** How long one of the principals' requests may take: a broker busy with a class's runs answers slowly. */
const PRINCIPAL_REQUEST_TIMEOUT_MS = 15_000;

/**
 * A learner's namespace: derived from their id with a key of the server's (learner-id.ts), so it is
 * the same after a server restart, and nobody without the key can find an id with a given
 * namespace. 80 bits: two learners' namespaces never meet by chance either.
 */
export function learnerNamespace(learnerId: string, key: Buffer): string {
  // The brokers' topic policy recognises learners' topics by this shape (LEARNER_NAMESPACE_PATTERN).
  return `l${createHmac("sha256", key).update(learnerId).digest("hex").slice(0, 20)}-`;
}

/**
 * What a learner may do to topics under their prefix: everything a course program needs, but not
 * ALTER, which adds partitions to a topic. Kafka asks no create-topic policy about added partitions,
 * so a learner allowed ALTER could grow one topic past every cap (kafka/learner-topic-policy).
 */
const TOPIC_OPERATIONS = [
  AclOperations.CREATE,
  AclOperations.DELETE,
  AclOperations.READ,
  AclOperations.WRITE,
  AclOperations.DESCRIBE,
  AclOperations.DESCRIBE_CONFIGS,
  AclOperations.ALTER_CONFIGS,
];

/** The ACLs that make a namespace the learner's own: on names with its prefix only. */
function namespaceAcls(principal: string, namespace: string): Acl[] {
  const grant = (resourceType: ResourceTypeValue, operation: AclOperationValue): Acl => ({
    resourceType,
    resourceName: namespace,
    resourcePatternType: ResourcePatternTypes.PREFIXED,
    principal: `User:${principal}`,
    host: "*",
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  });
  return [
    ...TOPIC_OPERATIONS.map((operation) => grant(ResourceTypes.TOPIC, operation)),
    grant(ResourceTypes.GROUP, AclOperations.ALL),
    grant(ResourceTypes.TRANSACTIONAL_ID, AclOperations.ALL),
  ];
}

/**
 * Where the servers of a school note when each learner's principal was last handed to a run (the
 * progress store they share), so no server's idle sweep removes a principal another server still uses.
 */
export interface PrincipalUseLedger {
  notePrincipalUse(principal: string, at: Date): Promise<void>;
  lastPrincipalUse(principal: string): Promise<Date | undefined>;
}

/**
 * A learner's Kafka password, derived from their principal's name with a key of the server secret's:
 * servers that share the secret give a learner the same password, so when two of them make the learner's
 * principal at once (or one after the other) neither locks out a program the other started.
 */
export function learnerPassword(username: string, key: Buffer): string {
  return createHmac("sha256", key).update(username).digest("base64url").slice(0, 24);
}

export class LearnerPrincipals {
  readonly #access: BrokerAccess;
  readonly #quotas: LearnerQuotas;
  readonly #passwordKey: Buffer;
  readonly #ledger?: PrincipalUseLedger;
  /** Learners whose principal exists on the broker, or is being created. */
  readonly #ready = new Map<string, Promise<LearnerKafka>>();
  /** When each principal (by user name) was last handed to a run; an earlier server's count from when this one found them. */
  readonly #lastUsed = new Map<string, { namespace: string; learnerId?: string; at: number }>();
  #discovered = false;
  /** Principals asked for while a batch is being made: they make the next batch, in the order asked. */
  readonly #toCreate: { namespace: string; made: (kafka: LearnerKafka) => void; failed: (error: unknown) => void }[] = [];
  #creatingBatch = false;
  #admin?: Admin;

  /**
   * `passwordKey` (LearnerIds.passwordKey) derives learners' passwords; without it they hold for this
   * instance only. `ledger` shares when principals were used with the other servers of a school.
   */
  constructor(access: BrokerAccess, quotas: LearnerQuotas, passwordKey: Buffer = randomBytes(32), ledger?: PrincipalUseLedger) {
    this.#access = access;
    this.#quotas = quotas;
    this.#passwordKey = passwordKey;
    this.#ledger = ledger;
  }

  /** True when the broker itself keeps learners apart; false when only topic names do. */
  get enforced(): boolean {
    return this.#access.admin !== undefined;
  }

  /**
   * The learner's namespace and credentials, creating their principal on first use (and again after a
   * server restart, or on another server: making it again with the same password changes nothing). A
   * failure is not remembered, so the next run tries again, e.g. once Kafka is back.
   */
  forLearner(learnerId: string, namespace: string): Promise<LearnerKafka> {
    if (!this.#access.admin) return Promise.resolve({ namespace });
    const username = namespace.slice(0, -1);
    this.#lastUsed.set(username, { namespace, learnerId, at: Date.now() });
    this.#ledger
      ?.notePrincipalUse(username, new Date())
      .catch((error: Error) => log.warn({ namespace, err: error.message }, "could not note a Kafka principal's use"));
    let ready = this.#ready.get(learnerId);
    if (!ready) {
      ready = new Promise<LearnerKafka>((made, failed) => {
        this.#toCreate.push({ namespace, made, failed });
        void this.#createBatches();
      });
      this.#ready.set(learnerId, ready);
      ready.catch(() => this.#ready.delete(learnerId));
    }
    return ready;
  }

  /** Makes the principals asked for, a batch at a time, until nobody waits; a failed batch fails its learners only. */
  async #createBatches(): Promise<void> {
    if (this.#creatingBatch) return;
    this.#creatingBatch = true;
    try {
      while (this.#toCreate.length) {
        const batch = this.#toCreate.splice(0, PRINCIPALS_PER_BATCH);
        const namespaces = batch.map((asked) => asked.namespace);
        try {
          // Making a principal again changes nothing: a batch that timed out is made once more before its learners are failed.
          const made = await this.#create(namespaces).catch(() => this.#create(namespaces));
          for (const [index, asked] of batch.entries()) asked.made(made[index]!);
        } catch (error) {
          for (const asked of batch) asked.failed(error);
        }
      }
    } finally {
      this.#creatingBatch = false;
    }
  }

  /** Makes the principals of `namespaces` together: credentials, ACLs and quotas in one request each. */
  async #create(namespaces: string[]): Promise<LearnerKafka[]> {
    const principals = await Promise.all(
      namespaces.map(async (namespace) => {
        const username = namespace.slice(0, -1);
        const credentials = { username, password: learnerPassword(username, this.#passwordKey) };
        const salt = randomBytes(32);
        // Off the event loop: a class's first runs all salt a password at once.
        const saltedPassword = await promisify(pbkdf2)(credentials.password, salt, SCRAM_ITERATIONS, 32, "sha256");
        return { namespace, credentials, salt, saltedPassword };
      }),
    );
    await this.#withAdminConnection((connection) =>
      alterUserScramCredentialsV0.api.async(
        connection,
        [],
        principals.map(({ credentials, salt, saltedPassword }) => ({
          name: credentials.username,
          mechanism: SCRAM_SHA_256,
          iterations: SCRAM_ITERATIONS,
          salt,
          saltedPassword,
        })),
      ),
    );
    const admin = this.#adminClient();
    // Brokers whose data predates TOPIC_OPERATIONS granted ALL on the learner's topics; that grant goes.
    await admin.deleteAcls({
      filters: principals.map(({ namespace, credentials }) => ({
        resourceType: ResourceTypes.TOPIC,
        resourceName: namespace,
        resourcePatternType: ResourcePatternTypes.PREFIXED,
        principal: `User:${credentials.username}`,
        host: "*",
        operation: AclOperations.ALL,
        permissionType: AclPermissionTypes.ALLOW,
      })),
    });
    await admin.createAcls({ creations: principals.flatMap(({ namespace, credentials }) => namespaceAcls(credentials.username, namespace)) });
    await admin.alterClientQuotas({
      entries: principals.map(({ credentials }) => ({
        entities: [{ entityType: "user", entityName: credentials.username }],
        ops: [
          { key: "producer_byte_rate", value: this.#quotas.produceBytesPerSecond, remove: false },
          { key: "consumer_byte_rate", value: this.#quotas.fetchBytesPerSecond, remove: false },
          { key: "controller_mutation_rate", value: this.#quotas.partitionMutationsPerSecond, remove: false },
          { key: "request_percentage", value: this.#quotas.requestPercentage, remove: false },
        ],
      })),
    });
    // A broker applies the cluster's metadata in order: once it has the last learner's, it has the whole batch's.
    const last = principals.at(-1)!;
    await this.#untilEveryBrokerAccepts(last.credentials, last.namespace);
    log.info({ namespaces }, namespaces.length === 1 ? "learner's Kafka principal created" : "learners' Kafka principals created");
    const { topics, partitions, partitionsPerTopic, storageBytes, maxMessageBytes, classSize } = this.#quotas;
    const topicLimits = { topics, partitions, partitionsPerTopic, storageBytes, maxMessageBytes, classSize };
    return principals.map(({ namespace, credentials }) => ({ namespace, credentials, topicLimits: { ...topicLimits } }));
  }

  /**
   * Removes what learners idle for longer than `idleMs` hold on the broker: their topics, consumer
   * groups, ACLs, quotas and credentials. A learner who comes back later gets a new principal (and
   * starts their topics afresh). Returns the namespaces removed.
   */
  async removeIdle(idleMs: number, now = Date.now()): Promise<string[]> {
    if (!this.#access.admin) return [];
    if (!this.#discovered) {
      await this.#discoverPrincipals(now);
      this.#discovered = true;
    }
    const removed: string[] = [];
    // A snapshot: a principal that fails to go is put back, and must wait for the next sweep, not this one.
    for (const [username, used] of [...this.#lastUsed]) {
      if (now - used.at <= idleMs) continue;
      // Another server may have handed the principal to a run since: that use counts here too.
      const elsewhere = await this.#lastUseElsewhere(username);
      if (elsewhere === "unknown") continue;
      if (elsewhere !== undefined && now - elsewhere <= idleMs) {
        this.#lastUsed.set(username, { ...used, at: Math.max(used.at, elsewhere) });
        continue;
      }
      // Forgotten first: a learner back at this moment gets a principal made afresh.
      this.#lastUsed.delete(username);
      if (used.learnerId) this.#ready.delete(used.learnerId);
      try {
        await this.#remove(username, used.namespace);
        removed.push(used.namespace);
        log.info(
          { namespace: used.namespace, idleHours: Math.round((now - used.at) / 3_600_000) },
          "idle learner's Kafka principal and topics removed",
        );
      } catch (error) {
        this.#lastUsed.set(username, used);
        log.warn({ namespace: used.namespace, err: error }, "could not remove an idle learner's Kafka principal; trying again later");
      }
    }
    return removed;
  }

  /** When the ledger says the principal was last used (ms); "unknown" when it cannot be read, which spares the principal. */
  async #lastUseElsewhere(username: string): Promise<number | undefined | "unknown"> {
    if (!this.#ledger) return undefined;
    try {
      return (await this.#ledger.lastPrincipalUse(username))?.getTime();
    } catch (error) {
      log.warn({ principal: username, err: (error as Error).message }, "could not read when a Kafka principal was last used; it is kept for now");
      return "unknown";
    }
  }

  /** Principals an earlier server created: every learner namespace that has ACLs of its own. */
  async #discoverPrincipals(now: number): Promise<void> {
    const shape = new RegExp(`^${LEARNER_NAMESPACE_PATTERN}$`);
    const resources = await this.#adminClient().describeAcls({
      filter: {
        resourceType: ResourceTypes.ANY,
        resourceName: null,
        resourcePatternType: ResourcePatternTypes.PREFIXED,
        principal: null,
        host: null,
        operation: AclOperations.ANY,
        permissionType: AclPermissionTypes.ANY,
      },
    });
    for (const { resourceName: namespace, acls } of resources) {
      const username = namespace.slice(0, -1);
      if (!shape.test(namespace) || this.#lastUsed.has(username)) continue;
      if (acls.some((acl) => acl.principal === `User:${username}`)) this.#lastUsed.set(username, { namespace, at: now });
    }
  }

  async #remove(username: string, namespace: string): Promise<void> {
    const admin = this.#adminClient();
    const topics = (await admin.listTopics()).filter((name) => name.startsWith(namespace));
    if (topics.length) await admin.deleteTopics({ topics });
    const groups = [...(await admin.listGroups()).keys()].filter((name) => name.startsWith(namespace));
    // A group with members left (a run still ending) stays; it holds no data, and goes with its topics' offsets.
    if (groups.length) await admin.deleteGroups({ groups }).catch(() => {});
    await admin.deleteAcls({
      filters: [
        {
          resourceType: ResourceTypes.ANY,
          resourceName: null,
          resourcePatternType: ResourcePatternTypes.ANY,
          principal: `User:${username}`,
          host: null,
          operation: AclOperations.ANY,
          permissionType: AclPermissionTypes.ANY,
        },
      ],
    });
    await admin.alterClientQuotas({
      entries: [
        {
          entities: [{ entityType: "user", entityName: username }],
          ops: [
            { key: "producer_byte_rate", remove: true },
            { key: "consumer_byte_rate", remove: true },
            { key: "controller_mutation_rate", remove: true },
            { key: "request_percentage", remove: true },
          ],
        },
      ],
    });
    await this.#withAdminConnection((connection) =>
      alterUserScramCredentialsV0.api.async(connection, [{ name: username, mechanism: SCRAM_SHA_256 }], []),
    ).catch((error: unknown) => {
      // Another server of the school removed the learner first: what this sweep came to do is done.
      const results = (error as { response?: { results?: { errorCode: number }[] } }).response?.results ?? [];
      if (results.length === 0 || results.some((result) => result.errorCode !== RESOURCE_NOT_FOUND)) throw error;
    });
  }

  /**
   * New credentials reach each broker through the metadata log; a run must not race that. A broker that
   * does not answer at all is down, and reads the credentials from the log before it serves again: only
   * a broker that answers but refuses the login is waited for.
   */
  /** Waits until every broker takes the learner's login and has their ACLs: a run may start on any of them. */
  async #untilEveryBrokerAccepts(credentials: KafkaCredentials, namespace: string): Promise<void> {
    const deadline = Date.now() + PRINCIPAL_READY_TIMEOUT_MS;
    const options = { connectTimeout: 2000, ...saslOptions(credentials) };
    const pause = () => new Promise((resolve) => setTimeout(resolve, 100));
    for (const address of this.#access.bootstrap) {
      for (;;) {
        const refusal = await loginRefusal(address, options);
        if (!refusal || !isLoginRefused(refusal)) break;
        if (Date.now() > deadline) throw new Error(`Broker ${address} did not accept a new learner's credentials: ${refusal.message}`);
        await pause();
      }
      // A broker that does not answer now is the run's to meet (and to name), not a principal's fault.
      while (!(await namespaceAuthorized(address, options, namespace).catch(() => true))) {
        if (Date.now() > deadline)
          throw new Error(`Broker ${address} did not apply a new learner's ACLs within ${PRINCIPAL_READY_TIMEOUT_MS / 1000} s.`);
        await pause();
      }
    }
  }

  /** One authenticated connection for the low-level AlterUserScramCredentials call, to the first bootstrap broker that answers. */
  async #withAdminConnection<T>(call: (connection: Connection) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (const address of this.#access.bootstrap) {
      const connection = new Connection("tributary-principals", {
        connectTimeout: 2000,
        requestTimeout: PRINCIPAL_REQUEST_TIMEOUT_MS,
        ...saslOptions(this.#access.admin),
      });
      try {
        await connectTo(connection, address);
      } catch (error) {
        lastError = error;
        await connection.close().catch(() => {});
        continue;
      }
      try {
        return await call(connection);
      } finally {
        await connection.close().catch(() => {});
      }
    }
    throw lastError;
  }

  #adminClient(): Admin {
    if (!this.#admin) {
      this.#admin = new Admin(clientOptions(this.#access, "tributary-principals", { timeout: PRINCIPAL_REQUEST_TIMEOUT_MS, retries: 2 }));
      guardPool(this.#admin.connections);
    }
    return this.#admin;
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    await admin?.close().catch(() => {});
  }
}
