// Hostile programs, each run in the OS sandbox while another learner's benign program runs at the
// same time. Every one must end contained, with a clear outcome, and the benign run must still succeed.
// Needs bubblewrap (Debian: apt-get install bubblewrap), which CI installs. Attacks on Kafka
// (another learner's topics, partition floods) are in kafka-hostile-programs.test.ts, against a real broker.
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { RunRegistry, type ExitEvent, type RunEvent } from "../../sandbox-server/src/runs/index.ts";

let stateDir: string;
let registry: RunRegistry;
/** The same sandbox with Node's permission model off: bubblewrap, cgroups and rlimits alone. */
let bubblewrapAlone: RunRegistry;
/** Stands in for a broker: answers "pong" to "ping", so a test sees the bridge carry bytes both ways. */
let fakeBroker: net.Server;
/** Stands in for the sandbox server or any other local service a program must not reach. */
let otherService: net.Server;
let brokerPort: number;
let otherPort: number;
/** The host folder holding every run's folder (each run's program lives there). */
let runRoot: string;
let configEnv: NodeJS.ProcessEnv;

const listen = (server: net.Server) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));

beforeAll(async () => {
  fakeBroker = net.createServer((socket) => socket.on("data", (data) => socket.write(data.toString() === "ping" ? "pong" : "?")));
  otherService = net.createServer((socket) => socket.end("secret"));
  brokerPort = await listen(fakeBroker);
  otherPort = await listen(otherService);
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-security-"));
  configEnv = {
    TRIBUTARY_STATE_DIR: stateDir,
    TRIBUTARY_ISOLATION: "sandbox",
    TRIBUTARY_RUN_CPU_SECONDS: "2",
    TRIBUTARY_RUN_MEMORY_MIB: "96",
    TRIBUTARY_RUN_OUTPUT_KIB: "16",
    TRIBUTARY_MAX_RUNS_PER_LEARNER: "50",
    // Two learners start more runs in this file than a person would in a minute.
    TRIBUTARY_RUNS_PER_MINUTE: "1000",
  };
  const config = loadConfig(configEnv);
  registry = new RunRegistry(config.runs, [`127.0.0.1:${brokerPort}`]);
  await registry.prepare();
  const alone = loadConfig({ ...configEnv, TRIBUTARY_NODE_PERMISSION_MODEL: "off" });
  bubblewrapAlone = new RunRegistry(alone.runs, [`127.0.0.1:${brokerPort}`]);
  await bubblewrapAlone.prepare();
  const probe = await registry.start({ learnerId: "probe", kafka: { namespace: "test-" }, exerciseId: "test", files: { "main.ts": "" } });
  runRoot = path.dirname(probe.scratchDir);
  await probe.finished;
});

