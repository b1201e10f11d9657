// Hostile Python programs, each run while another learner's benign Python program runs at the same time.
// Every one must end contained, with a clear outcome, and the benign run must still succeed. The attacks on
// the launcher's audit hook run twice: in the OS sandbox, and without it (TRIBUTARY_ISOLATION=process), where
// the hook is the only fence and must hold on its own. The OS sandbox's own limits are tried in it alone.
// Needs bubblewrap and Debian's python3 (with kafka-python, installed by `npm run python:setup`).
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRegistry } from "../../sandbox-server/src/runs/index.ts";
import { attempt, besideBenign, FENCE, pythonRegistry, type Isolation } from "../support/python-runs.ts";
import { attackPrelude, connectTo, fenceAttacks, loosenEverything } from "./python-fence-attacks.ts";

let stateDir: string;
const registries = {} as Record<Isolation, RunRegistry>;
/** Where each registry keeps its runs' folders, which no program may list. */
const runRoots = {} as Record<Isolation, string>;
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
  stateDir = await mkdtemp(path.join(os.tmpdir(), "tributary-python-security-"));
  for (const isolation of ["sandbox", "process"] as const) {
    registries[isolation] = await pythonRegistry(isolation, path.join(stateDir, isolation), [`127.0.0.1:${brokerPort}`]);
    const probe = await registries[isolation].start({
      learnerId: "probe",
      kafka: { namespace: "test-" },
      exerciseId: "test",
      files: { "main.py": "" },
    });
    runRoots[isolation] = path.dirname(probe.scratchDir);
    await probe.finished;
  }
});

