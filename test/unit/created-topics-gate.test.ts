// The gate the Kafka bridge puts on each connection (runs/containment/created-topics-gate.ts), fed frames as
// kafkajs (CreateTopics v3) and kafka-python or Java (v7, compact and tagged) send them, cut into chunks at
// every place: it must pass every byte unchanged and in order, hold a CreateTopics answer until the topics it
// created are listed, and wait for nothing else.
import type { Transform } from "node:stream";
import { createTopicsV3, createTopicsV7, Writer } from "@platformatic/kafka";
import { describe, expect, it } from "vitest";
import { createdTopics, createdTopicsGate, readCreateTopicsRequest } from "../../sandbox-server/src/runs/containment/created-topics-gate.ts";

const topic = (name: string) => ({
  name,
  numPartitions: 3,
  replicationFactor: 1,
  assignments: [],
  configs: [{ name: "retention.ms", value: "60000" }],
});

/** A request frame: size, header (v2 with tagged fields from version 5), body. */
function requestFrame(version: 3 | 7, correlationId: number, names: string[], validateOnly = false): Buffer {
  const body = (version === 3 ? createTopicsV3 : createTopicsV7).createRequest(names.map(topic), 5000, validateOnly).buffer;
  const header = Writer.create().appendInt16(19).appendInt16(version).appendInt32(correlationId).appendString("learner", false);
  if (version === 7) header.appendTaggedFields();
  return withSize(Buffer.concat([header.buffer, body]));
}

/** A response frame as the broker writes it: each topic created (error 0) or refused (error 36, already exists). */
function responseFrame(version: 3 | 7, correlationId: number, topics: [string, number][]): Buffer {
  const writer = Writer.create().appendInt32(correlationId);
  if (version === 7) writer.appendTaggedFields();
  writer.appendInt32(0);
  if (version === 3) {
    writer.appendArray(topics, (w, [name, error]) => w.appendString(name, false).appendInt16(error).appendString(null, false), false, false);
  } else {
    writer
      .appendArray(topics, (w, [name, error]) =>
        w
          .appendString(name)
          .appendUUID("00000000-0000-0000-0000-000000000001")
          .appendInt16(error)
          .appendString(error ? "exists" : null)
          .appendInt32(3)
          .appendInt16(1)
          .appendArray(null, () => {}),
      )
      .appendTaggedFields();
  }
  return withSize(writer.buffer);
}

/** Another response on the connection (a Metadata answer, say): opaque bytes after a correlation id. */
function otherFrame(correlationId: number, bytes = 40): Buffer {
  const frame = Buffer.alloc(4 + bytes, 7);
  frame.writeInt32BE(correlationId, 0);
  return withSize(frame);
}

function withSize(frame: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(frame.length);
  return Buffer.concat([size, frame]);
}

/** Feeds `bytes` through `stream` in chunks of `chunk` bytes and collects what comes out. */
async function through(stream: Transform, bytes: Buffer, chunk: number): Promise<Buffer> {
  const out: Buffer[] = [];
  stream.on("data", (data: Buffer) => out.push(data));
  for (let at = 0; at < bytes.length; at += chunk) stream.write(bytes.subarray(at, at + chunk));
  stream.end();
  await new Promise((resolve) => stream.once("end", resolve));
  return Buffer.concat(out);
}

describe("reading CreateTopics", () => {
  it.each([3, 7] as const)("reads a v%i request's version and whether it only validates, and the topics its answer created", (version) => {
    expect(readCreateTopicsRequest(requestFrame(version, 42, ["a-orders", "a-payments"], true))).toEqual({
      correlationId: 42,
      version,
      validateOnly: true,
    });
    const answer = responseFrame(version, 42, [
      ["a-orders", 0],
      ["a-payments", 36],
      ["a-refunds", 0],
    ]);
    expect(createdTopics(answer, version)).toEqual(["a-orders", "a-refunds"]);
  });
});

describe("a request that lies about its lengths", () => {
  // Topic 0 is whole; then a name of length -16 would send a trusting reader back into topic 0, for 2^31 topics.
  const rewinding = Buffer.from("000000200013000000000001ffff7fffffff00000000000100010000000000000000fff0", "hex");

  it.each([
    ["a name that runs backwards, with 2^31 topics", rewinding],
    ["more topics than its bytes could hold", Buffer.from("0000000e0013000000000001ffff0fffffff", "hex")],
    ["a client id longer than the frame", Buffer.from("0000000c00130003000000017fff0000", "hex")],
  ])("is refused at once: %s", (_, frame) => {
    const started = performance.now();
    expect(() => readCreateTopicsRequest(frame)).toThrow(RangeError);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("passes through the gate unchanged, and nothing waits for it", async () => {
    const gate = createdTopicsGate(async () => {
      throw new Error("nothing to wait for");
    });
    expect(await through(gate.requests, rewinding, 5)).toEqual(rewinding);
  });
});

describe("a connection's gate", () => {
  it.each([3, 7] as const)("passes v%i traffic byte for byte, holding the CreateTopics answer until its topics are listed", async (version) => {
    for (const chunk of [1, 3, 7, 64, 4096]) {
      const listed: string[][] = [];
      let release!: () => void;
      const gate = createdTopicsGate((topics) => {
        listed.push(topics);
        return new Promise<void>((resolve) => (release = resolve));
      });
      const requests = Buffer.concat([
        requestFrame(version, 1, ["x"]),
        requestFrame(version, 2, ["b-orders", "b-views"]),
        requestFrame(version, 3, ["y"], true),
      ]);
      expect(await through(gate.requests, requests, chunk)).toEqual(requests);

      const before = otherFrame(1);
      const answer = responseFrame(version, 2, [
        ["b-orders", 0],
        ["b-views", 36],
      ]);
      const validated = responseFrame(version, 3, [["y", 0]]);
      const after = otherFrame(9, 300);
      const responses = Buffer.concat([before, answer, validated, after]);
      const out: Buffer[] = [];
      gate.responses.on("data", (data: Buffer) => out.push(data));
      for (let at = 0; at < responses.length; at += chunk) gate.responses.write(responses.subarray(at, at + chunk));
      gate.responses.end();
      // Everything before the answer passes; the answer and what follows wait for the listing.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(Buffer.concat(out)).toEqual(before);
      expect(listed).toEqual([["b-orders"]]);
      release();
      await new Promise((resolve) => gate.responses.once("end", resolve));
      expect(Buffer.concat(out)).toEqual(responses);
      // The validated request's answer was waited for by nobody.
      expect(listed).toHaveLength(1);
    }
  });

  it("lets frames too short for a header (the oldest SASL handshake's tokens) through untouched", async () => {
    const gate = createdTopicsGate(async () => {
      throw new Error("nothing to wait for");
    });
    const tokens = Buffer.concat([withSize(Buffer.alloc(0)), withSize(Buffer.from("ab")), otherFrame(5)]);
    expect(await through(gate.responses, tokens, 1)).toEqual(tokens);
  });
});
