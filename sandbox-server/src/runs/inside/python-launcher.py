# The first script every Python run executes, inside the sandbox (or, where there is none, as a plain process).
# Started before anyone presses Run (the warm pool), it loads kafka-python, opens the loopback forwarders
# to the Kafka bridge, then waits on stdin for its run: one JSON line with the learner's environment, sent once
# the program is in its folder. Before the learner's code runs it installs an audit hook: a second fence
# behind the OS sandbox that refuses processes, native code, sockets other than Kafka's, and files outside
# the sandbox's own folders. Nothing learner-specific is here until the run begins; each serves one run.
import _signal
import json
import os
import posixpath
import re
import selectors
import socket
import struct
import sys
import threading
import time
import traceback

CONFIG = json.loads(sys.argv[1])
sys.path[:0] = CONFIG["importPaths"]
sys.dont_write_bytecode = True

# ---------------------------------------------------------------------------------------------------------
# The Kafka forwarder: the sandbox has no network but its own loopback.

#: How often the marks of brokers that are down are looked at, as the Node forwarder does.
DOWN_CHECK_SECONDS = 0.2


class BrokerPort:
    """127.0.0.1:<port> inside the sandbox, piped to one broker's socket; not listened on while the broker is marked down."""

    def __init__(self, socket_dir, port):
        self.port = port
        self.socket_path = posixpath.join(socket_dir, f"{port}.sock")
        # downMarkName in sandbox-paths.ts: the Kafka bridge writes it while the broker refuses connections.
        self.mark = posixpath.join(socket_dir, f"{port}.down")
        self.listener = None

    def sync(self, selector):
        """Stops listening while the broker is marked down, so kafka-python sees a refused connection and moves on."""
        down = os.path.exists(self.mark)
        if down and self.listener:
            selector.unregister(self.listener)
            self.listener.close()
            self.listener = None
        elif not down and not self.listener:
            try:
                self.listener = socket.create_server(("127.0.0.1", self.port))
            except OSError:
                return  # still held by a closing socket: the next look tries again
            selector.register(self.listener, selectors.EVENT_READ, self)


def forward_to_kafka(socket_dir):
    """Listens on 127.0.0.1:<port> for every broker socket in `socket_dir` and pipes each connection there."""
    selector = selectors.DefaultSelector()
    sockets = (re.fullmatch(r"(\d+)\.sock", name) for name in sorted(os.listdir(socket_dir)))
    brokers = [BrokerPort(socket_dir, int(match.group(1))) for match in sockets if match]
    # Listening before the learner's code runs: it may connect at once.
    for broker in brokers:
        broker.sync(selector)

    def close(*sockets):
        for each in sockets:
            try:
                selector.unregister(each)
            except (KeyError, ValueError):
                pass
            each.close()

    def pipe(key):
        if isinstance(key.data, BrokerPort):
            client, _ = key.fileobj.accept()
            broker = socket.socket(socket.AF_UNIX)
            try:
                broker.connect(key.data.socket_path)
            except OSError:
                close(client, broker)
                return
            selector.register(client, selectors.EVENT_READ, broker)
            selector.register(broker, selectors.EVENT_READ, client)
            return
        source, target = key.fileobj, key.data
        try:
            chunk = source.recv(65536)
            if chunk:
                target.sendall(chunk)
        except OSError:
            chunk = b""
        if not chunk:
            close(source, target)

    def serve():
        looked = time.monotonic()
        while True:
            for key, _ in selector.select(DOWN_CHECK_SECONDS):
                pipe(key)
            if time.monotonic() - looked >= DOWN_CHECK_SECONDS:
                looked = time.monotonic()
                for broker in brokers:
                    broker.sync(selector)

    threading.Thread(target=serve, name="kafka-forwarder", daemon=True).start()
    return [broker.port for broker in brokers]


# ---------------------------------------------------------------------------------------------------------
# The fence: an audit hook that holds on its own, also where it is the only fence (no OS sandbox).
#
# Python 3.11 raises no audit event for a frame's f_back, f_globals or f_locals, nor for the frame a signal
# handler receives, and tracebacks need tb_frame: a program can always walk frames, the hook's own
# included. So the hook keeps nothing a frame leads to that could be changed: its policy is frozensets and
# tuples bound as default arguments of functions without globals, closures, or lists, sets and dicts of
# their own (replacing a launcher function's __defaults__ or __code__ raises an event, which it refuses);
# it calls only the interpreter's own C functions on exact str, bytes, int and tuple values, never a method
# of a program's object; and it blocks signals while it decides, so no handler runs amid its checks.
# What does raise an event and leads to the hook function itself or to new code is refused: gc's walks,
# other threads' frames, trace and profile functions, code objects made by hand or unmarshalled, and
# sys._getframe. test/processes/python-fence-code.test.ts reads the hook's bytecode to hold it to this.

