// When Kafka goes away, kafkajs writes a JSON error line for every retry of every connection: dozens of
// lines that bury what happened. The first such line reaches the learner, rewritten as one readable
// line; the rest of the same kind are folded into it. Every other line passes through untouched.

/** kafkajs's words for a connection that failed or was lost. */
const CONNECTION_TROUBLE =
  /Connection error|Connection timeout|ECONNREFUSED|ECONNRESET|EPIPE|Closed connection|Connection closed|Failed to connect|Broker not connected|socket hang up|Request .* timed out|KafkaJSConnectionError|KafkaJSNumberOfRetriesExceeded|There is no leader|not (the )?leader|Crash: KafkaJS/;

const KAFKAJS_LINE = /^\{"level":"(ERROR|WARN)".*"logger":"kafkajs"/;

/** Folds kafkajs's connection errors in a program's stderr into one line. */
export class KafkaNoiseFolder {
  #partial = "";
  #folded = 0;

  /** How many lines were folded away so far. */
  get folded(): number {
    return this.#folded;
  }

  /** Takes a chunk of stderr; returns what the learner should see of it (possibly nothing). */
  fold(chunk: string): string {
    const text = this.#partial + chunk;
    const lines = text.split("\n");
    const last = lines.pop()!;
    // A kafkajs line cut in two by the pipe waits for its end; anything else is shown at once.
    this.#partial = KAFKAJS_LINE.test(last) || (last.startsWith("{") && last.length < 16) ? last : "";
    const shown = lines.map((line) => this.#line(line)).filter((line) => line !== undefined);
    const tail = this.#partial ? "" : last;
    return shown.map((line) => `${line}\n`).join("") + tail;
  }

  /** What is left at the program's end (an unfinished line). */
  flush(): string {
    const rest = this.#partial;
    this.#partial = "";
    return rest;
  }

  #line(line: string): string | undefined {
    if (!KAFKAJS_LINE.test(line)) return line;
    let entry: { message?: string; error?: string; broker?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return line;
    }
    const message = [entry.message, entry.error].filter(Boolean).join(": ");
    if (!CONNECTION_TROUBLE.test(message)) return line;
    if (this.#folded++ > 0) return undefined;
    return `kafkajs: ${message}${entry.broker ? ` (broker ${entry.broker})` : ""}. Further connection errors are folded into this line.`;
  }
}
