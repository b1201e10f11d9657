// One learner's fault lab: three real brokers and a controller of their own, formatted afresh in a folder of
// the lab's place, with everything the server needs to serve that learner there (their principal, the
// slate of exercises, snapshots for Checks). The learner stops and starts its brokers; every change is kept,
// with what the broker led, for the exercise's grader.
import { rm } from "node:fs/promises";
import { Connection, metadataV12 } from "@platformatic/kafka";
import type { GradedLabChange } from "../contract/grader.ts";
import type { LabBroker } from "../contract/lab.ts";
import { BrokerInspector, ExerciseSlates, LearnerPrincipals, probeKafka, type BrokerAccess } from "../kafka/index.ts";
import type { RunCluster } from "../runs/index.ts";
import { connectTo, saslOptions } from "../kafka/access.ts";
import { responseDespiteErrors } from "../kafka/protocol-errors.ts";
import type { LearnerQuotas } from "../config.ts";
import { processAlive, startJvmCluster, type JvmClusterOptions, type RunningCluster } from "../provisioning/index.ts";
import { prepareJvm, startJvmNode, type JvmSetup } from "../provisioning/kafka-node.ts";
import { labTopology } from "../provisioning/topology.ts";
import { log } from "../log.ts";

export interface LabClusterOptions {
  /** Kafka's jars, pom and learner limits, as the course's own cluster has them. */
  jvm: Pick<JvmClusterOptions, "homeDir" | "pomPath" | "learnerLimits">;
  /** The lab's folder: cleared at start, removed at close. */
  dir: string;
  /** The first of the lab's ports (see LAB_PORTS). */
  portBase: number;
  quotas: LearnerQuotas;
  /** The key learners' Kafka passwords are derived from, as on the course's brokers. */
  passwordKey: Buffer;
  onProgress: (message: string) => void;
  /** The learner the lab is for: their principal is made as soon as the brokers answer. */
  learner: { id: string; namespace: string };
  /**
   * Opens the way from sandboxed programs to the lab's brokers (RunRegistry.openBridge); resolves to none
   * when programs run without the sandbox.
   */
  openBridge?: (access: BrokerAccess) => Promise<LabBridge | undefined>;
}

/** The lab's Kafka bridge, as the lab needs it: its socket folder, and closing it. */
export interface LabBridge {
  dir: string;
  close(): Promise<void>;
}

/**
 * Kills a broker as a crash would: SIGKILL at once, so its shutdown hook never hands its partitions over; the
 * controller finds it gone when its session times out. Resolves once the process has gone.
 */