# What a program may not do at all, by audit event name.
REFUSED_EVENTS = frozenset({
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.startfile", "os.chdir",
    "subprocess.Popen", "pty.spawn", "cpython.PyInterpreterState_New", "resource.setrlimit", "resource.prlimit",
    "socket.sendto", "socket.sendmsg", "socket.sethostname", "syslog.openlog", "syslog.syslog",
    "sys._current_frames", "sys._current_exceptions", "sys.settrace", "sys.setprofile", "sys.addaudithook",
    "gc.get_objects", "gc.get_referrers", "gc.get_referents", "code.__new__", "marshal.load", "marshal.loads",
    "sqlite3.connect", "sqlite3.enable_load_extension", "sqlite3.load_extension", "os.killpg",
})
# Modules that only lead out of the fence: a process launcher, native calls, interpreters without hooks,
# and C code that opens files without an audit event (/etc/passwd and /etc/shadow included).
REFUSED_MODULES = frozenset({
    "_posixsubprocess", "_ctypes", "ctypes", "_xxsubinterpreters", "_testcapi", "_testinternalcapi",
    "_multiprocessing", "_posixshmem", "_sqlite3", "sqlite3", "_gdbm", "_dbm", "readline", "pwd", "grp", "spwd",
    "ossaudiodev",
})
# Events on a file system entry whose path is their first argument (and, for CHANGING_AT_EVENTS, dir_fd their last).
CHANGING_EVENTS = frozenset({"os.truncate", "os.setxattr", "os.removexattr", "os.chflags"})
CHANGING_AT_EVENTS = frozenset({"os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.utime"})
READING_EVENTS = frozenset({"os.listdir", "os.scandir", "os.getxattr", "os.listxattr"})
LOOKUP_EVENTS = frozenset({"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"})
# Setting these on one of the launcher's functions would change code that runs; the fence relies on __defaults__.
CODE_ATTRIBUTES = frozenset({"__code__", "__defaults__", "__kwdefaults__"})
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", b"127.0.0.1", b"localhost"})
SOCKET_FAMILIES = frozenset({socket.AF_INET, socket.AF_INET6, socket.AF_UNIX})


class FrameRefused(PermissionError, ValueError):
    """A refused sys._getframe: a ValueError as well, the error logging, namedtuple, typing and enum already expect there."""


FrameRefused.__name__ = FrameRefused.__qualname__ = "PermissionError"
FrameRefused.__module__ = "builtins"


#: Functions Python raises no audit event for that reach past the fence (files made anywhere, another root
#: folder, other processes' signals and scheduling, the system clock): the module a program knows them by, the C
#: module that holds them, their names.
UNAUDITED_FUNCTIONS = (
    ("os", "posix", ("mkfifo", "mknod", "chroot", "setpriority", "sched_setaffinity", "sched_setscheduler", "sched_setparam")),
    ("signal", "_signal", ("pidfd_send_signal",)),
    ("time", "time", ("clock_settime", "clock_settime_ns")),
)


def close_unaudited_doors():
    """
    Replaces the functions Python does not audit with refusals, after loading the built-in modules a program may
    use; then lets no built-in module be made anew, which would bring them back: importlib makes one without the
    "import" event the fence refuses modules by (and Debian builds _posixsubprocess into the interpreter).
    """
    import _imp
    import signal  # noqa: F401 — loaded now, so that its copies are replaced too

    for name in sys.builtin_module_names:
        if name not in REFUSED_MODULES:
            __import__(name)

    def refused(what):
        def refusal(*args, **kwargs):
            raise PermissionError(f"The course's sandbox does not allow this: {what}. Programs here talk to Kafka and nothing else.")

        return refusal

    for shown, module, names in UNAUDITED_FUNCTIONS:
        for name in names:
            refusal = refused(f"{shown}.{name}")
            for holder in {shown, module}:
                if hasattr(sys.modules[holder], name):
                    setattr(sys.modules[holder], name, refusal)
    _imp.create_builtin = lambda spec: refused(f"making the built-in module {spec.name} anew")()


