import { describe, expect, it } from "vitest";
import { describeNodeChange } from "../../scripts/lib/kafka-nodes.ts";

describe("what a host is told when a broker stops", () => {
  it("says the other two keep serving when one of three dies, and how to start it again", () => {
    expect(describeNodeChange({ kind: "died", node: 2, logFile: "/x/node-2/broker.log" }, "multi", 2)).toBe(
      "✗ Kafka node 2 stopped unexpectedly (its log: /x/node-2/broker.log); the other 2 brokers keep serving. Start it again with `npm run kafka -- start-node 2`.",
    );
  });

  it("warns that acks=all writes are refused with one broker of three left", () => {
    expect(describeNodeChange({ kind: "stopped", node: 3 }, "multi", 1)).toContain(
      "only 1 broker left: topics with min.insync.replicas 2 refuse acks=all writes",
    );
  });

  it("says runs fail while the only broker of a single cluster is down", () => {
    expect(describeNodeChange({ kind: "died", node: 1, logFile: "log" }, "single", 0)).toContain("runs will fail until it is back");
    expect(describeNodeChange({ kind: "back", node: 1 }, "single", 1)).toBe("Kafka node 1 runs again.");
  });
});
