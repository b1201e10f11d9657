// Kafka answers CreateTopics once the controller has the new topics, and tells the brokers a moment later:
// until then, the broker that took the request answers "unknown topic" for them. kafkajs asks that very broker
// for the new leaders straight away (`waitForLeaders`), takes "unknown topic" as final, and the learner's
// program dies on a topic it has just made, the more often the busier the machine. So the bridge holds a
// CreateTopics answer until that broker lists every topic it created, whichever language's client asked.
//
// Everything else passes untouched: the gate reads only the first bytes of each frame (a 4-byte size, then
// the request's api key, version and correlation id, or the response's correlation id), and whole frames
// only of CreateTopics.
import { Transform, type TransformCallback } from "node:stream";
import {
  createTopicsV0,
  createTopicsV1,
  createTopicsV2,
  createTopicsV3,
  createTopicsV4,
  createTopicsV5,
  createTopicsV6,
  createTopicsV7,
  Reader,
  ResponseError,
} from "@platformatic/kafka";

/** Resolves once the broker lists the topics (or gives up waiting): only then is the answer passed on. */
export type UntilListed = (topics: string[]) => Promise<void>;

const CREATE_TOPICS = 19;
/** CreateTopics versions from 5 up use compact strings, compact arrays and tagged fields. */
const FIRST_FLEXIBLE = 5;
/** Larger CreateTopics requests are passed on unread: no learner's request comes near it. */
const MAX_READ_REQUEST = 1024 * 1024;
const RESPONSE_PARSERS = [
  createTopicsV0,
  createTopicsV1,
  createTopicsV2,
  createTopicsV3,
  createTopicsV4,
  createTopicsV5,
  createTopicsV6,
  createTopicsV7,
];

interface CreateRequest {
  version: number;
  /** Asked only whether the topics could be made: nothing will be listed. */
  validateOnly: boolean;
}

/** Reads a CreateTopics request frame (size included) far enough to know its version and whether it only validates. */
export function readCreateTopicsRequest(frame: Buffer): CreateRequest & { correlationId: number } {
  const reader = Reader.from(frame.subarray(4));
  reader.readInt16();
  const version = reader.readInt16();
  const correlationId = reader.readInt32();
  reader.readNullableString(false);
  const flexible = version >= FIRST_FLEXIBLE;
  if (flexible) reader.readTaggedFields();
  reader.readArray(
    (topic) => {
      topic.readString(flexible);
      topic.readInt32();
      topic.readInt16();
      topic.readArray(
        (assignment) => (assignment.readInt32(), assignment.readArray((broker) => broker.readInt32(), flexible, false)),
        flexible,
        flexible,
      );
      topic.readArray((config) => (config.readString(flexible), config.readNullableString(flexible)), flexible, flexible);
    },
    flexible,
    flexible,
  );
  reader.readInt32();
  const validateOnly = version >= 1 && reader.readBoolean();
  return { correlationId, version, validateOnly };
}

/** The topics a CreateTopics response frame (size included) says were created; none if it cannot be read. */
export function createdTopics(frame: Buffer, version: number): string[] {
  const parser = RESPONSE_PARSERS[version];
  if (!parser) return [];
  const reader = Reader.from(frame.subarray(8));
  let response: ReturnType<typeof createTopicsV0.parseResponse>;
  try {
    if (version >= FIRST_FLEXIBLE) reader.readTaggedFields();
    response = parser.parseResponse(frame.readInt32BE(4), CREATE_TOPICS, version, reader);
  } catch (error) {
    // Some topics refused (they exist, a policy said no): the response still names those created.
    if (!(error instanceof ResponseError)) return [];
    response = (error as ResponseError & { response: typeof response }).response;
  }
  return response.topics.filter((topic) => topic.errorCode === 0).map((topic) => topic.name);
}

/** A piece of the stream: bytes to pass on as they are, or a whole frame that was asked for. */
type Piece = { pass: Buffer } | { frame: Buffer };

