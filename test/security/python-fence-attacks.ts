// Attacks the Python launcher's audit hook must refuse by itself, with or without the OS sandbox around it.
// Each is the body of a function run by `attempt` (test/support/python-runs.ts), after a prelude that imports
// os and names TMP, the one folder the program may write. Where an attack would change something if it got
// through, it is chosen to change nothing (a rename onto itself, a file opened for appending and closed).

/** [what the program tries, its code]; every one must end in the hook's PermissionError. */
export const fenceAttacks: [string, string][] = [
  ["reads the host's /etc/passwd", 'return open("/etc/passwd").read()'],
  ["lists the host's home of root", 'return os.listdir("/root")'],
  ["reads the environment of pid 1", 'return open("/proc/1/environ").read()'],
  ["opens kafka-python for writing", 'import kafka\nopen(kafka.__file__, "a").close()\nreturn "opened"'],
  ["renames the course's own module onto itself", "import tributary\nos.rename(tributary.__file__, tributary.__file__)\nreturn 'renamed'"],
  ["spawns a shell with subprocess", 'import subprocess\nreturn subprocess.run(["id"], capture_output=True).stdout'],
  ["runs a command with os.system", 'return os.system("id")'],
  ["replaces itself with a shell (exec)", 'os.execv("/bin/sh", ["sh", "-c", "id"])'],
  ["forks itself in a loop (a fork bomb)", 'for i in range(1000):\n    os.fork()\nreturn "forked"'],
  ["spawns through os.posix_spawn", 'return os.posix_spawn("/bin/sh", ["sh"], {})'],
  ["calls libc through ctypes", 'import ctypes\nreturn ctypes.CDLL("libc.so.6").system(b"id")'],
  ["imports the process launcher's native module", "import _posixsubprocess\nreturn _posixsubprocess.fork_exec"],
  [
    "makes the process launcher's built-in module through importlib, which raises no import event",
    'import importlib.util\nreturn importlib.util.module_from_spec(importlib.util.find_spec("_posixsubprocess")).fork_exec',
  ],
  [
    "makes it with _imp itself",
    'import _imp, importlib.machinery\nreturn _imp.create_builtin(importlib.machinery.ModuleSpec("_posixsubprocess", None))',
  ],
  ["reads the host's users through pwd", "import pwd\nreturn pwd.getpwall()"],
  ["opens a database file with sqlite3", 'import sqlite3\nreturn sqlite3.connect("/etc/passwd")'],
  ["connects to the sandbox server's port", connectTo('("127.0.0.1", ${OTHER_PORT})')],
  ["connects to the host's SSH port", connectTo('("127.0.0.1", 22)')],
  ["connects to an address on the internet", connectTo('("1.1.1.1", 80)')],
  ["connects to the broker's port over IPv6", connectTo('("::1", ${BROKER_PORT}, 0, 0)', "AF_INET6")],
  ["resolves a name on the internet", 'import socket\nreturn socket.getaddrinfo("example.com", 80)'],
  ["talks to the Docker socket", connectTo('"/var/run/docker.sock"', "AF_UNIX")],
  ["listens on a port of its own", "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 8080))\ns.listen()\nreturn 'listening'"],
  ["sends a UDP packet out", 'import socket\nreturn socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("1.1.1.1", 53))'],
  ["opens a raw socket to read every packet", "import socket\nreturn socket.socket(socket.AF_PACKET, socket.SOCK_RAW)"],
  ["kills the process that runs the tests", "os.kill(${HOST_PID}, 9)\nreturn 'killed'"],
  // Functions Python raises no audit event for: the launcher replaces them before the program runs.
  [
    "signals another process through a pidfd",
    "import signal\ntry:\n    fd = os.pidfd_open(${HOST_PID})\nexcept ProcessLookupError:\n    fd = os.pidfd_open(1)  # the sandbox's first process\nreturn signal.pidfd_send_signal(fd, 0)",
  ],
  ["reschedules the process that runs the tests", "return os.setpriority(os.PRIO_PROCESS, ${HOST_PID}, 0)"],
  ["makes a FIFO in a library folder", 'return os.mkfifo(os.path.dirname(os.__file__) + "/no-such-folder/fifo")'],
  ["changes its root folder", "return os.chroot(TMP)"],
  ["sets a clock", "import time\nreturn time.clock_settime(time.CLOCK_MONOTONIC, 0)"],
  ["starts a multiprocessing pool", "import multiprocessing\nwith multiprocessing.Pool(4) as pool:\n    return pool.map(abs, [1])"],
  // Introspection: the doors Python raises an audit event for.
  ["walks every object in memory for the fence", "import gc\nreturn len(gc.get_objects())"],
  ["asks gc what refers to a function", "import gc\nreturn gc.get_referrers(os.listdir)"],
  ["walks up from sys._getframe to the launcher's globals", "import sys\nreturn list(sys._getframe(1).f_back.f_globals)"],
  ["reads the frames of other threads", "import sys\nreturn sys._current_frames()"],
  ["sets a trace function, which sees every frame", "import sys\nsys.settrace(lambda *a: None)\nreturn 'tracing'"],
  ["sets a profile function, which sees every call", "import sys\nsys.setprofile(lambda *a: None)\nreturn 'profiling'"],
  ["makes a code object by hand", "return (lambda: 0).__code__.replace(co_consts=(None, 1))"],
  ["loads marshalled code", 'import marshal\nreturn marshal.loads(marshal.dumps(compile("1", "x", "eval")))'],
  [
    "switches the fence off in the launcher's globals, reached through a refusal's traceback",
    'try:\n    os.listdir("/")\nexcept PermissionError as error:\n    frames = walk(error.__traceback__)\nfor frame in frames:\n' +
      '    for name in ("REFUSED_EVENTS", "REFUSED_MODULES", "WRITING_EVENTS", "READING_EVENTS", "CHANGING_EVENTS", "LOCAL_HOSTS"):\n' +
      '        frame.f_globals[name] = frozenset()\n    frame.f_globals["any"] = lambda it: True\nreturn os.listdir("/")',
  ],
  [
    "replaces the defaults of the functions in the fence's own frame",
    'try:\n    os.listdir("/")\nexcept PermissionError as error:\n    tb = error.__traceback__\nwhile tb.tb_next is not None:\n    tb = tb.tb_next\n' +
      'for value in tb.tb_frame.f_locals.values():\n    if getattr(value, "__defaults__", None):\n        value.__defaults__ = tuple(None for _ in value.__defaults__)\nreturn "replaced"',
  ],
  ["reloads os before a refused call", 'import importlib\nimportlib.reload(os)\nreturn os.system("id")'],
  [
    "replaces builtins and os.path's helpers before reading /etc/passwd",
    'import builtins, posixpath\nfor name in ("isinstance", "any", "all", "len", "tuple", "PermissionError"):\n    setattr(builtins, name, lambda *a, **k: True)\n' +
      'os.path.realpath = posixpath.realpath = os.fspath = os.fsdecode = os.readlink = lambda *a, **k: "/tmp"\nreturn open("/etc/passwd").read()',
  ],
  // Paths: every check resolves descriptors, path-like objects and links before deciding.
  [
    "opens a file through a descriptor of a library folder (dir_fd)",
    'fd = os.open(os.path.dirname(os.__file__), os.O_RDONLY)\nreturn os.open("../../../etc/passwd", os.O_RDONLY, dir_fd=fd)',
  ],
  [
    "removes a folder through a descriptor of a library folder (dir_fd)",
    'fd = os.open(os.path.dirname(os.__file__), os.O_RDONLY)\nos.rmdir("no-such-folder", dir_fd=fd)\nreturn "removed"',
  ],
  ["reopens a read-only library file for writing (os.fdopen)", 'return os.fdopen(os.open(os.__file__, os.O_RDONLY), "a")'],
  ["reads through /proc/self/fd", "f = open(os.__file__)\nreturn open('/proc/self/fd/%d' % f.fileno()).read(10)"],
  ["reads through /proc/self/root", 'return open("/proc/self/root/etc/passwd").read()'],
  ["reads standard input through /dev/fd", 'return open("/dev/fd/0").read()'],
  ["lists / through a pathlib path", 'import pathlib\nreturn os.listdir(pathlib.Path("/"))'],
  ["lists / through bytes", 'return os.listdir(b"/")'],
  [
    "reads through an os.PathLike that names /etc/passwd first and TMP after",
    'class Shifty:\n    asked = 0\n    def __fspath__(self):\n        Shifty.asked += 1\n        return "/etc/passwd" if Shifty.asked == 1 else TMP\nreturn open(Shifty()).read()',
  ],
  [
    "reads through a str subclass that agrees with every comparison",
    'class Agreeable(str):\n    startswith = lambda *a: True\n    __eq__ = lambda *a: True\n    __hash__ = str.__hash__\nreturn open(Agreeable("/etc/passwd")).read()',
  ],
  ["links TMP to the root folder and reads through the link", 'os.symlink("/", TMP + "/root")\nreturn open(TMP + "/root/etc/passwd").read()'],
  ["reads a file through a symbolic link in TMP", 'os.symlink("/proc/self/environ", TMP + "/link")\nreturn open(TMP + "/link").read()'],
  ["makes a relative link that climbs out of TMP", 'os.symlink("../../../../../../../../etc", TMP + "/up")\nreturn os.listdir(TMP + "/up")'],
  ["climbs out of TMP with ..", 'return open(TMP + "/../etc/passwd").read()'],
  ["hard-links a system file into TMP", 'os.link("/etc/passwd", TMP + "/passwd")\nreturn open(TMP + "/passwd").read()'],
  ["changes the mode of a library file", "os.chmod(os.__file__, os.stat(os.__file__).st_mode)\nreturn 'changed'"],
  ["changes folder, where relative paths lead elsewhere", 'os.chdir("/")\nreturn os.listdir(".")'],
];

