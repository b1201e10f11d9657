// Four projects, named for what their tests need, run in this order:
//   pure       plain logic, nothing started (test/unit)
//   processes  real child processes and sandboxes, no Kafka (test/processes, the OS half of test/security)
//   kafka      a real broker of their own (test/integration, the Kafka half of test/security)
//   browser    a real broker, the built site and Chromium (test/e2e)
import { defineConfig } from "vitest/config";

const kafkaSetup = "./test/support/test-kafka.ts";

export default defineConfig({
  test: {
    // Integration and e2e tests share one broker and its topics: one file at a time.
    fileParallelism: false,
    reporters: ["default"],
    projects: [
      {
        test: {
          name: "pure",
          include: ["test/unit/**/*.test.ts"],
          sequence: { groupOrder: 0 },
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "processes",
          include: ["test/processes/**/*.test.ts", "test/security/**/*.test.ts"],
          exclude: ["test/security/kafka-*.test.ts"],
          sequence: { groupOrder: 0 },
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "kafka",
          include: ["test/integration/**/*.test.ts", "test/security/kafka-*.test.ts"],
          globalSetup: [kafkaSetup],
          sequence: { groupOrder: 1 },
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "browser",
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
