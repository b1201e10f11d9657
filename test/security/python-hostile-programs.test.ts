// Hostile Python programs, each run in the OS sandbox while another learner's benign Python program runs at
// the same time. Every one must end contained, with a clear outcome, and the benign run must still succeed.
// Behind bubblewrap, the launcher's audit hook refuses processes, native code, other sockets and files;
// the last tests run a few attacks without the sandbox, to show that fence holds on its own.
// Needs bubblewrap and Debian's python3 (with kafka-python, installed by `npm run python:setup`).
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../sandbox-server/src/config.ts";
import { RunRegistry, type ExitEvent, type RunEvent } from "../../sandbox-server/src/runs/index.ts";

let stateDir: string;
let registry: RunRegistry;
/** A registry without the OS sandbox: the audit hook is the only fence there. */
let unsandboxed: RunRegistry;
/** Stands in for a broker: answers "pong" to "ping", so a test sees the bridge carry bytes both ways. */
let fakeBroker: net.Server;
/** Stands in for the sandbox server or any other local service a program must not reach. */
let otherService: net.Server;
let brokerPort: number;
let otherPort: number;
let runRoot: string;

const listen = (server: net.Server) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));

function settings(isolation: "sandbox" | "process") {
  return loadConfig({
    TRIBUTARY_STATE_DIR: path.join(stateDir, isolation),
    TRIBUTARY_ISOLATION: isolation,
    TRIBUTARY_RUN_CPU_SECONDS: "2",
    TRIBUTARY_RUN_MEMORY_MIB: "96",
    TRIBUTARY_RUN_OUTPUT_KIB: "16",
    TRIBUTARY_MAX_RUNS_PER_LEARNER: "50",
    TRIBUTARY_RUNS_PER_MINUTE: "1000",
  }).runs;
}

beforeAll(async () => {
  fakeBroker = net.createServer((socket) => socket.on("data", (data) => socket.write(data.toString() === "ping" ? "pong" : "?")));
  otherService = net.createServer((socket) => socket.end("secret"));
  brokerPort = await listen(fakeBroker);
  otherPort = await listen(otherService);
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-python-security-"));
  registry = new RunRegistry(settings("sandbox"), [`127.0.0.1:${brokerPort}`]);
  await registry.prepare();
  unsandboxed = new RunRegistry(settings("process"), [`127.0.0.1:${brokerPort}`]);
  await unsandboxed.prepare();
  const probe = await registry.start({ learnerId: "probe", kafka: { namespace: "test-" }, exerciseId: "test", files: { "main.py": "" } });
  runRoot = path.dirname(probe.scratchDir);
  await probe.finished;
});

