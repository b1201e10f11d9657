// Five projects, named for what their tests need, run in this order:
//   pure       plain logic, nothing started (test/unit)
//   processes  real child processes and sandboxes, no Kafka (test/processes, the OS half of test/security)
//   kafka      a real broker of their own (test/integration, the Kafka half of test/security), and beside it
//   clusters   the two files that start three-broker clusters, one at a time
//   browser    a real broker, the built site and Chromium (test/e2e)
import { defineConfig } from "vitest/config";

const kafkaSetup = "./test/support/test-kafka.ts";
/** The files that start three-broker clusters of their own (ports from TRIBUTARY_TEST_CLUSTER_PORT). */
const clusterFiles = ["test/integration/kafka-cli.test.ts", "test/integration/three-brokers.test.ts"];

export default defineConfig({
  test: {
    // Files run side by side: every test's learner has a namespace of its own on the shared broker, servers
    // bind port 0, and a file that starts a cluster of its own gives it ports no other file uses.
    fileParallelism: true,
    reporters: ["default"],
    projects: [
      {
        test: {
          name: "pure",
          include: ["test/unit/**/*.test.ts"],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "processes",
          maxWorkers: 2,
          include: ["test/processes/**/*.test.ts", "test/security/**/*.test.ts"],
          exclude: ["test/security/kafka-*.test.ts"],
          sequence: { groupOrder: 0 },
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "kafka",
          // Two files at a time, and a clusters file beside them: the suite is bound by the two cores, and a
          // third Kafka file mostly adds to what the cores switch between.
          maxWorkers: 2,
          include: ["test/integration/**/*.test.ts", "test/security/kafka-*.test.ts"],
          exclude: clusterFiles,
          globalSetup: [kafkaSetup],
          sequence: { groupOrder: 1 },
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "clusters",
          // Each starts three broker JVMs, and more as it kills and restarts them: side by side, the two starts
          // starve each other (and the files beside them) of CPU. One at a time, beside the kafka project.
          maxWorkers: 1,
          include: clusterFiles,
          sequence: { groupOrder: 1 },
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "browser",
          maxWorkers: 2,
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: [kafkaSetup],
          sequence: { groupOrder: 2 },
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