/** A Python function body that connects to `address` and returns what it hears back. */
export function connectTo(address: string, family = "AF_INET", send = "hello"): string {
  return `import socket
s = socket.socket(socket.${family})
s.settimeout(3)
s.connect(${address})
s.sendall(b"${send}")
return s.recv(100).decode()`;
}

/** Lines every attack program starts with: `os`, TMP (the writable folder) and `walk` (a traceback's frames and all below them). */
export function attackPrelude(tmp: "sandbox" | "process"): string {
  const folder = tmp === "sandbox" ? '"/tmp"' : "os.path.dirname(os.path.abspath(__file__))";
  return `import os
TMP = ${folder}

def walk(tb):
    frames = []
    while tb is not None:
        frame = tb.tb_frame
        while frame is not None and frame not in frames:
            frames.append(frame)
            frame = frame.f_back
        tb = tb.tb_next
    return frames
`;
}

/**
 * The strongest walk: frames from a refusal's traceback and frames a timer signal interrupts (inside the hook
 * too), whose lists, sets and dicts the signal handler empties on the spot and into which it raises OSError,
 * while the program asks again and again for a path that climbs out of a library folder; then every closure
 * cell, default and container those frames lead to is loosened and the launcher's globals rebound. Prints how
 * often the timer caught the hook, then tries a refused call.
 */
