// What a Python program says when it could not reach Kafka: one line from the launcher, in the course's words,
// never kafka-python's traceback; a program's own errors keep their traceback. Stand-ins play the brokers: a
// port where nothing listens is a broker that is down; a socket that answers any bytes is one that is up
// (the launcher asks a broker with a Kafka ApiVersions request and waits for any answer).
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRegistry } from "../../sandbox-server/src/runs/index.ts";
import { pythonRegistry, runPython, type Isolation } from "../support/python-runs.ts";

let stateDir: string;
let answering: net.Server;
/** Registries whose only broker is down, and whose only broker answers. */
const down = {} as Record<Isolation, RunRegistry>;
const up = {} as Record<Isolation, RunRegistry>;

const listen = (server: net.Server) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));

/** A port nobody listens on: taken from the kernel, then let go. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  answering = net.createServer((socket) => socket.on("data", () => socket.write("\0\0\0\0")));
  const [upPort, downPort] = [await listen(answering), await deadPort()];
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-python-outage-"));
  for (const isolation of ["sandbox", "process"] as const) {
    down[isolation] = await pythonRegistry(isolation, path.join(stateDir, `${isolation}-down`), [`127.0.0.1:${downPort}`]);
    up[isolation] = await pythonRegistry(isolation, path.join(stateDir, `${isolation}-up`), [`127.0.0.1:${upPort}`]);
  }
});

afterAll(async () => {
  for (const registry of [...Object.values(down), ...Object.values(up)]) await registry.stopAll();
  answering?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

const UNREACHABLE =
  /^Kafka could not be reached: no broker answers \((.+)\)\. Check that Kafka runs \(`npm run kafka -- status`\), then run your program again\.\n$/;

describe.each([
  ["in the OS sandbox", "sandbox"],
  ["without the OS sandbox", "process"],
] as const)("a Python program that loses Kafka, %s", (_, isolation) => {
  it("ends with one line saying Kafka could not be reached when kafka-python cannot bootstrap, not its traceback", async () => {
    const code = "import tributary\nfrom kafka import KafkaProducer\n\nKafkaProducer(**tributary.connection, bootstrap_timeout_ms=1500)\n";
    const { stderr, exit } = await runPython(down[isolation], "outage-learner", code);
    expect(exit).toMatchObject({ reason: "kafka-unavailable", code: 1 });
    expect(stderr).toMatch(UNREACHABLE);
    expect(UNREACHABLE.exec(stderr)?.[1]).toMatch(/^KafkaTimeoutError: Unable to bootstrap from \['127\.0\.0\.1:\d+'\]$/);
  });

  it("says the same of a lost connection when no broker answers", async () => {
    const code = 'from kafka.errors import KafkaConnectionError\n\nraise KafkaConnectionError("Connection to node 1 lost")\n';
    const { stderr } = await runPython(down[isolation], "outage-learner", code);
    expect(stderr).toMatch(UNREACHABLE);
  });

  it("says a broker stopped answering when the connection was lost but a broker answers now", async () => {
    const code = 'from kafka.errors import RequestTimedOutError\n\nraise RequestTimedOutError("while the leader moved")\n';
    const { stderr, exit } = await runPython(up[isolation], "outage-learner", code);
    expect(exit).toMatchObject({ reason: "kafka-unavailable", code: 1 });
    expect(stderr).toBe(
      "Kafka could not be reached: a broker stopped answering while your program ran ([Error 7] RequestTimedOutError: while the leader moved). " +
        "1 of 1 answer now, and take over its partitions within seconds: run your program again.\n",
    );
  });

  it("keeps the traceback of a timeout while Kafka answers: a topic it refused looks the same", async () => {
    const code = 'from kafka.errors import KafkaTimeoutError\n\nraise KafkaTimeoutError("Failed to update metadata after 60.0 secs.")\n';
    const { stderr } = await runPython(up[isolation], "outage-learner", code);
    expect(stderr).toBe(
      'Traceback (most recent call last):\n  File "main.py", line 3, in <module>\n    raise KafkaTimeoutError("Failed to update metadata after 60.0 secs.")\n' +
        "kafka.errors.KafkaTimeoutError: KafkaTimeoutError: Failed to update metadata after 60.0 secs.\n",
    );
  });

  it("keeps the traceback of the program's own error, even one raised from a Kafka error", async () => {
    const code =
      'from kafka.errors import KafkaConnectionError\n\ntry:\n    raise KafkaConnectionError("lost")\nexcept KafkaConnectionError as error:\n    raise RuntimeError("could not send the order") from error\n';
    const { stderr } = await runPython(down[isolation], "outage-learner", code);
    expect(stderr).toMatch(/^Traceback \(most recent call last\):\n {2}File "main.py", line 4, in <module>\n/);
    expect(stderr).toMatch(
      / {2}File "main.py", line 6, in <module>\n {4}raise RuntimeError\("could not send the order"\) from error\nRuntimeError: could not send the order\n$/,
    );
  });

  it("says Kafka could not be reached, in one line, when a thread of the program loses it", async () => {
    const code =
      'import threading\nfrom kafka.errors import NodeNotReadyError\n\ndef send():\n    raise NodeNotReadyError("node 1")\n\nworker = threading.Thread(target=send, name="sender")\nworker.start()\nworker.join()\nprint("main went on")\n';
    const { stderr, stdout } = await runPython(down[isolation], "outage-learner", code);
    expect(stdout).toBe("main went on\n");
    expect(stderr).toMatch(/^Exception in thread sender:\nKafka could not be reached: no broker answers \(NodeNotReadyError: node 1\)\. [^\n]+\n$/);
  });
});
