// Eight learners press Check at the same moment, twenty times over, on exercises whose checkpoints
// read records, run grader modules and read group offsets. Each Check reads its own snapshot with its
// own connections, so not one verdict may come back as a false "Kafka did not answer".
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { exerciseFile, type LearnerClient } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
const LEARNERS = 8;
const ROUNDS = 20;
const EXERCISES = ["first-producer", "stream-etl", "two-targets", "surge-pricing"];
let sandbox: TestServer;

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
});

afterAll(async () => {
  await sandbox?.close();
});

describe("Checks under load", () => {
  it(`grades ${LEARNERS} learners' Checks at once for ${ROUNDS} rounds with no spurious error`, { timeout: 600_000 }, async () => {
    const learners: [LearnerClient, string][] = Array.from({ length: LEARNERS }, (_, i) => [sandbox.learner(), EXERCISES[i % EXERCISES.length]!]);
    // The programs run one after another: what is under load here is Check, not Run.
    for (const [learner, id] of learners) {
      const { exit, stdout, stderr } = await learner.run(id, await exerciseFile(id, "solution"));
      expect(exit.code, `${id}: ${exit.message}\n${stdout}${stderr}`).toBe(0);
    }

    const outcomes = { pass: 0, fail: 0, error: 0 };
    const problems: string[] = [];
    const durations: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await Promise.all(
        learners.map(async ([learner, id]) => {
          const started = performance.now();
          const { status, body } = await learner.json<{ status: "pass" | "fail" | "error"; message: string }>("POST", `/api/exercises/${id}/grade`);
          durations.push(performance.now() - started);
          expect(status).toBe(200);
          outcomes[body.status]++;
          if (body.status !== "pass") problems.push(`round ${round}, ${id}: ${body.status}: ${body.message}`);
        }),
      );
    }
    durations.sort((a, b) => a - b);
    const at = (p: number) => Math.round(durations[Math.min(durations.length - 1, Math.floor(p * durations.length))]!);
    console.log(`[concurrent checks] ${JSON.stringify(outcomes)}; Check took p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`);
    expect(problems).toEqual([]);
    expect(outcomes.pass).toBe(LEARNERS * ROUNDS);
  });
});