def install_fence(libraries, readable, writable, kafka_ports, listen_ports, socket_dir):
    """Adds the audit hook that refuses what a course program has no business doing."""
    cwd = os.getcwd()  # fixed from now on: os.chdir is refused

    def resolve(path, follow_last, movable, readlink=os.readlink, OSError=OSError):
        """
        `path` (absolute) with ".", ".." and symbolic links resolved, the last one only if `follow_last`; None
        where the kernel could go elsewhere: through /proc (its links name what they do not lead to), after 40
        links, or up ("..") out of a folder the program may change (another thread could swap it for a link).
        """
        rest, done, links = path, "", 0
        while rest:
            name, _, rest = rest.partition("/")
            if name == "" or name == ".":
                continue
            if name == "..":
                for prefix in movable:
                    if done == prefix[:-1] or done.startswith(prefix):
                        return None
                done = done[: done.rfind("/")]
                continue
            step = done + "/" + name
            if step == "/proc":
                return None
            if not follow_last and rest.strip("/") == "":
                return step
            try:
                target = readlink(step)
            except OSError:
                done = step  # not a link; or missing, where the kernel stops as well
                continue
            links += 1
            if links > 40:
                return None
            if target[:1] == "/":
                done = ""
            rest = target + "/" + rest
        return done or "/"

    def fd_path(fd, readlink=os.readlink, OSError=OSError, str=str):
        """The file an open descriptor names, or "" for a pipe, a socket or no descriptor at all."""
        try:
            target = readlink("/proc/self/fd/" + str(fd))
        except OSError:
            return ""
        return target if target[:1] == "/" else ""

    def named(path, dir_fd=-1, type=type, str=str, bytes=bytes, int=int, cwd=cwd, fd_path=fd_path):
        """The absolute path an argument names; "" for a descriptor of no file; None when it cannot be told."""
        kind = type(path)
        if kind is int:
            return fd_path(path)
        if kind is bytes:
            path = path.decode("utf-8", "surrogateescape")
        elif kind is not str:
            return None  # a str subclass or another object could answer differently the next time it is asked
        if path[:1] == "/":
            return path
        if dir_fd == -1 or dir_fd == -100:
            return cwd + "/" + path
        base = fd_path(dir_fd) if type(dir_fd) is int else ""
        return base + "/" + path if base else None

    def within(path, roots, prefixes):
        for root in roots:
            if path == root:
                return True
        for prefix in prefixes:
            if path.startswith(prefix):
                return True
        return False

    def roots_of(paths, resolve=resolve, tuple=tuple):
        """Roots as (exact paths, path prefixes), their links resolved now."""
        real, prefixes = [], []
        for path in paths:
            real.append(resolve(path, True, ()) or path)
            prefixes.append(real[-1] + "/")
        return tuple(real), tuple(prefixes)

    libraries = roots_of(libraries)
    readable = roots_of([*libraries[0], *readable])
    writable = roots_of(writable)
    movable = writable[1]
    kafka_ports = frozenset(kafka_ports)
    listen_ports = frozenset(listen_ports)
    socket_prefix = (resolve(socket_dir, True, ()) + "/") if socket_dir else None
    own_pid = os.getpid()

    def may(path, roots, change=False, dir_fd=-1, named=named, resolve=resolve, within=within, movable=movable):
        """Whether `path` lies in `roots`; a change must lie below a root, both through its last link and not."""
        name = named(path, dir_fd)
        if name == "":
            return True  # a pipe or socket: nothing on disk to protect
        if name is None:
            return False
        for follow in (True, False) if change else (True,):
            real = resolve(name, follow, movable)
            if real is None or not within(real, () if change else roots[0], roots[1]):
                return False
        return True

    def relative(path, type=type, str=str, bytes=bytes):
        kind = type(path)
        return (kind is str and path[:1] != "/") or (kind is bytes and path[:1] != b"/")

    def shown(path, type=type, str=str, bytes=bytes, int=int):
        """A path argument as a refusal names it, without asking the object itself."""
        kind = type(path)
        if kind is str:
            return path
        if kind is bytes:
            return path.decode("utf-8", "replace")
        return "file descriptor " + str(path) if kind is int else "a path that is not a str or bytes"

    def fixed_link(target, prefixes, type=type, str=str, bytes=bytes):
        """Whether a new symbolic link's target stays put: a whole path, no "." or "..", below a writable root."""
        if type(target) is bytes:
            target = target.decode("utf-8", "surrogateescape")
        if type(target) is not str or target[:1] != "/":
            return False
        rest, more = target[1:], "/"
        while more:
            part, more, rest = rest.partition("/")
            if part == "" or part == "." or part == "..":
                return False
        for prefix in prefixes:
            if target.startswith(prefix):
                return True
        return False

    def file_refusal(event, args, may=may, relative=relative, shown=shown, fixed_link=fixed_link, readable=readable, writable=writable,
                     reading=READING_EVENTS, changing=CHANGING_EVENTS, changing_at=CHANGING_AT_EVENTS, write_flags=WRITE_FLAGS, cwd=cwd):
        """Why a file event is refused, or None."""
        if event == "open":
            path, mode, flags = args
            if path is not None and mode is None and relative(path):
                return "os.open of a relative path, " + shown(path) + " (give the whole path)"  # hooks are not shown its dir_fd
            if path is None or may(path, writable if flags & write_flags else readable):
                return None
            return ("writing " if flags & write_flags else "reading ") + shown(path)
        if event in reading:
            return None if may(cwd if args[0] is None else args[0], readable) else "reading " + shown(args[0])
        if event in changing or event in changing_at:
            return None if may(args[0], writable, True, args[-1] if event in changing_at else -1) else "changing " + shown(args[0])
        if event == "os.rename" or event == "os.link":
            if may(args[0], writable, True, args[2]) and may(args[1], writable, True, args[3]):
                return None
            return "changing " + shown(args[0]) + " or " + shown(args[1])
        if event == "os.symlink" and not (fixed_link(args[0], writable[1]) and may(args[1], writable, True, args[2])):
            return "a link to " + shown(args[0]) + " (a link here leads to a whole path in /tmp)"
        return None

    def socket_refusal(event, args, named=named, resolve=resolve, movable=movable, kafka_ports=kafka_ports, listen_ports=listen_ports,
                       socket_prefix=socket_prefix, local=LOCAL_HOSTS, lookups=LOOKUP_EVENTS, families=SOCKET_FAMILIES,
                       type=type, tuple=tuple, str=str, bytes=bytes, int=int, len=len):
        """Why a socket event is refused, or None: Kafka's ports and local name lookups are all a program needs."""
        if event == "socket.__new__":
            return None if (args[1] in families or args[1] == -1) and args[2] & 15 in (1, 2) else "a raw socket"
        if event in lookups or event == "socket.getnameinfo":
            host = args[0]
            if event == "socket.getnameinfo":
                host = host[0] if type(host) is tuple and len(host) > 0 else 0
            return None if host is None or ((type(host) is str or type(host) is bytes) and host in local) else "looking up names"
        if event == "socket.connect" or event == "socket.connect_ex" or event == "socket.bind":
            verb = "listening on " if event == "socket.bind" else "connecting to "
            address = args[1]
            if type(address) is tuple and len(address) == 2:
                host, port = address
                if type(host) is str and type(port) is int and host in local:
                    return None if port in (listen_ports if event == "socket.bind" else kafka_ports) else verb + "port " + str(port)
            elif event != "socket.bind" and socket_prefix and (type(address) is str or type(address) is bytes):
                name = named(address)
                real = resolve(name, True, movable) if name else None
                if real is not None and real.startswith(socket_prefix) and "/" not in real[len(socket_prefix) :]:
                    return None
            return verb + "that address"
        return None

    def refusal(event, args, file_refusal=file_refusal, socket_refusal=socket_refusal, may=may, libraries=libraries,
                refused_modules=REFUSED_MODULES, code_attributes=CODE_ATTRIBUTES, own_pid=own_pid, own_file=install_fence.__code__.co_filename,
                function=type(install_fence), type=type, str=str, int=int):
        """Why an event is refused, in a few words, or None."""
        if event == "import":
            name, filename = args[0], args[1]
            if type(name) is not str:
                return "an import by a name that is not a str"
            if name in refused_modules or name.partition(".")[0] in refused_modules:
                return "import " + name
            # Native code is loaded only from the interpreter's own library or kafka-python's folder.
            return None if filename is None or may(filename, libraries) else "import " + name
        if event.startswith("socket."):
            return socket_refusal(event, args)
        if event == "object.__setattr__" or event == "object.__delattr__":
            target, name = args[0], args[1]
            if type(name) is str and name in code_attributes and type(target) is function and target.__code__.co_filename == own_file:
                return "changing the launcher's " + name
            return None
        if event == "os.kill":
            return None if type(args[0]) is int and args[0] == own_pid else "signalling another process"
        if event == "open" or event.startswith("os."):
            return file_refusal(event, args)
        return None

    def hook(event, args, refused=REFUSED_EVENTS, refusal=refusal, mask=_signal.pthread_sigmask, block=_signal.SIG_BLOCK,
             restore=_signal.SIG_SETMASK, signals=frozenset(_signal.valid_signals()), PermissionError=PermissionError, FrameRefused=FrameRefused):
        # While it decides, no signal handler may run: one could raise into its checks, or read its frame mid-way.
        held = mask(block, signals)
        try:
            why = event if event in refused or event.startswith("ctypes.") else refusal(event, args)
        finally:
            mask(restore, held)
        if event == "sys._getframe":
            why, PermissionError = event, FrameRefused
        if why is not None:
            raise PermissionError("The course's sandbox does not allow this: " + why + ". Programs here talk to Kafka and nothing else.")

    sys.addaudithook(hook)