afterAll(async () => {
  await registry?.stopAll();
  await unsandboxed?.stopAll();
  fakeBroker?.close();
  otherService?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

interface Outcome {
  exit: ExitEvent;
  stdout: string;
  stderr: string;
}

async function run(learnerId: string, code: string, options: { wallTimeMs?: number; on?: RunRegistry } = {}): Promise<Outcome> {
  const learnerRun = await (options.on ?? registry).start({
    learnerId,
    kafka: { namespace: "test-" },
    exerciseId: "test",
    files: { "main.py": code },
    wallTimeMs: options.wallTimeMs,
  });
  const events: RunEvent[] = [];
  learnerRun.subscribe((event) => events.push(event));
  const exit = await learnerRun.finished;
  const text = (type: "stdout" | "stderr") => events.flatMap((e) => (e.type === type ? [e.data] : [])).join("");
  return { exit, stdout: text("stdout"), stderr: text("stderr") };
}

/** Runs the hostile program and, at the same time, a benign one of another learner; the benign one must succeed. */
async function besideBenign(code: string, options: { wallTimeMs?: number; on?: RunRegistry } = {}): Promise<Outcome> {
  const benign = run("benign-learner", 'import time\ntime.sleep(0.3)\nprint("benign run finished")\n', { on: options.on });
  const hostile = await run("hostile-learner", code, options);
  const { exit, stdout, stderr } = await benign;
  expect(exit, stderr).toMatchObject({ reason: "exited", code: 0 });
  expect(stdout).toBe("benign run finished\n");
  return hostile;
}

/** A program that tries `action` (the body of a function) and prints "ok: …" or "refused: <error type>: <message>". */
const attempt = (action: string) => `
def attempt():
${action
  .split("\n")
  .map((line) => `    ${line}`)
  .join("\n")}

try:
    print("ok: " + str(attempt()))
except BaseException as error:
    print("refused: " + type(error).__name__ + ": " + str(error))
`;

const connectTo = (address: string, family = "AF_INET", send = "hello") => `import socket
s = socket.socket(socket.${family})
s.settimeout(3)
s.connect(${address})
s.sendall(b"${send}")
return s.recv(100).decode()`;

/** The audit hook's refusal. */
const FENCE = /^PermissionError: The course's sandbox does not allow this/;

/** Hostile programs whose every attempt must be refused: [what it tries, its code, the refusal it must get]. */
const refusals: [string, string, RegExp][] = [
  ["reads the host's /etc/passwd", 'return open("/etc/passwd").read()', FENCE],
  ["lists the host's home of root", 'import os\nreturn os.listdir("/root")', FENCE],
  // The host's run folders sit under its /tmp, which inside is the sandbox's own, empty /tmp.
  [
    "lists the folder that holds every run's program",
    'import os\nreturn os.listdir("${RUN_ROOT}")',
    /^(PermissionError: The course's sandbox|FileNotFoundError)/,
  ],
  ["reads the environment of pid 1", 'return open("/proc/1/environ").read()', FENCE],
  [
    "reads a file through a symbolic link in /tmp",
    'import os\nos.symlink("/proc/self/environ", "/tmp/link")\nreturn open("/tmp/link").read()',
    FENCE,
  ],
  ["writes next to its program", 'open("/sandbox/run/evil.txt", "w").write("x")\nreturn "written"', FENCE],
  ["rewrites kafka-python", 'open("/opt/python/packages/kafka/__init__.py", "w").write("")\nreturn "rewritten"', FENCE],
  ["rewrites the launcher", 'import os\nos.remove("/opt/tributary/python/launcher.py")\nreturn "removed"', FENCE],
  [
    "fills its /tmp past 16 MiB",
    'with open("/tmp/big", "wb") as f:\n    for i in range(64):\n        f.write(bytes(1024 * 1024))\n        f.flush()\nreturn "filled"',
    /^OSError: \[Errno 28\] No space left/,
  ],
  [
    "spawns a shell with subprocess",
    'import subprocess\nreturn subprocess.run(["id"], capture_output=True).stdout',
    /^(PermissionError|ImportError): .*(sandbox does not allow|_posixsubprocess)/,
  ],
  ["runs a command with os.system", 'import os\nreturn os.system("id")', FENCE],
  ["replaces itself with a shell (exec)", 'import os\nos.execv("/bin/sh", ["sh", "-c", "id"])', FENCE],
  ["forks itself in a loop (a fork bomb)", 'import os\nfor i in range(1000):\n    os.fork()\nreturn "forked"', FENCE],
  ["spawns through os.posix_spawn", 'import os\nreturn os.posix_spawn("/bin/sh", ["sh"], {})', FENCE],
  [
    "starts a multiprocessing pool",
    "import multiprocessing\nwith multiprocessing.Pool(4) as pool:\n    return pool.map(abs, [1])",
    /^(PermissionError|ImportError)/,
  ],
  ["calls libc through ctypes", 'import ctypes\nreturn ctypes.CDLL("libc.so.6").system(b"id")', FENCE],
  ["imports the process launcher's native module", "import _posixsubprocess\nreturn _posixsubprocess.fork_exec", FENCE],
  ["walks every object in memory for the fence", "import gc\nreturn len(gc.get_objects())", FENCE],
  ["connects to the sandbox server's port", connectTo('("127.0.0.1", ${OTHER_PORT})'), FENCE],
  ["connects to the host's SSH port", connectTo('("127.0.0.1", 22)'), FENCE],
  ["connects to an address on the internet", connectTo('("1.1.1.1", 80)'), FENCE],
  ["resolves a name on the internet", 'import socket\nreturn socket.getaddrinfo("example.com", 80)', FENCE],
  ["talks to the Docker socket", connectTo('"/var/run/docker.sock"', "AF_UNIX"), FENCE],
  ["listens on a port of its own", "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 8080))\ns.listen()\nreturn 'listening'", FENCE],
  ["sends a UDP packet out", 'import socket\nreturn socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("1.1.1.1", 53))', FENCE],
  ["kills the process that runs the tests", "import os\nos.kill(${HOST_PID}, 9)\nreturn 'killed'", FENCE],
  [
    "opens thousands of files",
    'files = [open("/tmp/f%d" % (i % 10), "w") for i in range(5000)]\nreturn "opened"',
    /^OSError: \[Errno 24\] Too many open files/,
  ],
  [
    "starts hundreds of threads",
    'import threading, time\nfor i in range(500):\n    threading.Thread(target=time.sleep, args=(5,), daemon=True).start()\nreturn "started"',
    /^RuntimeError: can't start new thread/,
  ],
];

const fill = (code: string) =>
  code.replace("${OTHER_PORT}", String(otherPort)).replace("${HOST_PID}", String(process.pid)).replace("${RUN_ROOT}", runRoot);

describe("a hostile Python program in the sandbox, beside a benign one", () => {
  it("runs in the sandbox here", () => {
    expect(registry.isolation.kind).toBe("sandbox");
  });

  it("reaches the Kafka broker through the bridge, at the broker's own address", async () => {
    const { stdout, stderr } = await besideBenign(attempt(connectTo(`("127.0.0.1", ${brokerPort})`, "AF_INET", "ping")));
    expect(stdout, stderr).toBe("ok: pong\n");
  });

  it.each(refusals)("is refused when it %s", async (_, action, refusal) => {
    const { stdout, stderr, exit } = await besideBenign(attempt(fill(action)));
    expect(stdout, stderr).toMatch(/^refused: /);
    expect(stdout.replace("refused: ", "").trim()).toMatch(refusal);
    expect(exit).toMatchObject({ reason: "exited", code: 0 });
  });

  it("runs as nobody, in its own process tree", async () => {
    const { stdout } = await besideBenign(attempt("import os\nreturn '%d,%d' % (os.getuid(), os.getpid())"));
    const [uid, pid] = stdout.replace("ok: ", "").trim().split(",").map(Number);
    expect(uid).toBe(65534);
    expect(pid).toBeLessThan(10);
  });

  it("sees only the variables the run sets (and the UTF-8 locale Python sets for itself)", async () => {
    process.env.TRIBUTARY_TEST_SECRET = "do-not-leak";
    const { stdout } = await besideBenign("import os, json\nprint(json.dumps(dict(os.environ)))");
    expect(Object.keys(JSON.parse(stdout) as object).sort()).toEqual([
      "FORCE_COLOR",
      "HOME",
      "KAFKAJS_NO_PARTITIONER_WARNING",
      "KAFKA_BROKERS",
      "KAFKA_NAMESPACE",
      "LC_CTYPE",
      "PWD",
      "TZ",
    ]);
  });

  it("cannot install packages at run time", async () => {
    const { stdout } = await besideBenign(attempt("import pip\nreturn pip.__file__"));
    expect(stdout).toMatch(/^refused: ModuleNotFoundError: No module named 'pip'/);
  });

  it("is stopped at the CPU-time limit when it spins", async () => {
    const { exit } = await besideBenign("while True:\n    pass\n");
    expect(exit).toMatchObject({
      reason: "cpu-limit",
      message: "Stopped: your program used more than 2 s of CPU time, the CPU limit. Is a loop spinning without waiting?",
    });
  });

  it("is stopped at the memory limit when it hoards memory", async () => {
    const { exit } = await besideBenign("import time\nheld = []\nwhile True:\n    held.append(bytearray(16 * 1024 * 1024))\n    time.sleep(0.02)\n");
    expect(exit).toMatchObject({ reason: "memory-limit", message: "Stopped: your program used more than 96 MiB of memory, the memory limit." });
  });

  it("is stopped at the output limit when it floods", async () => {
    const { exit, stdout } = await besideBenign('while True:\n    print("x" * 1000)\n');
    expect(exit.reason).toBe("output-limit");
    expect(Buffer.byteLength(stdout)).toBeLessThanOrEqual(16 * 1024);
  });

  it("is stopped at the wall-clock limit when it never ends", async () => {
    const { exit } = await besideBenign("import time\nwhile True:\n    time.sleep(1)\n", { wallTimeMs: 1500 });
    expect(exit).toMatchObject({ reason: "timeout", message: "Stopped after 1.5 s, the time limit for this exercise." });
  });

  it("shows a failing program's traceback with its own file and line only", async () => {
    const { exit, stderr } = await besideBenign('print("starting")\n\nraise ValueError("no such topic")\n');
    expect(exit).toMatchObject({ reason: "exited", code: 1 });
    expect(stderr).toBe(
      'Traceback (most recent call last):\n  File "main.py", line 3, in <module>\n    raise ValueError("no such topic")\nValueError: no such topic\n',
    );
  });
});

describe("the audit hook alone, without the OS sandbox", () => {
  const alone: [string, string][] = [
    ["reads the host's /etc/passwd", 'return open("/etc/passwd").read()'],
    ["spawns a shell with os.system", 'import os\nreturn os.system("id")'],
    ["forks", "import os\nreturn os.fork()"],
    ["calls libc through ctypes", 'import ctypes\nreturn ctypes.CDLL("libc.so.6")'],
    ["connects to the sandbox server's port", connectTo('("127.0.0.1", ${OTHER_PORT})')],
    ["kills the process that runs the tests", "import os\nos.kill(${HOST_PID}, 9)\nreturn 'killed'"],
  ];

  it.each(alone)("refuses a program that %s", async (_, action) => {
    const { stdout, stderr } = await besideBenign(attempt(fill(action)), { on: unsandboxed });
    expect(stdout.replace("refused: ", "").trim(), stderr).toMatch(FENCE);
  });

  it("still lets it reach the broker", async () => {
    const { stdout } = await besideBenign(attempt(connectTo(`("127.0.0.1", ${brokerPort})`, "AF_INET", "ping")), { on: unsandboxed });
    expect(stdout).toBe("ok: pong\n");
  });
});