afterAll(async () => {
  await registries.sandbox?.stopAll();
  await registries.process?.stopAll();
  fakeBroker?.close();
  otherService?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

/** The attack as a whole program for `isolation`, its placeholders filled. */
const program = (action: string, isolation: Isolation) =>
  attempt(action, attackPrelude(isolation))
    .replaceAll("${OTHER_PORT}", String(otherPort))
    .replaceAll("${BROKER_PORT}", String(brokerPort))
    .replaceAll("${HOST_PID}", String(process.pid))
    .replaceAll("${RUN_ROOT}", runRoots[isolation]);

/** A program using what course programs use, each answer printed; logging writes "WARNING logged" to stderr. */
const libraryTour = `import collections, dataclasses, datetime, enum, json, logging, pathlib, random, signal, tempfile, threading, time, traceback, typing
Point = collections.namedtuple("Point", "x y", defaults=(0,))
class Kind(enum.Enum):
    A = 1
@dataclasses.dataclass
class Order:
    id: int
    items: typing.List[str] = dataclasses.field(default_factory=list)
class Row(typing.NamedTuple):
    key: str
    value: int = 0
T = typing.TypeVar("T")
logging.basicConfig(format="%(levelname)s %(message)s")
logging.getLogger("tour").warning("logged")
try:
    {}["missing"]
except KeyError:
    last = traceback.format_exc().splitlines()[-1]
signal.signal(signal.SIGTERM, lambda *_: None)
note = pathlib.Path(TMP) / "note.txt"
note.write_text("kept")
handle, name = tempfile.mkstemp(dir=TMP)
os.close(handle)
worker = threading.Thread(target=time.sleep, args=(0.01,))
worker.start()
worker.join()
print(json.dumps([Point(1), Kind.A.name, Order(1).items, Row("k").value, str(T), last, note.read_text(), "note.txt" in os.listdir(TMP),
                  0 <= random.random() < 1, datetime.date(2024, 2, 29).isoformat(), time.time() > 0]))
`;

describe.each([
  ["in the OS sandbox", "sandbox"],
  ["alone, without the OS sandbox", "process"],
] as const)("the audit hook %s, beside a benign program", (_, isolation) => {
  const hostile = (code: string, options: { wallTimeMs?: number } = {}) => besideBenign(registries[isolation], code, options);

  it("lets the program reach the Kafka broker at the broker's own address", async () => {
    const { stdout, stderr } = await hostile(program(connectTo(`("127.0.0.1", ${brokerPort})`, "AF_INET", "ping"), isolation));
    expect(stdout, stderr).toBe("ok: pong\n");
  });

  it("lets the program import the course's module", async () => {
    const { stdout, stderr } = await hostile(program('import tributary\nreturn tributary.topic("orders")', isolation));
    expect(stdout, stderr).toBe("ok: test-orders\n");
  });

  it("still runs what course programs use: collections, dataclasses, typing, enum, logging, tracebacks, files in its folder", async () => {
    const { stdout, stderr, exit } = await hostile(attackPrelude(isolation) + libraryTour);
    expect(exit, stderr).toMatchObject({ reason: "exited", code: 0 });
    expect(JSON.parse(stdout)).toEqual([[1, 0], "A", [], 0, "~T", "KeyError: 'missing'", "kept", true, true, "2024-02-29", true]);
    expect(stderr).toBe("WARNING logged\n");
  });

  it.concurrent.each(fenceAttacks)("refuses a program that %s", async (_, action) => {
    const { stdout, stderr, exit } = await hostile(program(action, isolation));
    expect(stdout, stderr).toMatch(FENCE);
    expect(exit).toMatchObject({ reason: "exited", code: 0 });
  });

  it("refuses a program that lists the folder holding every run's program (inside the sandbox, it is not even there)", async () => {
    const { stdout } = await hostile(program('return os.listdir("${RUN_ROOT}")', isolation));
    expect(stdout).toMatch(isolation === "sandbox" ? /^refused: (PermissionError: The course's sandbox|FileNotFoundError)/ : FENCE);
  });

  it("holds when a program loosens everything it reaches from frames, the hook's own frames included", { timeout: 60_000 }, async () => {
    const { stdout, stderr } = await hostile(program(loosenEverything, isolation));
    const [caught, outcome] = stdout.trim().split("\n");
    // The timer must have caught the hook itself, or the attack proved nothing.
    expect(caught, stderr).toMatch(/^the timer caught the fence [1-9]\d* times$/);
    expect(outcome).toMatch(FENCE);
  });

  it("never calls an audit hook the program adds: a hook could see every argument", async () => {
    const code =
      'import sys\ncalls = []\nsys.addaudithook(lambda event, args: calls.append(event))\nsys.audit("tributary.test")\nreturn "calls: %d" % len(calls)';
    const { stdout } = await hostile(program(code, isolation));
    expect(stdout).toBe("ok: calls: 0\n");
  });

  it("shows a failing program's traceback with its own file and line only", async () => {
    const { exit, stderr } = await hostile('print("starting")\n\nraise ValueError("no such topic")\n');
    expect(exit).toMatchObject({ reason: "exited", code: 1 });
    expect(stderr).toBe(
      'Traceback (most recent call last):\n  File "main.py", line 3, in <module>\n    raise ValueError("no such topic")\nValueError: no such topic\n',
    );
  });
});

describe("a hostile Python program in the OS sandbox, beside a benign one", () => {
  const hostile = (code: string, options: { wallTimeMs?: number } = {}) => besideBenign(registries.sandbox, code, options);

  /** What the OS sandbox itself stops: [what the program tries, its code, the error it must get]. */
  const limits: [string, string, RegExp][] = [
    [
      "fills its /tmp past 16 MiB",
      'with open("/tmp/big", "wb") as f:\n    for i in range(64):\n        f.write(bytes(1024 * 1024))\n        f.flush()\nreturn "filled"',
      /^refused: OSError: \[Errno 28\] No space left/,
    ],
    [
      "opens thousands of files",
      'files = [open("/tmp/f%d" % (i % 10), "w") for i in range(5000)]\nreturn "opened"',
      /^refused: OSError: \[Errno 24\] Too many open files/,
    ],
    [
      "starts hundreds of threads",
      'import threading, time\nfor i in range(500):\n    threading.Thread(target=time.sleep, args=(5,), daemon=True).start()\nreturn "started"',
      /^refused: RuntimeError: can't start new thread/,
    ],
  ];

  it.each(limits)("is refused when it %s", async (_, action, refusal) => {
    const { stdout, stderr, exit } = await hostile(program(action, "sandbox"));
    expect(stdout, stderr).toMatch(refusal);
    expect(exit).toMatchObject({ reason: "exited", code: 0 });
  });

  it("runs as nobody, in its own process tree", async () => {
    const { stdout } = await hostile(program("return '%d,%d' % (os.getuid(), os.getpid())", "sandbox"));
    const [uid, pid] = stdout.replace("ok: ", "").trim().split(",").map(Number);
    expect(uid).toBe(65534);
    expect(pid).toBeLessThan(10);
  });

  it("sees only the variables the run sets (and the UTF-8 locale Python sets for itself)", async () => {
    process.env.TRIBUTARY_TEST_SECRET = "do-not-leak";
    const { stdout } = await hostile("import os, json\nprint(json.dumps(dict(os.environ)))");
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
    const { stdout } = await hostile(program("import pip\nreturn pip.__file__", "sandbox"));
    expect(stdout).toMatch(/^refused: ModuleNotFoundError: No module named 'pip'/);
  });

  it("is stopped at the CPU-time limit when it spins", async () => {
    const { exit } = await hostile("while True:\n    pass\n");
    expect(exit).toMatchObject({
      reason: "cpu-limit",
      message: "Stopped: your program used more than 2 s of CPU time, the CPU limit. Is a loop spinning without waiting?",
    });
  });

  it("is stopped at the memory limit when it hoards memory", async () => {
    const { exit } = await hostile("import time\nheld = []\nwhile True:\n    held.append(bytearray(16 * 1024 * 1024))\n    time.sleep(0.02)\n");
    expect(exit).toMatchObject({ reason: "memory-limit", message: "Stopped: your program used more than 96 MiB of memory, the memory limit." });
  });

  it("is stopped at the output limit when it floods", async () => {
    const { exit, stdout } = await hostile('while True:\n    print("x" * 1000)\n');
    expect(exit.reason).toBe("output-limit");
    expect(Buffer.byteLength(stdout)).toBeLessThanOrEqual(16 * 1024);
  });

  it("is stopped at the wall-clock limit when it never ends", async () => {
    const { exit } = await hostile("import time\nwhile True:\n    time.sleep(1)\n", { wallTimeMs: 1500 });
    expect(exit).toMatchObject({ reason: "timeout", message: "Stopped after 1.5 s, the time limit for this exercise." });
  });
});