# ---------------------------------------------------------------------------------------------------------
# What a failed run shows: the learner's own frames, or one line when Kafka could not be reached.

#: kafka-python's errors for a broker that cannot be reached or went away while a request waited.
CONNECTION_ERRORS = frozenset({
    "KafkaConnectionError", "NoBrokersAvailable", "NodeNotReadyError", "RequestTimedOutError", "NetworkExceptionError",
    "BrokerNotAvailableError", "NotLeaderForPartitionError", "LeaderNotAvailableError", "NotEnoughReplicasError",
    "NotEnoughReplicasAfterAppendError", "CoordinatorNotAvailableError", "NotCoordinatorError", "MetadataEmptyBrokerList",
})
#: ApiVersions v0, which a broker answers before any login: size, api key 18, version 0, correlation id 1, no client id.
API_VERSIONS_REQUEST = struct.pack(">ihhih", 10, 18, 0, 1, -1)


def brokers_answering(brokers):
    """How many of `brokers` ((host, port) pairs) answer a Kafka request now."""
    answering = 0
    for address in brokers:
        try:
            with socket.create_connection(address, timeout=1.5) as connection:
                connection.sendall(API_VERSIONS_REQUEST)
                answering += len(connection.recv(4)) > 0
        except OSError:
            pass
    return answering


