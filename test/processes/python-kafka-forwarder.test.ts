// The Python launcher's Kafka forwarder honours the bridge's `<port>.down` marks as the Node one does: while a
// broker is down its port inside the sandbox is not listened on, so kafka-python sees a refused connection
// (and moves to another broker) instead of a connection that opens and dies; when the broker is back, so is
// the port. A stand-in broker goes away and comes back on the same port while a sandboxed program asks it.
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunRegistry } from "../../sandbox-server/src/runs/index.ts";
import { pythonRegistry, runPython } from "../support/python-runs.ts";

let stateDir: string;
let registry: RunRegistry;
let broker: net.Server;
let brokerPort: number;

const startBroker = (port = 0) =>
  new Promise<number>((resolve, reject) => {
    broker = net.createServer((socket) => socket.on("data", () => socket.write("pong")));
    broker.once("error", reject).listen(port, "127.0.0.1", () => resolve((broker.address() as net.AddressInfo).port));
  });

beforeAll(async () => {
  brokerPort = await startBroker();
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-python-forwarder-"));
  registry = await pythonRegistry("sandbox", stateDir, [`127.0.0.1:${brokerPort}`]);
});

afterAll(async () => {
  await registry?.stopAll();
  broker?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

/** Asks the broker's address over and over for 20 s at most; prints each change: pong, closed (opened, then dropped) or refused. */
const asker = (port: number) => `import socket, time
def ask():
    try:
        connection = socket.create_connection(("127.0.0.1", ${port}), timeout=2)
    except ConnectionRefusedError:
        return "refused"
    try:
        connection.sendall(b"ping")
        return "pong" if connection.recv(4) == b"pong" else "closed"
    except OSError:
        return "closed"
    finally:
        connection.close()
seen = []
deadline = time.monotonic() + 20
while seen[-2:] != ["refused", "pong"] and time.monotonic() < deadline:
    answer = ask()
    if not seen or seen[-1] != answer:
        seen.append(answer)
        print(answer, flush=True)
    time.sleep(0.05)
`;

it("refuses connections to a broker while it is down, and accepts them again once it is back", { timeout: 60_000 }, async () => {
  let phase: "up" | "down" | "back" = "up";
  const { stdout, stderr, exit } = await runPython(registry, "forwarder-learner", asker(brokerPort), {
    wallTimeMs: 30_000,
    onStdout: (soFar) => {
      if (phase === "up" && soFar.startsWith("pong\n")) {
        phase = "down";
        broker.close();
      } else if (phase === "down" && soFar.includes("refused\n")) {
        phase = "back";
        void startBroker(brokerPort);
      }
    },
  });
  expect(exit, stderr).toMatchObject({ reason: "exited", code: 0 });
  // The first connection after the broker went away may open and die: that is how the bridge learns it is down.
  expect(stdout.replace("closed\n", "")).toBe("pong\nrefused\npong\n");
});