/**
 * Follows a byte stream frame by frame, handing each frame's first `headBytes` (size included) to `wantWhole`,
 * which says whether the frame is wanted whole. Cuts the stream into pieces in order: bytes of frames not
 * wanted, passed on as they come (a frame's head once it is read), and wanted frames once whole. Short frames
 * (the SASL tokens of the oldest handshake) have no header and pass.
 */
class FrameFollower {
  #head = Buffer.alloc(0);
  #passing = 0;
  #whole?: { parts: Buffer[]; missing: number };
  readonly headBytes: number;
  readonly wantWhole: (head: Buffer) => boolean;

  constructor(headBytes: number, wantWhole: (head: Buffer) => boolean) {
    this.headBytes = headBytes;
    this.wantWhole = wantWhole;
  }

  *follow(chunk: Buffer): Generator<Piece> {
    let at = 0;
    while (at < chunk.length) {
      if (this.#passing > 0) {
        const n = Math.min(this.#passing, chunk.length - at);
        yield { pass: chunk.subarray(at, at + n) };
        this.#passing -= n;
        at += n;
        continue;
      }
      if (this.#whole) {
        const n = Math.min(this.#whole.missing, chunk.length - at);
        this.#whole.parts.push(chunk.subarray(at, at + n));
        this.#whole.missing -= n;
        at += n;
        if (this.#whole.missing === 0) {
          yield { frame: Buffer.concat(this.#whole.parts) };
          this.#whole = undefined;
        }
        continue;
      }
      const wanted = this.#head.length < 4 ? 4 : this.headBytes;
      const n = Math.min(wanted - this.#head.length, chunk.length - at);
      this.#head = Buffer.concat([this.#head, chunk.subarray(at, at + n)]);
      at += n;
      if (this.#head.length < wanted) continue;
      const head = this.#head;
      this.#head = Buffer.alloc(0);
      const rest = head.readInt32BE(0) + 4 - head.length;
      if (head.length < this.headBytes && rest < this.headBytes - head.length) {
        // Too short to have a header.
        yield { pass: head };
        this.#passing = rest;
      } else if (head.length < this.headBytes) {
        this.#head = head;
      } else if (this.wantWhole(head)) {
        if (rest === 0) yield { frame: head };
        else this.#whole = { parts: [head], missing: rest };
      } else {
        yield { pass: head };
        this.#passing = rest;
      }
    }
  }
}

/**
 * The two halves of one connection's gate: `requests` (learner to broker) notes what CreateTopics asked and
 * passes every byte on at once; `responses` (broker to learner) holds a CreateTopics answer, and what comes
 * after it, until `untilListed` resolves for the topics it created.
 */
export function createdTopicsGate(untilListed: UntilListed): { requests: Transform; responses: Transform } {
  const asked = new Map<number, CreateRequest>();
  const requestFrames = new FrameFollower(12, (head) => head.readInt16BE(4) === CREATE_TOPICS && head.readInt32BE(0) <= MAX_READ_REQUEST);
  const requests = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      for (const piece of requestFrames.follow(chunk)) {
        if (!("frame" in piece)) continue;
        try {
          const { correlationId, ...request } = readCreateTopicsRequest(piece.frame);
          asked.set(correlationId, request);
        } catch {
          // Not a request the gate can read: the broker will say so.
        }
      }
      done(null, chunk);
    },
  });
  const responseFrames = new FrameFollower(8, (head) => asked.has(head.readInt32BE(4)));
  const responses = new Transform({
    async transform(chunk: Buffer, _encoding, done: TransformCallback) {
      try {
        for (const piece of responseFrames.follow(chunk)) {
          if ("pass" in piece) {
            this.push(piece.pass);
            continue;
          }
          const correlationId = piece.frame.readInt32BE(4);
          const request = asked.get(correlationId)!;
          asked.delete(correlationId);
          const topics = request.validateOnly ? [] : createdTopics(piece.frame, request.version);
          if (topics.length) await untilListed(topics);
          this.push(piece.frame);
        }
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  return { requests, responses };
}
