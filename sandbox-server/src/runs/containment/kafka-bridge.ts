// The only way out of a sandbox: one Unix socket per Kafka broker, bound into every sandbox read-only.
// Each connection to a socket is piped to that broker's TCP port on the host, and nowhere else.
import { chmod, mkdir, rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

export interface KafkaBridge {
  /** The folder holding `<port>.sock` for every broker; bind it into sandboxes at KAFKA_SOCKET_DIR. */
  dir: string;
  /** Broker client ports, in bootstrap order. */
  ports: number[];
  close(): Promise<void>;
}

/** Where sandboxes find the broker sockets. */
export const KAFKA_SOCKET_DIR = "/run/kafka";

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
    throw new Error(`Sandboxed programs run unprivileged and cannot listen on port ${port} for the broker "${address}"; run Kafka on a port from 1024 up.`);
  }
  return { host: match[1] === "localhost" ? "127.0.0.1" : match[1]!, port };
}

/** Opens one Unix socket per broker in `dir`; every connection is piped to the broker. */
export async function startKafkaBridge(dir: string, bootstrap: string[]): Promise<KafkaBridge> {
  const brokers = bootstrap.map(parseLoopback);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  const servers = await Promise.all(
    brokers.map(async ({ host, port }) => {
      const server = net.createServer((inside) => {
        const broker = net.connect(port, host);
        inside.pipe(broker).pipe(inside);
        // Either side going away ends both; errors are the learner's program or the broker going away.
        const end = () => (inside.destroy(), broker.destroy());
        inside.once("error", end).once("close", end);
        broker.once("error", end).once("close", end);
      });
      const socketPath = path.join(dir, `${port}.sock`);
      await new Promise<void>((resolve, reject) => server.once("error", reject).listen(socketPath, resolve));
      // Sandboxed programs run as an unprivileged user.
      await chmod(socketPath, 0o666);
      return server;
    }),
  );
  return {
    dir,
    ports: brokers.map((b) => b.port),
    close: async () => {
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
