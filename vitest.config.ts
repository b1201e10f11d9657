// Four kinds of tests, run in this order: unit and security (no Kafka), integration and the Kafka half
// of the security suite (a real broker), e2e (a real browser too).
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
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          sequence: { groupOrder: 0 },
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "security",
          include: ["test/security/**/*.test.ts"],
          exclude: ["test/security/kafka-*.test.ts"],
          sequence: { groupOrder: 0 },
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "security-kafka",
          include: ["test/security/kafka-*.test.ts"],
          globalSetup: [kafkaSetup],
          sequence: { groupOrder: 1 },
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: [kafkaSetup],
          sequence: { groupOrder: 1 },
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "e2e",
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
