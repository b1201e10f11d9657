// The OpenAPI document says what the server does: schemathesis generates requests from the served
// document (valid ones, invalid ones, unknown methods) and checks every status, header and body the
// server answers against it. Installed into .tributary/python-tools by scripts/python-tools.sh.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { RunEventDataSchema } from "../../sandbox-server/src/contract/api.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const execFileAsync = promisify(execFile);
const root = loadConfig().projectRoot;
const kafka = inject("kafkaAccess");
let sandbox: TestServer;
let reportDir: string;

beforeAll(async () => {
  await execFileAsync("bash", [path.join(root, "scripts/python-tools.sh")], { timeout: 600_000 });
  // Programs the fuzzer starts end at once: most do not compile, the rest print nothing. It starts no lab cluster:
  // the lab routes answer as on a server that offers none.
  sandbox = await startTestServer(kafka, { env: { TRIBUTARY_WARM_SANDBOXES: "0", TRIBUTARY_RUN_WALL_SECONDS: "5", TRIBUTARY_LABS: "0" } });
  reportDir = await mkdtemp(path.join(os.tmpdir(), "tributary-schemathesis-"));
}, 660_000);

afterAll(async () => {
  await sandbox?.close();
  if (reportDir) await rm(reportDir, { recursive: true, force: true });
});

describe("the OpenAPI document", () => {
  it("matches every status and body the server answers to requests generated from it", { timeout: 240_000 }, async () => {
    const schemathesis = path.join(root, ".tributary", "python-tools", "bin", "schemathesis");
    const junit = path.join(reportDir, "junit.xml");
    const result = await execFileAsync(
      schemathesis,
      [
        "run",
        `${sandbox.server.url}/api/openapi.json`,
        "--checks",
        "all",
        // Resource checks need links between operations, which this document does not declare.
        "--exclude-checks",
        "use_after_free,ensure_resource_availability,ignored_auth,object_level_authorization",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "25",
        "--seed",
        "1",
        "--workers",
        "1",
        "--request-timeout",
        "20",
        // A budget for the fuzzing phase: the examples and coverage phases run whole.
        "--max-time",
        "45",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        junit,
      ],
      // Run in the report folder: schemathesis keeps a cache of what it found in its working directory.
      { cwd: reportDir, timeout: 200_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, SCHEMATHESIS_HOOKS: "" } },
    ).catch((error: { stdout?: string; stderr?: string; code?: number }) => error);
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
    expect("code" in result ? result.code : 0, output).toBe(0);
    // It really ran: every operation was tested.
    const report = await readFile(junit, "utf8");
    for (const operation of [
      "GET /api/health",
      "POST /api/runs",
      "GET /api/runs/{id}/events",
      "DELETE /api/runs/{id}",
      "POST /api/exercises/{id}/grade",
    ]) {
      expect(report).toContain(operation);
    }
  });

  it("describes the data of every event a run streams", async () => {
    const learner = sandbox.learner();
    const run = await learner.run("first-producer", 'console.log("one"); console.error("two"); process.exit(3);');
    expect(run.events.map((event) => event.type)).toEqual(["stdout", "stderr", "exit"]);
    for (const { type: _type, ...data } of run.events) expect(RunEventDataSchema.safeParse(data).success, JSON.stringify(data)).toBe(true);
  });

  it("answers 405 with the allowed methods to a method a known path does not take", async () => {
    const response = await fetch(`${sandbox.server.url}/api/health`, { method: "PUT" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    expect(await response.json()).toMatchObject({ error: { code: "method_not_allowed" } });
    expect((await fetch(`${sandbox.server.url}/api/nowhere`, { method: "PUT" })).status).toBe(404);
  });
});
