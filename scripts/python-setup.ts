// npm run python:setup — installs kafka-python (pinned in sandbox-server/src/runs/languages/python/requirements.txt)
// into .tributary/python/ for learners' Python programs. The server does the same on its first start;
// this lets a host do it ahead of time, or check that it works.
import { ensurePythonRuntime, PYTHON_HOME } from "../sandbox-server/src/runs/languages/python/packages.ts";
import { progressPrinter } from "./lib/progress.ts";

const runtime = await ensurePythonRuntime(PYTHON_HOME, progressPrinter("python"));
if (typeof runtime === "string") {
  console.error(runtime);
  process.exit(1);
}
console.log(`Python programs run on ${runtime.interpreter} with kafka-python from ${runtime.packagesDir}.`);
