// Runs one exercise's grader module in a worker thread, so the server can stop a grader that
// loops or uses too much CPU time. Receives { file, input }, posts back the checks or the error's text.
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { currentThreadId } from "./thread-cpu.ts";

const { file, input } = workerData as { file: string; input: unknown };
// First, which thread this is, so the server can read the CPU time the grader uses.
parentPort!.postMessage({ thread: currentThreadId() });
try {
  const module = (await import(pathToFileURL(file).href)) as { default?: (input: unknown) => unknown };
  if (typeof module.default !== "function") throw new Error(`${file} has no default export function`);
  parentPort!.postMessage({ checks: await module.default(input) });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error) });
}
