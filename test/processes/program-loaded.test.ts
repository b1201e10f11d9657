// A program's process says when its launcher has loaded what every program needs, before its run begins: the
// server starts the processes it keeps for readers a few at a time by it. In the real sandbox, for each language
// with a launcher; and the word's variable is gone by the time the learner's program runs.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { PythonLanguageRuntime, TypeScriptRuntime } from "../../sandbox-server/src/runs/index.ts";
import type { LanguageRuntime } from "../../sandbox-server/src/runs/languages/language-runtime.ts";
import { setUpProgramHost, type ProgramHost } from "../../sandbox-server/src/runs/process/program-host.ts";
import { startProgramProcess } from "../../sandbox-server/src/runs/process/start-program.ts";

let stateDir: string;
let host: ProgramHost;
const config = () => loadConfig({ TRIBUTARY_STATE_DIR: stateDir });

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-loaded-"));
  host = await setUpProgramHost(config().runs, ["127.0.0.1:39999"]);
});

afterAll(async () => {
  await host?.close();
  await rm(stateDir, { recursive: true, force: true });
});

const programs: [string, () => LanguageRuntime, string, string][] = [
  [
    "TypeScript",
    () => new TypeScriptRuntime(0),
    "main.mjs",
    'console.log(Object.keys(process.env).filter((name) => name.startsWith("TRIBUTARY")).join(",") || "none");',
  ],
  [
    "Python",
    () => new PythonLanguageRuntime(0),
    "main.py",
    'import os\nprint(",".join(n for n in os.environ if n.startswith("TRIBUTARY")) or "none")\n',
  ],
];

describe.each(programs)("a %s process", (_language, makeRuntime, entry, program) => {
  it("says it has loaded while it waits for its run, and its program sees no trace of the word", async () => {
    const runtime = makeRuntime();
    const unavailable = await runtime.setUp(host);
    expect(unavailable).toBeUndefined();
    const proc = await startProgramProcess(host, runtime, randomUUID(), { ...config().runs.limits, ...runtime.limits });
    let ended = false;
    void proc.closed.then(() => (ended = true));
    await proc.loaded;
    // Loaded, not ended: it waits for its run.
    expect(ended).toBe(false);
    expect(proc.alive).toBe(true);

    const output: string[] = [];
    proc.onOutput(({ data }) => output.push(data));
    await writeFile(path.join(proc.dir, entry), program, { mode: 0o644 });
    proc.launch({ KAFKA_NAMESPACE: "loaded-" });
    expect(await proc.closed).toMatchObject({ code: 0 });
    expect(output.join("")).toBe("none\n");
  });
});
