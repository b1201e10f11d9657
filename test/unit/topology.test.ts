import { describe, expect, it } from "vitest";
import { clusterTopology, bootstrapAddresses, serverProperties } from "../../sandbox-server/src/broker/index.ts";

const parse = (properties: string) =>
  Object.fromEntries(
    properties
      .split("\n")
      .filter((line) => line && !line.startsWith("#"))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );

describe("cluster topology", () => {
  it("lays out one broker on 9092 for single", () => {
    const single = clusterTopology("single", 9092);
    expect(bootstrapAddresses(single)).toEqual(["127.0.0.1:9092"]);
    expect(single).toMatchObject({ replicationFactor: 1, minInsyncReplicas: 1 });
  });

  it("lays out three brokers with replication factor 3 and min.insync.replicas 2 for multi", () => {
    const multi = clusterTopology("multi", 9092);
    expect(bootstrapAddresses(multi)).toEqual(["127.0.0.1:9092", "127.0.0.1:9094", "127.0.0.1:9096"]);
    const ports = multi.nodes.flatMap((n) => [n.clientPort, n.controllerPort]);
    expect(new Set(ports).size).toBe(6);
    const props = parse(serverProperties(multi, multi.nodes[1]!, "/data/node-2"));
    expect(props).toMatchObject({
      "node.id": "2",
      "process.roles": "broker,controller",
      "default.replication.factor": "3",
      "min.insync.replicas": "2",
      "offsets.topic.replication.factor": "3",
      "log.dirs": "/data/node-2",
    });
    expect(props["controller.quorum.voters"]).toBe("1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097");
  });

  it("gives a single broker internal topics with replication factor 1 and no initial rebalance delay", () => {
    const single = clusterTopology("single", 9092);
    const props = parse(serverProperties(single, single.nodes[0]!, "/data/node-1"));
    expect(props).toMatchObject({
      "offsets.topic.replication.factor": "1",
      "transaction.state.log.replication.factor": "1",
      "group.initial.rebalance.delay.ms": "0",
    });
  });

  it("binds every listener to loopback", () => {
    const multi = clusterTopology("multi", 9092);
    for (const node of multi.nodes) {
      const props = parse(serverProperties(multi, node, "/data"));
      for (const listener of props.listeners!.split(",")) expect(listener).toMatch(/:\/\/127\.0\.0\.1:\d+$/);
    }
  });
});