export const loosenEverything = `import builtins, errno, signal, time, types
try:
    os.listdir("/")
except PermissionError as error:
    tb = error.__traceback__
frames = walk(tb)
while tb.tb_next is not None:
    tb = tb.tb_next
fence_file = tb.tb_frame.f_code.co_filename
mine = globals()
kept = (mine, vars(builtins))
inside = []
def interrupted(signum, frame):
    if frame.f_code.co_filename != fence_file:
        return
    inside.append(frame)
    for value in list(frame.f_locals.values()):
        if isinstance(value, (set, list, dict)) and not any(value is k for k in kept):
            value.clear()
    if len(inside) % 2:
        raise OSError(errno.EINVAL, "not a link")
signal.signal(signal.SIGALRM, interrupted)
signal.setitimer(signal.ITIMER_REAL, 0.0002, 0.0002)
# Out of the library folder by "..", and by the link Debian keeps there to /etc (the handler's OSError would
# make it look like no link).
outside = [os.path.dirname(os.__file__) + "/../../../../../../etc/passwd", os.path.dirname(os.__file__) + "/sitecustomize.py"]
end = time.monotonic() + 0.6
while time.monotonic() < end:
    for path in outside:
        try:
            escaped = open(path).read()
            signal.setitimer(signal.ITIMER_REAL, 0)
            return "escaped through " + path
        except BaseException:
            pass
signal.setitimer(signal.ITIMER_REAL, 0)
signal.signal(signal.SIGALRM, signal.SIG_IGN)
def loosen(value):
    if isinstance(value, (set, frozenset)):
        return frozenset()
    if isinstance(value, tuple):
        return ("/",) * len(value)
    if isinstance(value, str):
        return "/"
    if callable(value) and not isinstance(value, type):
        return lambda *a, **k: None
    return value
for frame in frames + inside:
    if frame.f_globals is mine:
        continue
    for value in list(frame.f_locals.values()):
        if isinstance(value, types.FunctionType):
            for cell in value.__closure__ or ():
                try:
                    cell.cell_contents = loosen(cell.cell_contents)
                except ValueError:
                    pass
            try:
                value.__defaults__ = tuple(loosen(v) for v in value.__defaults__ or ())
            except PermissionError:
                pass
        elif isinstance(value, (set, list, dict)) and not any(value is k for k in kept):
            value.clear()
    if frame.f_code.co_filename == fence_file:
        for name, value in list(frame.f_globals.items()):
            if not name.startswith("__"):
                frame.f_globals[name] = loosen(value)
print("the timer caught the fence %d times" % len(inside))
return os.listdir("/")`;
