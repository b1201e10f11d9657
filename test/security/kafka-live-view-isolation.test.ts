// The live view shows a learner their own Kafka only: another learner's topics, records and groups never
// appear in it, whatever the browser asks for. Real broker, real principals: the view is read as the
// learner's own Kafka user, so the broker's ACLs decide, and the server never takes a name from the request.
import { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { LiveView } from "../../sandbox-server/src/contract/index.ts";
import { kafkajsConfig } from "../support/kafkajs-config.ts";
import type { LearnerClient } from "../support/sandbox-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const kafka = inject("kafkaAccess");
let sandbox: TestServer;
let watcher: LearnerClient;
let other: LearnerClient;
let watcherNamespace: string;
let otherNamespace: string;

/** Topics with a record each and a group with a commit, made as the broker's super user under `namespace`. */
async function fillNamespace(namespace: string, topic: string, group: string): Promise<void> {
  const client = new Kafka(kafkajsConfig(kafka, "live-isolation"));
  const admin = client.admin();
  const producer = client.producer();
  await admin.connect();
  await producer.connect();
  try {
    await admin.createTopics({ topics: [{ topic: namespace + topic, numPartitions: 2 }], waitForLeaders: true });
    await producer.send({ topic: namespace + topic, messages: [{ key: `${topic}-key`, value: `${topic} value` }] });
    await admin.setOffsets({ groupId: namespace + group, topic: namespace + topic, partitions: [{ partition: 0, offset: "0" }] });
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
}

/** The learner's view, once, as JSON. */
async function viewOf(learner: LearnerClient, query = "?cluster=course"): Promise<{ status: number; text: string }> {
  const response = await learner.request("GET", `/api/live${query}`);
  return { status: response.status, text: await response.text() };
}

beforeAll(async () => {
  sandbox = await startTestServer(kafka);
  watcher = sandbox.learner();
  other = sandbox.learner();
  watcherNamespace = await watcher.namespace();
  otherNamespace = await other.namespace();
  await Promise.all([fillNamespace(watcherNamespace, "mine", "my-readers"), fillNamespace(otherNamespace, "secret", "spies")]);
});

afterAll(async () => {
  await sandbox?.close();
});

describe("the live view shows a learner their own Kafka only", () => {
  it("shows the learner's own topic, record and group, named as the lessons name them", async () => {
    const { status, text } = await viewOf(watcher);
    expect(status).toBe(200);
    const view = JSON.parse(text) as LiveView;
    expect(view.topics.map((topic) => topic.name)).toContain("mine");
    expect(view.records.map((record) => record.key)).toContain("mine-key");
    expect(view.groups.map((group) => group.name)).toContain("my-readers");
    expect(text).not.toContain(watcherNamespace);
  });

  it.each([
    ["the other learner's topic named in the query", () => `?cluster=course&topic=${otherNamespace}secret&topics=secret`],
    ["the other learner's group named in the query", () => `?cluster=course&group=${otherNamespace}spies&namespace=${otherNamespace}`],
    ["no cluster at all", () => ""],
  ])("never shows another learner's names with %s", async (_case, query) => {
    const { status, text } = await viewOf(watcher, query());
    expect(status).toBe(200);
    for (const foreign of [otherNamespace, "secret", "spies"]) expect(text).not.toContain(foreign);
  });

  it.each([
    ["a cluster the server does not offer", "?cluster=theirs", 404],
    ["a cluster named like a path", "?cluster=..%2Fcourse", 400],
  ])("refuses %s, naming the clusters there are", async (_case, query, expected) => {
    const { status, text } = await viewOf(watcher, query);
    expect(status).toBe(expected);
    expect(text).not.toContain(otherNamespace);
  });

  it("shows nothing to a request without a learner's cookie, nor with a forged one", async () => {
    const anonymous = await sandbox.learner().request("GET", "/api/live?cluster=course", undefined, { cookie: "" });
    const anonymousText = await anonymous.text();
    for (const foreign of [otherNamespace, watcherNamespace, "secret", "mine"]) expect(anonymousText).not.toContain(foreign);
    const forged = await sandbox
      .learner()
      .withCookie(`${other.cookie.split("=")[0]}=${otherNamespace}.forged`)
      .request("GET", "/api/live?cluster=course");
    // A cookie the server did not sign makes a new learner, with nothing of anyone's.
    const forgedText = await forged.text();
    for (const foreign of [otherNamespace, "secret", "spies"]) expect(forgedText).not.toContain(foreign);
  });

  it("streams the learner's own names only, over server-sent events", async () => {
    const response = await watcher.request("GET", "/api/live?cluster=course", undefined, { accept: "text/event-stream" });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    let text = "";
    const decoder = new TextDecoder();
    while (!text.includes('"name":"mine"')) text += decoder.decode((await reader.read()).value, { stream: true });
    await reader.cancel();
    expect(text).toContain('"name":"mine"');
    for (const foreign of [otherNamespace, "secret", "spies"]) expect(text).not.toContain(foreign);
  });
});
