// The only way out of a sandbox: one Unix socket per Kafka broker, bound into every sandbox read-only.
// Each connection to a socket is piped to that broker's TCP port on the host, and nowhere else.
//
// kafkajs moves on to another broker only when a connection is refused. A broker that is down must
// therefore look down inside the sandbox too: the bridge marks it with `<port>.down` in the socket
// folder, and the forwarder in each sandbox stops listening on that port until the mark is gone.
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { log } from "../../log.ts";
import { downMarkName } from "../inside/sandbox-paths.ts";
import { createdTopicsGate } from "./created-topics-gate.ts";

export interface KafkaBridge {
  /** The folder holding `<port>.sock` for every broker; bind it into sandboxes at KAFKA_SOCKET_DIR. */
  dir: string;
  /** Broker client ports, in bootstrap order. */
  ports: number[];
  /** Whether each broker took the bridge's last connection, in bootstrap order. */
  brokersUp(): boolean[];
  close(): Promise<void>;
}

/** Resolves once the broker at `address` ("host:port") lists every topic in `topics`, or gives up waiting. */
export type TopicsListed = (address: string, topics: string[]) => Promise<void>;

/** How often the bridge asks a broker that is down whether it is back. */
const RECHECK_MS = 500;

function parseLoopback(address: string): { host: string; port: number } {
  const match = /^(127\.\d+\.\d+\.\d+|localhost):(\d+)$/.exec(address.trim());
  if (!match) {
    throw new Error(
      `Sandboxed runs reach Kafka through loopback bridges, but the broker address "${address}" is not on 127.0.0.1. ` +
        "Run Kafka on this machine, or set TRIBUTARY_ISOLATION=process to run learners' programs without the sandbox.",
    );
  }
  const port = Number(match[2]);
  if (port < 1024) {
    throw new Error(
      `Sandboxed programs run unprivileged and cannot listen on port ${port} for the broker "${address}"; run Kafka on a port from 1024 up.`,
    );
  }
  return { host: match[1] === "localhost" ? "127.0.0.1" : match[1]!, port };
}

function brokerAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
  });
}

/** One broker's state as the bridge sees it: up until a connection is refused, then down until it answers. */
class BrokerLink {
  up = true;
  #timer?: NodeJS.Timeout;
  #closed = false;
  readonly #mark: string;
  readonly host: string;
  readonly port: number;

  constructor(dir: string, host: string, port: number) {
    this.host = host;
    this.port = port;
    this.#mark = path.join(dir, downMarkName(port));
  }

  /** A connection to the broker failed before it was established: mark it down and watch for its return. */
  async refused(): Promise<void> {
    if (!this.up || this.#closed) return;
    this.up = false;
    await writeFile(this.#mark, "", { mode: 0o644 }).catch(() => {});
    this.#watch();
  }

  #watch(): void {
    this.#timer = setTimeout(async () => {
      if (this.#closed) return;
      if (await brokerAnswers(this.host, this.port)) {
        this.up = true;
        await rm(this.#mark, { force: true });
      } else {
        this.#watch();
      }
    }, RECHECK_MS);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}

/**
 * Opens one Unix socket per broker in `dir`; every connection is piped to the broker. With `topicsListed`,
 * a broker's answer to CreateTopics reaches the program only once that broker lists the topics (see
 * created-topics-gate.ts).
 */
export async function startKafkaBridge(dir: string, bootstrap: string[], topicsListed?: TopicsListed): Promise<KafkaBridge> {
  const brokers = bootstrap.map(parseLoopback);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  const links = brokers.map(({ host, port }) => new BrokerLink(dir, host, port));
  // A broker already down when the server starts is marked before the first sandbox looks.
  await Promise.all(links.map(async (link) => (await brokerAnswers(link.host, link.port)) || link.refused()));
  const servers = await Promise.all(
    links.map(async (link) => {
      const server = net.createServer((inside) => {
        const broker = net.connect(link.port, link.host);
        let established = false;
        broker.once("connect", () => (established = true));
        const gate = topicsListed && createdTopicsGate((topics) => topicsListed(`${link.host}:${link.port}`, topics));
        if (gate) {
          inside.pipe(gate.requests).pipe(broker);
          broker.pipe(gate.responses).pipe(inside);
        } else {
          inside.pipe(broker).pipe(inside);
        }
        // Either side going away ends both; errors are the learner's program or the broker going away.
        const end = () => (inside.destroy(), broker.destroy(), gate?.requests.destroy(), gate?.responses.destroy());
        inside.once("error", end).once("close", end);
        gate?.requests.once("error", end);
        gate?.responses.once("error", end);
        broker
          .once("error", (error: NodeJS.ErrnoException) => {
            if (!established) {
              // Said once per outage: the link is down until the broker answers again.
              if (link.up)
                log.warn({ broker: `${link.host}:${link.port}`, code: error.code }, "a broker refused the Kafka bridge's connection; marked down");
              void link.refused();
            }
            end();
          })
          // An answer the gate holds still reaches the program: the gate ends the program's side once it has passed it on.
          .once("close", () => (gate && !broker.errored ? gate.responses.end() : end()));
      });
      const socketPath = path.join(dir, `${link.port}.sock`);
      await new Promise<void>((resolve, reject) => server.once("error", reject).listen(socketPath, resolve));
      // Sandboxed programs run as an unprivileged user.
      await chmod(socketPath, 0o666);
      return server;
    }),
  );
  return {
    dir,
    ports: brokers.map((b) => b.port),
    brokersUp: () => links.map((link) => link.up),
    close: async () => {
      for (const link of links) link.close();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