async function killBroker(pid: number): Promise<void> {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  while (processAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
}

export class LabCluster {
  readonly access: BrokerAccess;
  readonly principals: LearnerPrincipals;
  readonly inspector: BrokerInspector;
  readonly slates: ExerciseSlates;
  /** Every stop and start asked for from the page, oldest first. */
  readonly changes: GradedLabChange[] = [];
  /** When it became ready: a run that began before ran on an earlier lab, gone since. */
  readonly startedAt = Date.now();
  readonly #cluster: RunningCluster;
  readonly #options: JvmClusterOptions;
  readonly #states = new Map<number, LabBroker["state"]>();
  #setup?: Promise<JvmSetup>;
  #bridge?: LabBridge;
  #closed = false;

  private constructor(cluster: RunningCluster, options: JvmClusterOptions, settings: LabClusterOptions) {
    this.#cluster = cluster;
    this.#options = options;
    this.access = { bootstrap: cluster.bootstrap, admin: cluster.admin };
    this.principals = new LearnerPrincipals(this.access, settings.quotas, settings.passwordKey);
    this.inspector = new BrokerInspector(this.access);
    this.slates = new ExerciseSlates(this.access);
    for (const node of options.topology.nodes) this.#states.set(node.id, "up");
  }

  /** Formats and starts a lab in `options.dir`, and resolves once its three brokers answer. */
  static async start(settings: LabClusterOptions): Promise<LabCluster> {
    await rm(settings.dir, { recursive: true, force: true });
    const options: JvmClusterOptions = {
      ...settings.jvm,
      topology: labTopology(settings.portBase),
      portSetting: "TRIBUTARY_LAB_PORT",
      clusterDir: settings.dir,
      onProgress: settings.onProgress,
      readyTimeoutMs: 120_000,
    };
    const cluster = await startJvmCluster(options);
    const lab = new LabCluster(cluster, options, settings);
    try {
      settings.onProgress("opening the way from your programs' sandbox to the lab");
      lab.#bridge = await settings.openBridge?.(lab.access);
      // Now, while every broker runs: a principal is made on all of them, and a broker the learner stops later
      // would hold that up.
      settings.onProgress("making your Kafka login on the lab's brokers");
      await lab.principals.forLearner(settings.learner.id, settings.learner.namespace);
      return lab;
    } catch (error) {
      await lab.close();
      throw error;
    }
  }

  /** How a run reaches the lab: its brokers, and (sandboxed) its bridge. */
  get runCluster(): RunCluster {
    return {
      bootstrap: this.bootstrap,
      ...(this.#bridge && { socketDir: this.#bridge.dir }),
      answers: async () => (await probeKafka(this.access, 1500)).reachable,
      namespaceUsage: (namespace) => this.inspector.namespaceUsage(namespace),
    };
  }

  /** Process ids of the brokers, then the controller (a restarted broker's new one replaces its old). */
  get pids(): readonly number[] {
    return this.#cluster.pids;
  }

  get bootstrap(): string[] {
    return this.#cluster.bootstrap;
  }

  /** Each broker (not the controller), its address and whether it runs. */
  brokers(): LabBroker[] {
    return this.#options.topology.nodes.map((node, i) => ({
      id: node.id,
      address: this.bootstrap[i]!,
      state: this.#states.get(node.id) ?? "stopped",
    }));
  }

  /**
   * Kills broker `id` as a crash would (no controlled shutdown: its partitions are led elsewhere once the
   * controller notices, within seconds). Which of `namespace`'s partitions it led is kept with the change.
   */
  async stopBroker(id: number, namespace: string): Promise<void> {
    const state = this.#states.get(id);
    if (state !== "up") throw new LabBrokerBusy(id, state);
    this.#states.set(id, "stopping");
    try {
      const led = await this.#partitionsLedBy(id, namespace).catch(() => []);
      this.changes.push({ at: Date.now(), broker: id, change: "stopped", led });
      await killBroker(this.#cluster.pids[id - 1]!);
    } finally {
      this.#states.set(id, processAlive(this.#cluster.pids[id - 1]!) ? "up" : "stopped");
    }
  }

  /** Starts broker `id` again, from its own log; resolves once the cluster lists it. */
  async startBroker(id: number): Promise<void> {
    const state = this.#states.get(id);
    if (state !== "stopped") throw new LabBrokerBusy(id, state);
    this.#states.set(id, "starting");
    this.changes.push({ at: Date.now(), broker: id, change: "started", led: [] });
    try {
      this.#setup ??= prepareJvm(this.#options);
      const node = await startJvmNode(await this.#setup, this.#options, id, this.#cluster.admin);
      this.#cluster.pids[id - 1] = node.pid;
      await node.ready;
      this.#states.set(id, this.#closed ? "stopped" : "up");
    } catch (error) {
      this.#states.set(id, "stopped");
      throw error;
    }
  }

  /** The learner's partitions (named without the namespace, "payments-0") that broker `id` leads now. */
  async #partitionsLedBy(id: number, namespace: string): Promise<string[]> {
    const connection = new Connection("tributary-lab", { connectTimeout: 2000, requestTimeout: 3000, ...saslOptions(this.access.admin) });
    try {
      await connectTo(connection, this.bootstrap[id - 1]!);
      const metadata = await responseDespiteErrors(metadataV12.api.async(connection, null, false, false));
      return metadata.topics
        .filter((topic) => topic.name?.startsWith(namespace))
        .flatMap((topic) =>
          topic.partitions.filter((p) => p.leaderId === id).map((p) => `${topic.name!.slice(namespace.length)}-${p.partitionIndex}`),
        )
        .sort();
    } finally {
      await connection.close().catch(() => {});
    }
  }

  /** Kills every node (the lab's data is thrown away, so nothing needs a clean shutdown) and removes its folder. */
  async close(): Promise<void> {
    this.#closed = true;
    // The brokers first: their connections close, and with them every connection the bridge and clients hold.
    await Promise.all(this.#cluster.pids.map(killBroker));
    await this.#bridge?.close().catch(() => {});
    await Promise.all([this.principals.close(), this.inspector.close(), this.slates.close()]).catch((error: unknown) =>
      log.warn({ err: error }, "a lab's Kafka clients did not close cleanly"),
    );
    await rm(this.#options.clusterDir!, { recursive: true, force: true });
  }
}

/** A broker asked to stop or start while it is not in the state that allows it. */
export class LabBrokerBusy extends Error {
  constructor(id: number, state: LabBroker["state"] | undefined) {
    super(
      state === undefined
        ? `Your lab has brokers 1 to 3; there is no broker ${id}.`
        : state === "up"
          ? `Broker ${id} is running already.`
          : state === "stopped"
            ? `Broker ${id} is stopped already.`
            : `Broker ${id} is ${state}; wait until it has finished.`,
    );
  }
}
