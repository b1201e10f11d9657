// Broker ports must lie outside the kernel's ephemeral range: a client connecting to a port nobody
// listens on may be given that same port as its own source port by the kernel, and then holds it,
// connected to itself, so a broker that died cannot bind its port again.
import { readFileSync } from "node:fs";
import { ConfigError } from "../config.ts";
import type { ClusterTopology } from "./topology.ts";

export interface PortRange {
  low: number;
  high: number;
}

const RANGE_FILE = "/proc/sys/net/ipv4/ip_local_port_range";
/** Linux's default, and the range to keep clear where the kernel does not say (macOS uses 49152–65535, inside it). */
const DEFAULT_RANGE: PortRange = { low: 32768, high: 60999 };

/** The kernel's ephemeral port range, from /proc; Linux's default where it cannot be read. */
export function ephemeralPortRange(read: () => string = () => readFileSync(RANGE_FILE, "utf8")): PortRange {
  try {
    const [low, high] = read().trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! > 0 && high! >= low!) return { low: low!, high: high! };
  } catch {
    // no /proc (macOS): the default below
  }
  return DEFAULT_RANGE;
}

/** Every port a cluster's brokers bind, lowest first. */
function brokerPorts(topology: ClusterTopology): number[] {
  return topology.nodes.flatMap((node) => [node.clientPort, node.controllerPort]).sort((a, b) => a - b);
}

/**
 * Refuses a cluster whose brokers would bind a port in the ephemeral range, with one line naming the
 * setting that chose the ports and the range.
 */
export function refuseEphemeralBrokerPorts(topology: ClusterTopology, setting: string, range: PortRange = ephemeralPortRange()): void {
  const ports = brokerPorts(topology);
  const inRange = ports.filter((port) => port >= range.low && port <= range.high);
  if (inRange.length === 0) return;
  throw new ConfigError(
    setting,
    `${setting}=${ports[0]} puts Kafka's ports ${ports[0]}–${ports.at(-1)} inside the kernel's ephemeral port range ` +
      `${range.low}–${range.high} (${RANGE_FILE}), where a client's own connection can take a broker's port while it is down; ` +
      `choose a port below ${range.low - (ports.at(-1)! - ports[0]!)} or above ${range.high}.`,
  );
}
