// The first script every Node program's process runs. Processes are started before anyone presses Run
// (the warm pool), so this loads what every program needs, then waits on stdin for its run: one JSON line
// with the run's environment, sent once the learner's compiled program is in /sandbox/run/main.mjs (or,
// without a sandbox, where its first argument says). Nothing learner-specific is in the process until
// then, and each process serves one run only.
import { createRequire } from "node:module";
import { SANDBOX } from "./sandbox-paths.ts";

const PROGRAM = process.argv[2] ?? SANDBOX.program;

// The program's own `import "kafkajs"` resolves to this same file, so it finds kafkajs loaded.
createRequire(PROGRAM)("kafkajs");

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
