// No Docker engine runs where the tests run, so the compose files are checked by reading them.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { clusterTopology, kafkaVersionFromPom } from "../../sandbox-server/src/provisioning/index.ts";

const root = loadConfig().projectRoot;

interface Service {
  image: string;
  ports?: string[];
  environment: Record<string, string | number>;
  healthcheck?: { test: string[] };
}

function services(file: string): Record<string, Service> {
  const compose = parse(readFileSync(path.join(root, "docker", file), "utf8"), { merge: true }) as { services: Record<string, Service> };
  return compose.services;
}

const kafkaVersion = kafkaVersionFromPom(path.join(root, "kafka", "pom.xml"));

describe.each([
  ["compose.single.yaml", "single"],
  ["compose.multi.yaml", "multi"],
] as const)("docker/%s", (file, mode) => {
  const all = Object.values(services(file));
  const topology = clusterTopology(mode, 9092);

  it("runs the official apache/kafka image at the version the pom names", () => {
    for (const service of all) expect(service.image).toBe(`apache/kafka:${kafkaVersion}`);
  });

  it("has one KRaft broker+controller per node, with distinct node ids", () => {
    expect(all).toHaveLength(topology.nodes.length);
    for (const service of all) expect(service.environment.KAFKA_PROCESS_ROLES).toBe("broker,controller");
    expect(new Set(all.map((s) => s.environment.KAFKA_NODE_ID)).size).toBe(all.length);
  });

  it("publishes the same client ports as the JVM cluster, on 127.0.0.1 only", () => {
    const published = all.flatMap((s) => s.ports ?? []);
    expect(published).toEqual(topology.nodes.map((n) => `127.0.0.1:${n.clientPort}:${n.clientPort}`));
    for (const service of all) expect(String(service.environment.KAFKA_ADVERTISED_LISTENERS)).toMatch(/(PLAINTEXT|EXTERNAL):\/\/127\.0\.0\.1:\d+/);
  });

  it("replicates internal and new topics as the mode promises", () => {
    for (const { environment: env } of all) {
      expect(Number(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR)).toBe(topology.replicationFactor);
      expect(Number(env.KAFKA_DEFAULT_REPLICATION_FACTOR)).toBe(topology.replicationFactor);
      expect(Number(env.KAFKA_MIN_INSYNC_REPLICAS)).toBe(topology.minInsyncReplicas);
      expect(Number(env.KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS)).toBe(0);
    }
  });

  it("names every node in the controller quorum, all formatted with one cluster id", () => {
    const voters = String(all[0]!.environment.KAFKA_CONTROLLER_QUORUM_VOTERS).split(",");
    expect(voters.map((v) => Number(v.split("@")[0]))).toEqual(all.map((s) => Number(s.environment.KAFKA_NODE_ID)));
    expect(new Set(all.map((s) => s.environment.CLUSTER_ID)).size).toBe(1);
  });

  it("has a health check, so `docker compose up --wait` waits for a broker that answers", () => {
    for (const service of all) expect(service.healthcheck?.test.join(" ")).toContain("kafka-broker-api-versions.sh");
  });
});
