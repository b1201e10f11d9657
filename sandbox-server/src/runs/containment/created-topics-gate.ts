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

/**
 * Reads a learner's bytes, which may say anything: every length and count is checked against what is left, so a
 * frame that lies about them is refused at once instead of walking the server backwards or for ever.
 */
class RequestCursor {
  #at: number;
  readonly #bytes: Buffer;

  constructor(bytes: Buffer, at: number) {
    this.#bytes = bytes;
    this.#at = at;
  }

  #take(n: number): number {
    if (!Number.isInteger(n) || n < 0 || this.#at + n > this.#bytes.length) throw new RangeError("not a request the gate can read");
    const at = this.#at;
    this.#at += n;
    return at;
  }

  int8 = () => this.#bytes.readInt8(this.#take(1));
  int16 = () => this.#bytes.readInt16BE(this.#take(2));
  int32 = () => this.#bytes.readInt32BE(this.#take(4));
  skip = (n: number) => void this.#take(n);

  unsignedVarInt(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.#bytes.readUInt8(this.#take(1));
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new RangeError("not a request the gate can read");
  }

  /** Skips a string (`nullable`: length -1 allowed), in the compact form of flexible versions or the classic one. */
  string(compact: boolean, nullable = false): void {
    const length = compact ? this.unsignedVarInt() - 1 : this.int16();
    if (length === -1 && nullable) return;
    this.skip(length);
  }

  /** An array's entry count, none for a null array; a count the bytes left could not hold is refused. */
  count(compact: boolean, smallestEntry: number): number {
    const count = compact ? this.unsignedVarInt() - 1 : this.int32();
    if (count === -1) return 0;
    if (count < 0 || count * smallestEntry > this.#bytes.length - this.#at) throw new RangeError("not a request the gate can read");
    return count;
  }

  taggedFields(): void {
    for (let fields = this.count(true, 2); fields > 0; fields--) {
      this.unsignedVarInt();
      this.skip(this.unsignedVarInt());
    }
  }
}

/** Reads a CreateTopics request frame (size included) far enough to know its version and whether it only validates. */
export function readCreateTopicsRequest(frame: Buffer): CreateRequest & { correlationId: number } {
  const request = new RequestCursor(frame, 4);
  request.int16();
  const version = request.int16();
  const correlationId = request.int32();
  request.string(false, true);
  const flexible = version >= FIRST_FLEXIBLE;
  if (flexible) request.taggedFields();
  // The smallest topic: empty name, partitions, replication factor, two empty arrays (and no tags).
  for (let topics = request.count(flexible, flexible ? 9 : 16); topics > 0; topics--) {
    request.string(flexible);
    request.int32();
    request.int16();
    for (let assignments = request.count(flexible, flexible ? 6 : 8); assignments > 0; assignments--) {
      request.int32();
      request.skip(4 * request.count(flexible, 4));
      if (flexible) request.taggedFields();
    }
    for (let configs = request.count(flexible, flexible ? 3 : 4); configs > 0; configs--) {
      request.string(flexible);
      request.string(flexible, true);
      if (flexible) request.taggedFields();
    }
    if (flexible) request.taggedFields();
  }
  request.int32();
  const validateOnly = version >= 1 && request.int8() !== 0;
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
