# The first script every Python run executes, inside the sandbox (or, where there is none, as a plain process).
# Started before anyone presses Run (the warm pool), it loads kafka-python, opens the loopback forwarders
# to the Kafka bridge, then waits on stdin for its run: one JSON line with the learner's environment, sent once
# the program is in its folder. Before the learner's code runs it installs an audit hook: a second fence
# behind the OS sandbox that refuses processes, native code, sockets other than Kafka's, and files outside
# the sandbox's own folders. Nothing learner-specific is here until the run begins; each serves one run.
import json
import os
import posixpath
import re
import selectors
import socket
import sys
import threading
import traceback

CONFIG = json.loads(sys.argv[1])
sys.path[:0] = CONFIG["importPaths"]
sys.dont_write_bytecode = True

# What a program may not do at all, by audit event name.
REFUSED_EVENTS = frozenset({
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.startfile",
    "subprocess.Popen", "pty.spawn", "resource.setrlimit", "resource.prlimit", "socket.bind", "socket.sendto",
    "socket.sendmsg", "gc.get_referrers", "gc.get_referents", "gc.get_objects", "sys._current_frames",
    "cpython.PyInterpreterState_New", "os.setuid", "os.setgid", "os.chroot",
})
# Modules that only lead out of the fence (a process launcher, native calls, interpreters without hooks).
REFUSED_MODULES = frozenset({"_posixsubprocess", "_ctypes", "ctypes", "_xxsubinterpreters", "_testcapi", "_testinternalcapi", "_multiprocessing"})
WRITING_EVENTS = frozenset({
    "os.remove", "os.rmdir", "os.mkdir", "os.rename", "os.replace", "os.link", "os.symlink", "os.truncate",
    "os.chmod", "os.chown", "os.utime", "os.mkfifo", "os.mknod", "os.chflags", "shutil.rmtree", "shutil.move",
})
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", None})


def forward_to_kafka(socket_dir):
    """Listens on 127.0.0.1:<port> for every broker socket in `socket_dir` and pipes each connection there."""
    selector = selectors.DefaultSelector()
    ports = []
    for name in sorted(os.listdir(socket_dir)):
        match = re.fullmatch(r"(\d+)\.sock", name)
        if not match:
            continue
        listener = socket.create_server(("127.0.0.1", int(match.group(1))))
        selector.register(listener, selectors.EVENT_READ, posixpath.join(socket_dir, name))
        ports.append(int(match.group(1)))

    def close(*sockets):
        for each in sockets:
            try:
                selector.unregister(each)
            except (KeyError, ValueError):
                pass
            each.close()

    def serve():
        while True:
            for key, _ in selector.select():
                if isinstance(key.data, str):
                    client, _ = key.fileobj.accept()
                    broker = socket.socket(socket.AF_UNIX)
                    try:
                        broker.connect(key.data)
                    except OSError:
                        close(client, broker)
                        continue
                    selector.register(client, selectors.EVENT_READ, broker)
                    selector.register(broker, selectors.EVENT_READ, client)
                    continue
                source, target = key.fileobj, key.data
                try:
                    chunk = source.recv(65536)
                    if chunk:
                        target.sendall(chunk)
                except OSError:
                    chunk = b""
                if not chunk:
                    close(source, target)

    threading.Thread(target=serve, name="kafka-forwarder", daemon=True).start()
    return ports


def install_fence(libraries, readable, writable, kafka_ports, socket_dir):
    """Adds the audit hook that refuses what a course program has no business doing."""
    libraries = tuple(libraries)
    readable = libraries + tuple(readable)
    writable = tuple(writable)
    kafka_ports = frozenset(kafka_ports)
    socket_prefix = socket_dir + "/" if socket_dir else None
    realpath, fspath, getpid = os.path.realpath, os.fspath, os.getpid

    def inside(path, roots):
        if isinstance(path, int):
            return True  # an already open descriptor
        path = realpath(os.fsdecode(fspath(path)))
        return any(path == root or path.startswith(root + "/") for root in roots)

    def refuse(what):
        raise PermissionError(f"The course's sandbox does not allow this: {what}. Programs here talk to Kafka and nothing else.")

    def hook(event, args):
        if event in REFUSED_EVENTS or event.startswith("ctypes."):
            refuse(event)
        elif event == "import":
            module, filename = args[0], args[1]
            if module in REFUSED_MODULES or (isinstance(filename, str) and filename.endswith(".so") and not inside(filename, libraries)):
                refuse(f"import {module}")
        elif event == "open":
            path, mode, flags = args
            writes = any(c in mode for c in "wax+") if isinstance(mode, str) else bool((flags or 0) & WRITE_FLAGS)
            if path is not None and not inside(path, writable if writes else readable):
                refuse(f"{'writing' if writes else 'reading'} {path}")
        elif event in ("os.listdir", "os.scandir"):
            if args[0] is not None and not inside(args[0], readable):
                refuse(f"listing {args[0]}")
        elif event in WRITING_EVENTS:
            for path in args:
                if isinstance(path, (str, bytes)) and not inside(path, writable):
                    refuse(f"changing {path}")
        elif event in ("socket.connect", "socket.connect_ex"):
            address = args[1]
            if isinstance(address, tuple) and address[0] in LOCAL_HOSTS and address[1] in kafka_ports:
                return
            if isinstance(address, (str, bytes)) and socket_prefix and os.fsdecode(address).startswith(socket_prefix):
                return
            refuse(f"connecting to {address!r}")
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr", "socket.getnameinfo"):
            host = args[0][0] if isinstance(args[0], tuple) else args[0]
            host = os.fsdecode(host) if isinstance(host, bytes) else host
            if host not in LOCAL_HOSTS:
                refuse(f"looking up {host!r}")
        elif event in ("os.kill", "os.killpg", "signal.pthread_kill"):
            if args[0] != getpid():
                refuse("signalling another process")

    sys.addaudithook(hook)


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


def main():
    socket_dir = CONFIG.get("kafkaSocketDir")
    ports = forward_to_kafka(socket_dir) if socket_dir else []
    # Loaded now, before the run: this is most of what a Python program waits for at start.
    import kafka  # noqa: F401
    import kafka.admin  # noqa: F401
    import runpy

    line = sys.stdin.readline()
    if not line:
        sys.exit(0)  # the server let this sandbox go unused
    os.environ.update(json.loads(line)["env"])
    brokers = os.environ.get("KAFKA_BROKERS", "")
    ports += [int(address.rsplit(":", 1)[1]) for address in brokers.split(",") if ":" in address]
    program = CONFIG["program"]
    program_dir = posixpath.dirname(program)
    sys.path.insert(0, program_dir)
    sys.argv = [posixpath.basename(program)]
    install_fence(CONFIG["libraries"], CONFIG["readable"], CONFIG["writable"], ports, socket_dir)
    try:
        runpy.run_path(program, run_name="__main__")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except BaseException as error:  # noqa: BLE001 — every failure of the learner's code is reported the same way
        sys.stderr.write(learner_traceback(error, program_dir))
        sys.exit(1)


main()
