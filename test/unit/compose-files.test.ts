// No Docker engine runs where the tests run, so the Docker path is checked by reading what it would run:
// the committed files must be what the one broker definition generates, and a broker in a container must
// get the JVM path's settings, JVM flags, environment and limits, setting by setting.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import {
  BROKER_ENVIRONMENT,
  brokerJvmFlags,
  brokerOpenFiles,
  clusterTopology,
  kafkaVersionFromPom,
  PLACEMENT_SETTINGS,
  repositoryComposeFiles,
  serverProperties,
  SUPER_USER_NAME,
  SUPER_USER_SETTING,
  superUserLogin,
} from "../../sandbox-server/src/provisioning/index.ts";

const config = loadConfig({});
const root = config.projectRoot;
const dockerDir = path.join(root, "docker");
const limits = config.kafka.learnerQuotas;

interface Service {
  image: string;
  command?: string[];
  network_mode?: string;
  ports?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  ulimits?: { nofile: { soft: number; hard: number } };
  healthcheck?: { test: string[] };
}

const properties = (text: string) =>
  Object.fromEntries(
    text
      .split("\n")
      .filter((line) => line && !line.startsWith("#"))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  ) as Record<string, string>;

/** Every file under docker/, by its path relative to it. */
function committedFiles(dir = dockerDir, prefix = ""): string[] {
  return readdirSync(dir).flatMap((name) =>
    statSync(path.join(dir, name)).isDirectory() ? committedFiles(path.join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`],
  );
}

describe("docker/", () => {
  it("holds exactly what `npm run kafka -- compose` generates from the broker definition", () => {
    const generated = repositoryComposeFiles(config);
    expect(committedFiles().sort()).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) {
      expect(
        readFileSync(path.join(dockerDir, name), "utf8"),
        `docker/${name} differs from what the definition generates; run \`npm run kafka -- compose\``,
      ).toBe(text);
    }
  });

  it("holds no password: the super user's comes from the host's environment when compose runs", () => {
    for (const name of committedFiles()) expect(readFileSync(path.join(dockerDir, name), "utf8")).not.toMatch(/password="[^$]/);
  });
});

describe.each(["single", "multi"] as const)("docker/compose.%s.yaml", (mode) => {
  const compose = parse(readFileSync(path.join(dockerDir, `compose.${mode}.yaml`), "utf8")) as { services: Record<string, Service> };
  const topology = clusterTopology(mode, config.kafka.portBase);
  const { network, ...brokers } = compose.services;
  const brokerList = topology.nodes.map((node) => ({ node, service: brokers[`kafka-${node.id}`]! }));
  const script = readFileSync(path.join(dockerDir, "broker.sh"), "utf8");

  it("runs one broker per node of the JVM cluster, in the official apache/kafka image at the version the pom names", () => {
    expect(Object.keys(brokers)).toEqual(topology.nodes.map((node) => `kafka-${node.id}`));
    const version = kafkaVersionFromPom(path.join(root, "kafka", "pom.xml"));
    for (const service of [network!, ...Object.values(brokers)]) expect(service.image).toBe(`apache/kafka:${version}`);
  });

  it("publishes the JVM cluster's client ports on 127.0.0.1 only, from one network namespace the brokers share", () => {
    expect(network!.ports).toEqual(topology.nodes.map((n) => `127.0.0.1:${n.clientPort}:${n.clientPort}`));
    for (const { service } of brokerList) {
      expect(service.network_mode).toBe("service:network");
      expect(service.ports).toBeUndefined();
    }
  });

  it("gives each broker the JVM broker's settings, setting by setting, but where a container must differ", () => {
    for (const { node, service } of brokerList) {
      const mounted = service.volumes!.find((v) => v.endsWith(":/opt/tributary/node.properties:ro"))!.split(":")[0]!;
      const container = properties(readFileSync(path.join(dockerDir, mounted), "utf8"));
      const jvm = properties(serverProperties(topology, node, `/data/node-${node.id}`, { username: SUPER_USER_NAME, password: "pw" }, limits));
      // The super user's login is the one setting a file of the project never holds: the script adds it.
      expect(Object.keys(container).sort()).toEqual(
        Object.keys(jvm)
          .filter((key) => key !== SUPER_USER_SETTING)
          .sort(),
      );
      for (const [key, value] of Object.entries(container)) {
        if ((PLACEMENT_SETTINGS as readonly string[]).includes(key)) continue;
        expect(value, key).toBe(jvm[key]);
      }
      // Where they differ: the client listener binds every address of the container's namespace, and the data has a volume.
      expect(container.listeners).toBe(jvm.listeners!.replace(`CLIENT://127.0.0.1:`, "CLIENT://0.0.0.0:"));
      expect(container["log.dirs"]).toBe("/var/lib/kafka/data");
      expect(service.volumes).toContain(`kafka-${node.id}-data:/var/lib/kafka/data`);
    }
  });

  it("adds the super user's login as the JVM path writes it, and formats storage with that super user", () => {
    expect(script).toContain(`'${SUPER_USER_SETTING}'`);
    // The bash string the script prints is the JVM path's value with the password from the environment.
    expect(script).toContain(JSON.stringify(superUserLogin({ username: SUPER_USER_NAME, password: "$password" })));
    expect(script).toContain(`--add-scram "SCRAM-SHA-256=[name=${SUPER_USER_NAME},password=$password]"`);
    for (const { service } of brokerList) {
      expect(service.environment!.TRIBUTARY_KAFKA_ADMIN_PASSWORD).toBe("${TRIBUTARY_KAFKA_ADMIN_PASSWORD:-}");
      expect(service.environment!.TRIBUTARY_KAFKA_FORMAT_FLAGS).toBe(mode === "single" ? "--standalone" : "");
    }
    expect(new Set(brokerList.map(({ service }) => service.environment!.TRIBUTARY_KAFKA_CLUSTER_ID)).size).toBe(1);
  });

  it("runs each broker's JVM with the JVM path's memory bounds, environment and open-file limit", () => {
    for (const { service } of brokerList) {
      expect(service.command).toEqual(["bash", "/opt/tributary/broker.sh", ...brokerJvmFlags(topology.nodes.length)]);
      expect(service.environment).toMatchObject(BROKER_ENVIRONMENT);
      expect(service.ulimits?.nofile).toEqual({ soft: brokerOpenFiles(limits), hard: brokerOpenFiles(limits) });
    }
    expect(script).toMatch(/exec java "\$@" .* kafka\.Kafka "\$properties"/);
  });

  it("puts the course's compiled policies and the broker's logging on the classpath, mounted read-only", () => {
    for (const { service } of brokerList) {
      expect(service.volumes).toContain("${TRIBUTARY_KAFKA_POLICY_DIR:-../.tributary/kafka/learner-topic-policy}:/opt/tributary/policy:ro");
      expect(service.volumes).toContain("../kafka/log4j2.yaml:/opt/tributary/log4j2.yaml:ro");
      expect(service.volumes).toContain("./broker.sh:/opt/tributary/broker.sh:ro");
      expect(service.healthcheck?.test.join(" ")).toContain(`/dev/tcp/127.0.0.1/`);
    }
    expect(script).toContain("-cp '/opt/kafka/libs/*:/opt/tributary/policy' kafka.Kafka");
    expect(existsSync(path.join(root, "kafka", "log4j2.yaml"))).toBe(true);
  });
});
