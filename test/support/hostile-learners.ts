// What the Kafka half of the security suite shares: a preamble for hostile programs that records
// what the broker allowed and refused, and a way to run each beside a benign learner's producer.
import { expect } from "vitest";
import { exerciseFile, type LearnerClient, type RunOutput } from "./sandbox-client.ts";

/** Imports, a client with the learner's credentials and no retries, and `attempt(label, action)`, which prints "label: allowed …" or "label: refused <code>". */
export const hostilePreamble = `
import { Kafka, logLevel } from "kafkajs";
import { connection, namespace, topic } from "tributary";
const kafka = new Kafka({ clientId: "probe", ...connection, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
const attempt = async (label: string, action: () => Promise<unknown>) => {
  try { const result = await action(); console.log(label + ": allowed " + JSON.stringify(result ?? null)); }
  catch (error) {
    // kafkajs wraps the broker's error code in different places depending on the call.
    const e = error as { type?: string; message: string; errors?: { type?: string }[]; originalError?: { type?: string } };
    console.log(label + ": refused " + (e.type ?? e.errors?.[0]?.type ?? e.originalError?.type ?? e.message));
  }
};
`;

/** Returns `besideBenign(hostile)`: awaits the hostile run while `bystander` runs the first lesson's producer, which must succeed. */
export function benignBeside(bystander: () => LearnerClient) {
  let benignProgram: Promise<string> | undefined;
  return async function besideBenign<T = RunOutput>(hostile: Promise<T>): Promise<T> {
    benignProgram ??= exerciseFile("first-producer", "solution");
    const benign = bystander().run("first-producer", await benignProgram);
    const outcome = await hostile;
    const { exit, stdout, stderr } = await benign;
    expect(exit, stderr).toMatchObject({ reason: "exited", code: 0 });
    expect(stdout).toMatch(/sent/i);
    return outcome;
  };
}