def kafka_outage(error, brokers):
    """The one line said instead of kafka-python's traceback when the program could not reach Kafka, or None."""
    names = {kind.__name__ for kind in type(error).__mro__ if kind.__module__.startswith("kafka.")}
    lost = bool(names & CONNECTION_ERRORS) or ("KafkaTimeoutError" in names and "bootstrap" in str(error))
    if not lost and "KafkaTimeoutError" not in names:
        return None
    answering = brokers_answering(brokers)
    if answering == 0:
        return f"Kafka could not be reached: no broker answers ({error}). Check that Kafka runs (`npm run kafka -- status`), then run your program again."
    if lost:
        return (
            f"Kafka could not be reached: a broker stopped answering while your program ran ({error}). "
            f"{answering} of {len(brokers)} answer now, and take over its partitions within seconds: run your program again."
        )
    return None  # a timeout while Kafka answers (a topic it refused, say): the traceback tells more


def learner_traceback(error, program_dir):
    """The traceback of the learner's code only: the launcher's and runpy's frames are not theirs."""
    report = traceback.TracebackException.from_exception(error)
    for each in [report, *iter_chain(report)]:
        frames = [frame for frame in each.stack if not frame.filename.startswith(CONFIG["launcherDir"]) and "runpy" not in frame.filename]
        for frame in frames:
            if frame.filename.startswith(program_dir + "/"):
                frame.filename = frame.filename[len(program_dir) + 1:]
        each.stack = traceback.StackSummary.from_list(frames)
        if isinstance(getattr(each, "filename", None), str) and each.filename.startswith(program_dir + "/"):
            each.filename = each.filename[len(program_dir) + 1:]  # a SyntaxError names its file itself
    return "".join(report.format())


def iter_chain(report):
    while True:
        report = report.__cause__ or (None if report.__suppress_context__ else report.__context__)
        if report is None:
            return
        yield report


