// What `npm run kafka` and `npm start` say when one broker of the course's cluster stops or comes back.
import type { ClusterMode } from "../../sandbox-server/src/config.ts";
import type { NodeChange } from "../../sandbox-server/src/provisioning/index.ts";

/** One line for a host: what happened to which node, whether Kafka still serves, and what to do. */
export function describeNodeChange(change: Exclude<NodeChange, { kind: "cluster-stopped" }>, mode: ClusterMode, alive: number): string {
  const serving =
    mode === "multi"
      ? alive >= 2
        ? `the other ${alive} brokers keep serving`
        : `only ${alive} broker${alive === 1 ? "" : "s"} left: topics with min.insync.replicas 2 refuse acks=all writes until another is back`
      : "runs will fail until it is back";
  switch (change.kind) {
    case "died":
      return `✗ Kafka node ${change.node} stopped unexpectedly (its log: ${change.logFile}); ${serving}. Start it again with \`npm run kafka -- start-node ${change.node}\`.`;
    case "stopped":
      return `Kafka node ${change.node} was stopped (stop-node); ${serving}.`;
    case "back":
      return `Kafka node ${change.node} runs again.`;
  }
}
