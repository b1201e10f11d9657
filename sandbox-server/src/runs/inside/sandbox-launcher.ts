// The first script every Node program's process runs. Processes are started before anyone presses Run
// (the warm pool), so this loads what every program needs, then waits on stdin for its run: one JSON line
// with the run's environment, sent once the learner's compiled program is in /sandbox/run/main.mjs (or,
// without a sandbox, where its first argument says). Nothing learner-specific is in the process until
// then, and each process serves one run only.
import { closeSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { quietIdleRequestQueues } from "./kafkajs-idle-queues.ts";
import { LOADED_FD, LOADED_FD_VARIABLE, SANDBOX } from "./sandbox-paths.ts";

const PROGRAM = process.argv[2] ?? SANDBOX.program;

// The program's own `import "kafkajs"` resolves to this same file, so it finds kafkajs loaded.
const requireFromProgram = createRequire(PROGRAM);
const kafkajs = requireFromProgram("kafkajs") as typeof import("kafkajs");
// Idle connections no longer spin (see kafkajs-idle-queues.ts).
quietIdleRequestQueues(requireFromProgram);

// Stop: the server sends SIGTERM, then SIGKILL after a grace. In the grace the program's consumers leave
// their groups, so the learner's next run joins at once instead of waiting for the broker to time the old
// member out: what the program's own `consumer.disconnect()` would do.
const LEAVE_MS = 3000;
const consumers = new Set<ReturnType<InstanceType<typeof kafkajs.Kafka>["consumer"]>>();
const makeConsumer = kafkajs.Kafka.prototype.consumer;
kafkajs.Kafka.prototype.consumer = function (this: InstanceType<typeof kafkajs.Kafka>, config) {
  // A consumer leaves only once its fetch returns, and an idle fetch waits 5 s by default: 1 s unless the
  // program says otherwise, so a Stop is quick.
  const consumer = makeConsumer.call(this, { maxWaitTimeInMs: 1000, ...config });
  consumers.add(consumer);
  return consumer;
};
// A program that listens for SIGTERM itself decides what a stop means, as Node leaves it to decide.
process.on("SIGTERM", function stop() {
  if (process.listenerCount("SIGTERM") > 1) return;
  process.off("SIGTERM", stop);
  const leaving = Promise.allSettled([...consumers].map((consumer) => consumer.disconnect()));
  void Promise.race([leaving, new Promise((resolve) => setTimeout(resolve, LEAVE_MS))]).then(() => process.exit(143));
});

// Loaded: the server may start the next process it keeps ready.
if (process.env[LOADED_FD_VARIABLE] === String(LOADED_FD)) {
  delete process.env[LOADED_FD_VARIABLE];
  try {
    writeSync(LOADED_FD, "1");
    closeSync(LOADED_FD);
  } catch {
    // Not a pipe anyone reads: nothing waits for the word.
  }
}

const message = await new Promise<string | undefined>((resolve) => {
  let received = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk: string) => {
    received += chunk;
    const end = received.indexOf("\n");
    if (end >= 0) resolve(received.slice(0, end));
  });
  process.stdin.once("end", () => resolve(undefined));
});
process.stdin.destroy();
// The server let this sandbox go unused (it is shutting down).
if (message === undefined) process.exit(0);

const { env } = JSON.parse(message) as { env: Record<string, string> };
Object.assign(process.env, env);
await import(PROGRAM);