class FailureReports:
    """What the learner sees of errors their program did not catch: in its own code, in a thread, in a clean-up."""

    def __init__(self, program_dir, brokers):
        self.program_dir = program_dir
        self.brokers = brokers
        self.kafka_gone = False

    def of(self, error):
        outage = kafka_outage(error, self.brokers)
        if outage:
            self.kafka_gone = True
            return outage + "\n"
        return learner_traceback(error, self.program_dir)

    def thread_failed(self, failure):
        """threading.excepthook."""
        if failure.exc_type is not SystemExit:
            sys.stderr.write(f"Exception in thread {failure.thread.name if failure.thread else '?'}:\n{self.of(failure.exc_value)}")

    def cleanup_failed(self, failure):
        """sys.unraisablehook: kafka-python's clients flush when they are collected, which fails too once Kafka is gone."""
        error = failure.exc_value
        if error is None or not type(error).__module__.startswith("kafka."):
            sys.__unraisablehook__(failure)
        elif not self.kafka_gone:
            sys.stderr.write(f"kafka-python could not finish closing a client: {error}\n")


# ---------------------------------------------------------------------------------------------------------
# Stop: the server sends SIGTERM, then SIGKILL after a grace. In the grace the program's consumers leave their
# groups, so the learner's next run joins at once instead of waiting for the broker to time the old member out.

#: What closing the consumers may take of the server's grace.
LEAVE_SECONDS = 2.0


def track_consumers(kafka):
    """Every KafkaConsumer the program makes, weakly held, so a stopped program can close them."""
    import weakref

    consumers = weakref.WeakSet()
    make = kafka.KafkaConsumer.__init__

    def __init__(self, *topics, **configs):
        make(self, *topics, **configs)
        consumers.add(self)

    kafka.KafkaConsumer.__init__ = __init__
    return consumers


class Stopped(SystemExit):
    """Raised in the program's thread by SIGTERM: the learner pressed Stop, or the run's time is up."""


def raise_stopped(signum, frame):
    raise Stopped(128 + signum)


def leave_groups(consumers):
    """Closes the program's consumers without committing (a stop is not the program's own decision to commit)."""
    deadline = time.monotonic() + LEAVE_SECONDS
    for consumer in list(consumers):
        if time.monotonic() > deadline:
            return
        try:
            consumer.close(autocommit=False, timeout_ms=max(1, int((deadline - time.monotonic()) * 1000)))
        except BaseException:  # noqa: BLE001 — a consumer that cannot leave is timed out by the broker, as before
            pass


def broker_addresses(brokers):
    """KAFKA_BROKERS ("host:port,…") as (host, port) pairs."""
    return [(host, int(port)) for host, _, port in (address.rpartition(":") for address in brokers.split(",")) if port.isdigit()]


def say_loaded():
    """Tells the server, on LOADED_FD (sandbox-paths.ts), that all is loaded: it may start the next process it keeps ready."""
    if os.environ.pop("TRIBUTARY_LOADED_FD", None) != "3":
        return
    try:
        os.write(3, b"1")
        os.close(3)
    except OSError:
        pass  # not a pipe anyone reads: nothing waits for the word


def main():
    socket_dir = CONFIG.get("kafkaSocketDir")
    listen_ports = forward_to_kafka(socket_dir) if socket_dir else []
    # Loaded now, before the run: this is most of what a Python program waits for at start.
    import kafka  # noqa: F401
    import kafka.admin  # noqa: F401
    import runpy

    consumers = track_consumers(kafka)

    close_unaudited_doors()
    say_loaded()

    line = sys.stdin.readline()
    if not line:
        sys.exit(0)  # the server let this sandbox go unused
    os.environ.update(json.loads(line)["env"])
    brokers = broker_addresses(os.environ.get("KAFKA_BROKERS", ""))
    program = CONFIG["program"]
    program_dir = posixpath.dirname(program)
    sys.path.insert(0, program_dir)
    sys.argv = [posixpath.basename(program)]
    # Modules imported from now on are compiled from source: the fence refuses unmarshalling code.
    sys.pycache_prefix = os.devnull
    reports = FailureReports(program_dir, brokers)
    threading.excepthook = reports.thread_failed
    sys.unraisablehook = reports.cleanup_failed
    install_fence(CONFIG["libraries"], CONFIG["readable"], CONFIG["writable"], [*listen_ports, *(port for _, port in brokers)], listen_ports, socket_dir)
    _signal.signal(_signal.SIGTERM, raise_stopped)
    try:
        runpy.run_path(program, run_name="__main__")
    except Stopped:
        leave_groups(consumers)
        raise
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except BaseException as error:  # noqa: BLE001 — every failure of the learner's code is reported the same way
        sys.stderr.write(reports.of(error))
        sys.exit(1)


main()
