// Hostile programs in the OS sandbox: each is contained, and says so with a clear outcome.
// Needs bubblewrap (Debian: apt-get install bubblewrap), which CI installs.
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { RunRegistry, type RunEvent } from "../../sandbox-server/src/runs/index.ts";

let stateDir: string;
let registry: RunRegistry;
/** Stands in for a broker: answers "pong" to "ping", so a test sees the bridge carry bytes both ways. */
let fakeBroker: net.Server;
/** Stands in for the sandbox server or any other local service a program must not reach. */
let otherService: net.Server;
let brokerPort: number;
let otherPort: number;

const listen = (server: net.Server) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));

beforeAll(async () => {
  fakeBroker = net.createServer((socket) => socket.on("data", (data) => socket.write(data.toString() === "ping" ? "pong" : "?")));
  otherService = net.createServer((socket) => socket.end("secret"));
  brokerPort = await listen(fakeBroker);
  otherPort = await listen(otherService);
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-sandbox-test-"));
  const config = loadConfig({ TRIBUTARY_STATE_DIR: stateDir, TRIBUTARY_ISOLATION: "sandbox", TRIBUTARY_RUN_CPU_SECONDS: "2", TRIBUTARY_MAX_RUNS_PER_LEARNER: "50" });
  registry = new RunRegistry(config.runs, [`127.0.0.1:${brokerPort}`]);
  await registry.prepare();
});

afterAll(async () => {
  await registry?.stopAll();
  fakeBroker?.close();
  otherService?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

async function run(code: string) {
  const learnerRun = await registry.start({ learnerId: "hostile", exerciseId: "test", files: { "main.ts": code } });
  const events: RunEvent[] = [];
  learnerRun.subscribe((event) => events.push(event));
  const exit = await learnerRun.finished;
  const stdout = events.flatMap((e) => (e.type === "stdout" ? [e.data] : [])).join("");
  const stderr = events.flatMap((e) => (e.type === "stderr" ? [e.data] : [])).join("");
  return { exit, stdout, stderr };
}

/** A program that tries `action` and prints what happened: "ok: …" or "refused: <code>". */
const attempt = (action: string) => `
  try { const result = await (async () => { ${action} })(); console.log("ok: " + String(result)); }
  catch (error) { console.log("refused: " + ((error as NodeJS.ErrnoException).code ?? (error as Error).message)); }
`;

const connect = (port: number, send = "") => `
  const net = await import("node:net");
  return await new Promise((resolve, reject) => {
    const socket = net.connect(${port}, "127.0.0.1", () => socket.write(${JSON.stringify(send)} || "hello"));
    socket.once("data", (data) => { resolve(data.toString()); socket.destroy(); });
    socket.once("error", reject);
    setTimeout(() => reject(new Error("no answer")), 3000).unref();
  });
`;

describe("the OS sandbox", () => {
  it("is what the server uses here", () => {
    expect(registry.isolation.kind).toBe("sandbox");
  });

  it("lets a program reach the Kafka broker through the bridge, at the broker's own address", async () => {
    const { stdout } = await run(attempt(connect(brokerPort, "ping")));
    expect(stdout).toBe("ok: pong\n");
  });

  it("refuses connections to any other local service", async () => {
    const { stdout } = await run(attempt(connect(otherPort)));
    expect(stdout).toBe("refused: ECONNREFUSED\n");
  });

  it("has no route to the internet", async () => {
    const { stdout } = await run(attempt('const dns = await import("node:dns/promises"); return await dns.lookup("example.com");'));
    expect(stdout).toMatch(/^refused: (ENOTFOUND|EAI_AGAIN|ECONNREFUSED)/);
  });

  it("runs as an unprivileged user in its own process tree, unable to signal the host's processes", async () => {
    const who = await run(attempt("return [process.getuid?.(), process.pid].join(',');"));
    const [uid, pid] = who.stdout.replace("ok: ", "").trim().split(",").map(Number);
    expect(uid).toBe(65534);
    expect(pid).toBeLessThan(10);
    // This test runner's own pid, as the host sees it: from inside it does not exist.
    const signal = await run(attempt(`process.kill(${process.pid}, "SIGKILL"); return "killed";`));
    expect(signal.stdout).toBe("refused: ESRCH\n");
  });

  it("cannot see the host's files or write outside its private /tmp", async () => {
    const read = await run(attempt('const fs = await import("node:fs"); return fs.readFileSync("/etc/passwd", "utf8");'));
    expect(read.stdout).toMatch(/^refused: (ENOENT|ERR_ACCESS_DENIED)/);
    const write = await run(attempt('const fs = await import("node:fs"); fs.writeFileSync("/sandbox/evil.txt", "x"); return "written";'));
    expect(write.stdout).toMatch(/^refused: (EROFS|ERR_ACCESS_DENIED)/);
    const tmp = await run(attempt('const fs = await import("node:fs"); fs.writeFileSync("/tmp/notes.txt", "mine"); return fs.readFileSync("/tmp/notes.txt", "utf8");'));
    expect(tmp.stdout).toBe("ok: mine\n");
  });

  it("cannot fill more than 16 MiB of /tmp", async () => {
    const { stdout } = await run(attempt('const fs = await import("node:fs"); for (let i = 0; i < 64; i++) fs.appendFileSync("/tmp/big", Buffer.alloc(1024 * 1024)); return "filled";'));
    expect(stdout).toBe("refused: ENOSPC\n");
  });

  it("is stopped at its CPU-time limit when it spins", async () => {
    const { exit } = await run("for (;;) {}");
    expect(exit).toMatchObject({ reason: "cpu-limit", message: "Stopped: your program used more than 2 s of CPU time, the CPU limit. Is a loop spinning without waiting?" });
  });
});
