// Starts a crowd of plain processes at once, as a shell would: from a process of its own, small enough
// that starting each child costs about 2 ms (Node forks its whole process for every child). Every
// process's time is counted from the moment the crowd started, as every learner's is from when all pressed
// Run. Usage: node plain-crowd.mjs <count> <namespace prefix> <command> [args...]; the environment is passed
// on, with KAFKA_NAMESPACE set to the prefix, 10 random hex digits and "-" for each process.
// Prints one JSON line: [{ exitMs, code }, ...].
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";

const [count, prefix, command, ...args] = process.argv.slice(2);
const started = performance.now();
const results = await Promise.all(
  Array.from(
    { length: Number(count) },
    () =>
      new Promise((resolve) => {
        const env = { ...process.env, KAFKA_NAMESPACE: `${prefix}${randomBytes(5).toString("hex")}-` };
        const child = spawn(command, args, { env, stdio: ["ignore", "ignore", "ignore"] });
        child.once("error", () => resolve({ exitMs: performance.now() - started, code: -1 }));
        child.once("close", (code) => resolve({ exitMs: performance.now() - started, code }));
      }),
  ),
);
process.stdout.write(`${JSON.stringify(results)}\n`);
