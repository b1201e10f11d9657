import { describe, expect, it } from "vitest";
import { ConfigError } from "../../sandbox-server/src/config.ts";
import { clusterTopology, ephemeralPortRange, refuseEphemeralBrokerPorts } from "../../sandbox-server/src/provisioning/index.ts";
import { BENCH_KAFKA_PORT } from "../bench/bench-kafka.ts";

const LINUX = { low: 32768, high: 60999 };

describe("broker ports and the kernel's ephemeral range", () => {
  it("reads the range the kernel hands out source ports from, and falls back to Linux's default", () => {
    expect(ephemeralPortRange(() => "10000\t20000\n")).toEqual({ low: 10000, high: 20000 });
    expect(ephemeralPortRange(() => "garbage")).toEqual(LINUX);
    expect(
      ephemeralPortRange(() => {
        throw new Error("ENOENT");
      }),
    ).toEqual(LINUX);
  });

  it("refuses a cluster with any port in the range, in one line naming the setting and the range", () => {
    const refused = () => refuseEphemeralBrokerPorts(clusterTopology("multi", 43092), "TRIBUTARY_KAFKA_PORT", LINUX);
    expect(refused).toThrow(ConfigError);
    expect(refused).toThrow(
      "TRIBUTARY_KAFKA_PORT=43092 puts Kafka's ports 43092–43097 inside the kernel's ephemeral port range 32768–60999 (/proc/sys/net/ipv4/ip_local_port_range)",
    );
    expect(refused).toThrow("choose a port below 32763 or above 60999.");
    try {
      refused();
    } catch (error) {
      expect((error as ConfigError).setting).toBe("TRIBUTARY_KAFKA_PORT");
      expect((error as Error).message).not.toContain("\n");
    }
    // A cluster whose last port reaches into the range is refused too.
    expect(() => refuseEphemeralBrokerPorts(clusterTopology("multi", 32764), "TRIBUTARY_TEST_CLUSTER_PORT", LINUX)).toThrow(
      /^TRIBUTARY_TEST_CLUSTER_PORT=32764/,
    );
  });

  it("takes the course's, the tests' and the benchmark's default ports", () => {
    for (const [mode, port] of [
      ["multi", 9092],
      ["single", 19092],
      ["multi", 29092],
      ["single", 19096],
      ["single", BENCH_KAFKA_PORT],
      ["single", 24192],
    ] as const) {
      expect(() => refuseEphemeralBrokerPorts(clusterTopology(mode, port), "SETTING", LINUX)).not.toThrow();
    }
  });
});