afterAll(async () => {
  await registry?.stopAll();
  await bubblewrapAlone?.stopAll();
  fakeBroker?.close();
  otherService?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

interface Outcome {
  exit: ExitEvent;
  stdout: string;
  stderr: string;
}

async function run(learnerId: string, code: string, wallTimeMs?: number, runs = registry): Promise<Outcome> {
  const learnerRun = await runs.start({ learnerId, kafka: { namespace: "test-" }, exerciseId: "test", files: { "main.ts": code }, wallTimeMs });
  const events: RunEvent[] = [];
  learnerRun.subscribe((event) => events.push(event));
  const exit = await learnerRun.finished;
  const text = (type: "stdout" | "stderr") => events.flatMap((e) => (e.type === type ? [e.data] : [])).join("");
  return { exit, stdout: text("stdout"), stderr: text("stderr") };
}

/** Runs the hostile program and, at the same time, a benign one of another learner; the benign one must succeed. */
async function besideBenign(code: string, wallTimeMs?: number, runs = registry): Promise<Outcome> {
  const benign = run("benign-learner", 'await new Promise((r) => setTimeout(r, 300)); console.log("benign run finished");', undefined, runs);
  const hostile = await run("hostile-learner", code, wallTimeMs, runs);
  const { exit, stdout } = await benign;
  expect(exit).toMatchObject({ reason: "exited", code: 0 });
  expect(stdout).toBe("benign run finished\n");
  return hostile;
}

/** A program that tries `action` and prints what happened: "ok: …" or "refused: <code>". */
const attempt = (action: string) => `
  try { const result = await (async () => { ${action} })(); console.log("ok: " + String(result)); }
  catch (error) { console.log("refused: " + ((error as NodeJS.ErrnoException).code || (error as Error).message)); }
`;

const connectTo = (target: string, send = "hello") => `
  const net = await import("node:net");
  return await new Promise((resolve, reject) => {
    const socket = net.connect(${target}, () => socket.write(${JSON.stringify(send)}));
    socket.once("data", (data) => { resolve(data.toString()); socket.destroy(); });
    socket.once("error", reject);
    setTimeout(() => reject(new Error("no answer")), 3000).unref();
  });
`;

/** Hostile programs whose every attempt must be refused: [what it tries, its code, the refusal it must get]. */
const refusals: [string, string, RegExp][] = [
  [
    "reads the host's /etc/passwd",
    'const fs = await import("node:fs"); return fs.readFileSync("/etc/passwd", "utf8");',
    /^(ENOENT|ERR_ACCESS_DENIED)$/,
  ],
  ["lists the host's home of root", 'const fs = await import("node:fs"); return fs.readdirSync("/root");', /^(ENOENT|ERR_ACCESS_DENIED)$/],
  ["lists the folder that holds every run's program", 'const fs = await import("node:fs"); return fs.readdirSync("${RUN_ROOT}");', /^ENOENT$/],
  [
    "reads the environment of pid 1",
    'const fs = await import("node:fs"); return fs.readFileSync("/proc/1/environ", "utf8");',
    /^(ENOENT|EACCES|ERR_ACCESS_DENIED)$/,
  ],
  [
    "writes next to its program",
    'const fs = await import("node:fs"); fs.writeFileSync("/sandbox/evil.txt", "x"); return "written";',
    /^(EROFS|ERR_ACCESS_DENIED)$/,
  ],
  [
    "deletes kafkajs",
    'const fs = await import("node:fs"); fs.rmSync("/sandbox/node_modules/kafkajs/package.json"); return "deleted";',
    /^(EROFS|ERR_ACCESS_DENIED)$/,
  ],
  [
    "rewrites the Kafka forwarder",
    'const fs = await import("node:fs"); fs.writeFileSync("/opt/tributary/kafka-forwarder.mjs", ""); return "rewritten";',
    /^(EROFS|ERR_ACCESS_DENIED)$/,
  ],
  [
    "replaces the node binary",
    'const fs = await import("node:fs"); fs.writeFileSync("/opt/node/bin/node", ""); return "replaced";',
    /^(EROFS|ETXTBSY|ERR_ACCESS_DENIED)$/,
  ],
  [
    "fills its /tmp past 16 MiB",
    'const fs = await import("node:fs"); for (let i = 0; i < 64; i++) fs.appendFileSync("/tmp/big", Buffer.alloc(1024 * 1024)); return "filled";',
    /^ENOSPC$/,
  ],
  ["spawns a shell", 'const cp = await import("node:child_process"); return cp.execSync("id").toString();', /^ERR_ACCESS_DENIED$/],
  [
    "forks itself in a loop (a fork bomb)",
    'const cp = await import("node:child_process"); for (let i = 0; i < 1000; i++) cp.fork("/sandbox/main.mjs"); return "forked";',
    /^ERR_ACCESS_DENIED$/,
  ],
  [
    "spawns through the internal binding",
    'return Object.keys((process as unknown as { binding(name: string): object }).binding("spawn_sync"));',
    /^ERR_ACCESS_DENIED$/,
  ],
  [
    "starts worker threads",
    'const { Worker } = await import("node:worker_threads"); for (let i = 0; i < 100; i++) new Worker("setInterval(() => {}, 1000)", { eval: true }); return "started";',
    /^ERR_ACCESS_DENIED$/,
  ],
  ["loads a native addon", 'process.dlopen({ exports: {} }, "/usr/lib/x86_64-linux-gnu/libc.so.6"); return "loaded";', /^ERR_DLOPEN_DISABLED$/],
  ["opens the inspector", 'const inspector = await import("node:inspector"); inspector.open(9229); return "open";', /^ERR_ACCESS_DENIED$/],
  ["connects to the sandbox server's port", connectTo(`{ port: ${"${OTHER_PORT}"}, host: "127.0.0.1" }`), /^ECONNREFUSED$/],
  ["connects to the host's SSH port", connectTo('{ port: 22, host: "127.0.0.1" }'), /^ECONNREFUSED$/],
  ["connects to an address on the internet", connectTo('{ port: 80, host: "1.1.1.1" }'), /^(ENETUNREACH|EHOSTUNREACH)$/],
  [
    "resolves a name on the internet",
    'const dns = await import("node:dns/promises"); return (await dns.lookup("example.com")).address;',
    /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED)$/,
  ],
  ["talks to the Docker socket", connectTo('{ path: "/var/run/docker.sock" }'), /^(ENOENT|ERR_ACCESS_DENIED)$/],
  ["kills the process that runs the tests", 'process.kill(Number(process.env.HOST_PID ?? "${HOST_PID}"), "SIGKILL"); return "killed";', /^ESRCH$/],
  [
    "opens thousands of files",
    'const fs = await import("node:fs"); for (let i = 0; i < 5000; i++) fs.openSync("/tmp/f" + (i % 10), "w"); return "opened";',
    /^EMFILE$/,
  ],
];

/**
 * With Node's permission model off, bubblewrap, the cgroups and the rlimits must contain each attack on
 * their own. Where Node no longer refuses, the attack may run, but only inside the sandbox: what each
 * must come to, as the line the program prints ("ok: …" or "refused: <code>").
 */
const containedByBubblewrapAlone: Record<string, RegExp> = {
  "reads the host's /etc/passwd": /^refused: ENOENT$/,
  "lists the host's home of root": /^refused: ENOENT$/,
  "lists the folder that holds every run's program": /^refused: ENOENT$/,
  // The sandbox's first process was started with an empty environment: nothing of the host's is there.
  "reads the environment of pid 1": /^(refused: (ENOENT|EACCES)|ok: PATH=\/usr\/sbin:\/usr\/bin:\/sbin:\/bin[\s\u0000]*)$/,
  "writes next to its program": /^refused: EROFS$/,
  "deletes kafkajs": /^refused: (EROFS|.*Read-only file system)/,
  "rewrites the Kafka forwarder": /^refused: EROFS$/,
  "replaces the node binary": /^refused: (EROFS|ETXTBSY)$/,
  "fills its /tmp past 16 MiB": /^refused: ENOSPC$/,
  // A shell may start, as nobody, seeing only the sandbox.
  "spawns a shell": /^ok: uid=65534\b/,
  // The processes cgroup caps the tree; children that do start find no program, and their complaints
  // reach the output cap (then nothing is printed at all).
  "forks itself in a loop (a fork bomb)": /^(ok: forked|refused: EAGAIN|)$/,
  "spawns through the internal binding": /^ok: /,
  // Threads count against the same cgroup (64 tasks) and memory cap.
  "starts worker threads": /^(ok: started|refused: (EAGAIN|ERR_WORKER_INIT_FAILED)|)$/,
  "loads a native addon": /^refused: (ERR_DLOPEN_FAILED|ERR_DLOPEN_DISABLED)$|did not self-register/,
  // It listens on the sandbox's own loopback, which nothing outside can reach.
  "opens the inspector": /^ok: open$/,
  "connects to the sandbox server's port": /^refused: ECONNREFUSED$/,
  "connects to the host's SSH port": /^refused: ECONNREFUSED$/,
  "connects to an address on the internet": /^refused: (ENETUNREACH|EHOSTUNREACH)$/,
  "resolves a name on the internet": /^refused: (ENOTFOUND|EAI_AGAIN|ECONNREFUSED)$/,
  "talks to the Docker socket": /^refused: ENOENT$/,
  "kills the process that runs the tests": /^refused: ESRCH$/,
  "opens thousands of files": /^refused: EMFILE$/,
};

describe("a hostile program in the sandbox with Node's permission model off, beside a benign one", () => {
  it("names what bubblewrap alone must come to for every attack", () => {
    expect(Object.keys(containedByBubblewrapAlone).sort()).toEqual(refusals.map(([name]) => name).sort());
  });

  it.each(refusals)("is contained by bubblewrap alone when it %s", async (name, action) => {
    const code = attempt(
      action.replace("${OTHER_PORT}", String(otherPort)).replace("${HOST_PID}", String(process.pid)).replace("${RUN_ROOT}", runRoot),
    );
    const { stdout, exit } = await besideBenign(code, undefined, bubblewrapAlone);
    expect(stdout.split("\n")[0], `ended ${exit.reason}`).toMatch(containedByBubblewrapAlone[name]!);
    // Whatever it started ended with it; a cap may have stopped it, never anything else.
    expect(["exited", "memory-limit", "cpu-limit", "output-limit"]).toContain(exit.reason);
  });

  it("still runs as nobody, in its own process tree", async () => {
    const { stdout } = await besideBenign(attempt("return [process.getuid?.(), process.pid].join(',');"), undefined, bubblewrapAlone);
    const [uid, pid] = stdout.replace("ok: ", "").trim().split(",").map(Number);
    expect(uid).toBe(65534);
    expect(pid).toBeLessThan(10);
  });
});

describe("a hostile program in the sandbox, beside a benign one", () => {
  it("runs in the sandbox here", () => {
    expect(registry.isolation.kind).toBe("sandbox");
  });

  it("reaches the Kafka broker through the bridge, at the broker's own address", async () => {
    const { stdout } = await besideBenign(attempt(connectTo(`{ port: ${brokerPort}, host: "127.0.0.1" }`, "ping")));
    expect(stdout).toBe("ok: pong\n");
  });

  it.each(refusals)("is refused when it %s", async (_, action, refusal) => {
    const code = attempt(
      action.replace("${OTHER_PORT}", String(otherPort)).replace("${HOST_PID}", String(process.pid)).replace("${RUN_ROOT}", runRoot),
    );
    const { stdout, exit } = await besideBenign(code);
    expect(stdout).toMatch(/^refused: /);
    expect(stdout.replace("refused: ", "").trim()).toMatch(refusal);
    expect(exit).toMatchObject({ reason: "exited", code: 0 });
  });

  it("runs as nobody, in its own process tree", async () => {
    const { stdout } = await besideBenign(attempt("return [process.getuid?.(), process.pid].join(',');"));
    const [uid, pid] = stdout.replace("ok: ", "").trim().split(",").map(Number);
    expect(uid).toBe(65534);
    expect(pid).toBeLessThan(10);
  });

  it("sees only the variables the run sets", async () => {
    process.env.TRIBUTARY_TEST_SECRET = "do-not-leak";
    const { stdout } = await besideBenign("console.log(JSON.stringify(process.env));");
    expect(Object.keys(JSON.parse(stdout) as object).sort()).toEqual([
      "FORCE_COLOR",
      "HOME",
      "KAFKAJS_NO_PARTITIONER_WARNING",
      "KAFKA_BROKERS",
      "KAFKA_NAMESPACE",
      "PWD",
      "TZ",
    ]);
  });

  it("is stopped at the CPU-time limit when it spins", async () => {
    const { exit } = await besideBenign("for (;;) {}");
    expect(exit).toMatchObject({
      reason: "cpu-limit",
      message: "Stopped: your program used more than 2 s of CPU time, the CPU limit. Is a loop spinning without waiting?",
    });
  });

  it("is stopped at the memory limit when it hoards buffers", async () => {
    const { exit } = await besideBenign("const held = []; setInterval(() => held.push(Buffer.alloc(16 * 1024 * 1024, 1)), 20);");
    expect(exit).toMatchObject({ reason: "memory-limit", message: "Stopped: your program used more than 96 MiB of memory, the memory limit." });
  });

  it("is stopped at the memory limit when its heap grows without end", async () => {
    const { exit } = await besideBenign("const held = []; for (;;) held.push({ a: Math.random(), b: [1, 2, 3] });");
    expect(exit.reason).toBe("memory-limit");
  });

  it("is stopped at the output limit when it floods", async () => {
    const { exit, stdout } = await besideBenign('for (;;) console.log("x".repeat(1000));');
    expect(exit.reason).toBe("output-limit");
    expect(Buffer.byteLength(stdout)).toBeLessThanOrEqual(16 * 1024);
  });

  it("is stopped at the wall-clock limit when its timers never end", async () => {
    const { exit } = await besideBenign("setInterval(() => {}, 1000); await new Promise(() => {});", 1500);
    expect(exit).toMatchObject({ reason: "timeout", message: "Stopped after 1.5 s, the time limit for this exercise." });
  });
});
