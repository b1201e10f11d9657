// The first lesson's checkpoints, graded against a real broker through the HTTP API, as a learner would.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { exerciseFile, type LearnerClient } from "../support/sandbox-client.ts";
import { readWholeTopic } from "../support/broker-state.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
let sandbox: TestServer;
let learner: LearnerClient;

interface Verdict {
  status: "pass" | "fail" | "error";
  message: string;
  checks: { title: string; status: string; message: string }[];
}
const grade = async (exerciseId: string) => (await learner.json<Verdict>("POST", `/api/exercises/${exerciseId}/grade`)).body;

// A new learner has an empty namespace of their own on the broker.
beforeAll(async () => {
  sandbox = await startTestServer(kafka);
  learner = sandbox.learner();
});

afterAll(async () => {
  await sandbox?.close();
});

// The tests below build on each other, in order, like a learner going through the lesson.
describe("the first lesson, on a fresh broker", () => {
  it("fails both checkpoints before anything ran, saying nothing has run yet", async () => {
    for (const id of ["first-producer", "first-consumer"]) {
      const verdict = await grade(id);
      expect(verdict.status).toBe("fail");
      expect(verdict.message).toContain("You have not run this exercise yet");
    }
  });

  it("fails the producer checkpoint for the untouched starter: the topic exists but is empty", async () => {
    const output = await learner.run("first-producer", await exerciseFile("first-producer", "starter"));
    expect(output.exit).toMatchObject({ reason: "exited", code: 0 });
    expect(output.stdout).toContain("Created the topic messages.");
    const verdict = await grade("first-producer");
    expect(verdict.status).toBe("fail");
    // The topic exists; the messages are missing, and so is each of them once.
    expect(verdict.checks.map((c) => c.status)).toEqual(["pass", "fail", "fail"]);
    expect(verdict.message).toContain('There is no message "message 1" with key "1". The topic is empty.');
  });

  it("fails the consumer checkpoint for the untouched starter, with a reason", async () => {
    // Something to read, so the failure is about the consumer and not about an empty topic.
    await learner.run("first-producer", await exerciseFile("first-producer", "solution"));
    const output = await learner.run("first-consumer", await exerciseFile("first-consumer", "starter"));
    expect(output.stdout).toContain("Not reading anything yet");
    const verdict = await grade("first-consumer");
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      "Group `message-readers` has committed no offset on `messages`. No consumer has joined group `message-readers`",
    );
  });

  it("passes the producer checkpoint for the solution, and another client reads its messages", async () => {
    const verdict = await grade("first-producer");
    expect(verdict.status).toBe("pass");
    const records = await readWholeTopic(kafka, `${await learner.namespace()}messages`);
    expect(records.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => ({ key: String(i + 1), value: `message ${i + 1}` })));
  });

  it("streams the messages into a running consumer live, then passes its checkpoint", async () => {
    const consumer = await learner.startRun("first-consumer", await exerciseFile("first-consumer", "solution"));
    // Read the backlog first: the consumer has joined and caught up.
    const joined = learner.readRun(consumer.eventsUrl, (out) => out.stdout.includes("offset 9]"));
    expect((await joined).stdout).toContain("Joined group message-readers");

    const live = learner.readRun(consumer.eventsUrl, (out) => (out.stdout.match(/\] \d+: message \d+/g) ?? []).length >= 20);
    const producer = await learner.run("first-producer", await exerciseFile("first-producer", "solution"));
    expect(producer.stdout).toContain("Sent 10 messages to partition 0, from offset 10.");
    const seen = await live;
    expect(seen.stdout).toContain("[partition 0, offset 19] 10: message 10");

    const verdict = await grade("first-consumer");
    expect(verdict).toMatchObject({ status: "pass", message: "Passed: your consumer group `message-readers` has read every message of `messages`." });

    const stopped = await learner.json<{ status: string }>("DELETE", `/api/runs/${consumer.id}`);
    expect(stopped).toEqual({ status: 200, body: { id: consumer.id, status: "stopping" } });
    const end = await learner.readRun(consumer.eventsUrl);
    expect(end.exit).toMatchObject({ reason: "stopped", message: "Stopped." });
  });

  it("keeps the verdicts in the progress store across a server restart", async () => {
    const before = (await learner.json<{ verdicts: { exerciseId: string; status: string }[] }>("GET", "/api/progress")).body;
    await sandbox.close({ keepState: true });
    sandbox = await startTestServer(kafka, { stateDir: sandbox.stateDir });
    // The restarted server listens on a new port; the learner's cookie is what identifies them.
    const after = await progressWithCookieOf(learner, sandbox.learner());
    expect(after).toEqual(before);
    expect(after.verdicts.map((v) => `${v.exerciseId}:${v.status}`)).toEqual(["first-consumer:pass", "first-producer:pass"]);
  });
});

/** Reads progress from the restarted server while presenting the original learner's cookie. */
async function progressWithCookieOf(original: LearnerClient, onNewServer: LearnerClient) {
  const response = await fetch(`${onNewServer.baseUrl}/api/progress`, { headers: { cookie: original.cookie } });
  return (await response.json()) as { verdicts: { exerciseId: string; status: string }[] };
}
