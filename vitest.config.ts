// Four projects, named for what their tests need, run in this order:
//   pure       plain logic, nothing started (test/unit)
//   processes  real child processes and sandboxes, no Kafka (test/processes, the OS half of test/security)
//   kafka      a real broker of their own (test/integration, the Kafka half of test/security)
//   browser    a real broker, the built site and Chromium (test/e2e)
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const kafkaSetup = "./test/support/test-kafka.ts";

/**
 * The files that run longest, started first whatever vitest knows of them: on a fresh clone it has no durations
 * and starts the largest files first, and the cluster file is small (its suites live in test/integration/clusters/),
 * so it would start last and run on while the other workers idle. The fault lab's file plays its exercises through
 * broker faults, one after another, for six minutes.
 */
const longestFiles = ["test/integration/clusters.test.ts", "test/integration/fault-lab.test.ts"];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = (file: TestSpecification) => longestFiles.some((name) => file.moduleId.endsWith(name));
    return [...sorted.filter(long), ...sorted.filter((file) => !long(file))];
  }
}

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirst },
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
          // Most of a Kafka test's time is waiting on the broker, a JVM or a program: three files at a time.
          maxWorkers: 3,
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
