"""The sandboxed side of grading: one process per question, started by ``sandbox.py`` inside bubblewrap.

It is run as ``python -I -S -B /opt/dlgrade/_sandbox_worker.py UID SITE WORK`` in a fresh sandbox that
sees only the Python installation, NumPy (under /opt/site), this file, ``wire.py`` and
``seccomp.py`` (under /opt/dlgrade), and a small tmpfs. It

1. gives up the root user id for ``UID`` (when the grader runs as root; -1 otherwise: then
   bubblewrap's user namespace already gave it an unprivileged id), imports NumPy, says
   "ready" and waits, so the grader can start the next question's worker ahead of time;
2. on the job (the notebook's cells and the function's name; never a test input), locks
   itself down: resource limits, stdin/stdout/stderr on /dev/null, a second seccomp
   allow-list (no exec, no processes, signals only to itself), and an audit hook (a second
   layer: files outside Python and the working folder, sockets, ctypes, processes);
3. runs the cells, then answers one call at a time: the grader sends a call's inputs only
   when that call starts, and gets back the value and the arguments as they are afterwards.
   A function argument (``f`` of a numerical gradient) is a stand-in that asks the grader
   for f(x), one point at a time.

Nothing here decides a verdict: the grader compares values, and looks for changed inputs,
in its own process.
"""

from __future__ import annotations

import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = "/tmp/work"  # set from the command line
READ_CHUNK = 1 << 16
MESSAGE_CHARS = 600
FILE_SIZE_LIMIT = 64 << 20
OPEN_FILES_LIMIT = 64
PROCESS_LIMIT = 64  # threads count too

# Extension modules that could reach files or processes without an audited call.
BLOCKED_IMPORTS = frozenset(
    {"readline", "_posixsubprocess", "_sqlite3", "sqlite3", "_dbm", "_gdbm", "dbm", "_curses", "curses"}
    | {"_curses_panel", "_tkinter", "tkinter", "nis", "termios", "pty", "tty"}
)
# Audit events refused outright (prefix match).
BLOCKED_EVENTS = (
    *("subprocess.", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.forkpty"),
    *("os.startfile", "os.kill", "os.killpg", "os.symlink", "os.link", "pty.", "signal.pthread_kill"),
    *("ctypes.", "socket.", "resource.setrlimit", "resource.prlimit", "sys.addaudithook", "sqlite3."),
    *("winreg.", "webbrowser.", "fcntl.", "mmap.", "_posixsubprocess."),
)
READ_PATH_EVENTS = frozenset({"os.listdir", "os.scandir", "os.getxattr", "os.listxattr", "os.fwalk"})
WRITE_PATH_EVENTS = frozenset(
    {"os.remove", "os.rmdir", "os.mkdir", "os.rename", "os.chmod", "os.chown", "os.chflags", "os.truncate"}
    | {"os.utime", "os.setxattr", "os.removexattr", "os.mkfifo", "os.mknod", "os.lockf"}
    | {"shutil.rmtree", "shutil.copyfile", "shutil.copymode", "shutil.copystat", "shutil.copytree"}
    | {"shutil.move", "shutil.chown", "shutil.make_archive", "shutil.unpack_archive"}
)
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


# --- the audit hook (second layer) ---------------------------------------------------------------
def install_audit_hook(read_roots: list[str], write_roots: list[str]) -> None:
    """Refuse, from now on, what this worker has no business doing (the OS refuses it too)."""
    realpath, fsdecode, isdir, sep = os.path.realpath, os.fsdecode, os.path.isdir, os.sep

    def inside(path: str, roots: list[str]) -> bool:
        return any(path == root or path.startswith(root + sep) for root in roots)

    def allowed(path, write: bool, opening: bool = False) -> bool:
        if isinstance(path, int):
            return True  # an already-open descriptor
        try:
            raw = fsdecode(path)
        except TypeError:
            return False
        if not os.path.isabs(raw) and ".." in raw.replace("\\", "/").split("/"):
            return False
        resolved = realpath(raw)
        if inside(resolved, write_roots):
            return True
        return not write and inside(resolved, read_roots) and not (opening and isdir(resolved))

    def refuse(what: str):
        raise PermissionError(f"not allowed while grading: {what}")

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = args
            if isinstance(flags, int):
                write = bool(flags & WRITE_FLAGS)
            else:
                write = isinstance(mode, str) and any(c in mode for c in "wax+")
            if path is not None and not allowed(path, write, opening=True):
                refuse(f"opening {path!r}")
        elif event in READ_PATH_EVENTS:
            if args and args[0] is not None and not allowed(args[0], False):
                refuse(f"{event} {args[0]!r}")
        elif event in WRITE_PATH_EVENTS:
            for arg in args:
                if isinstance(arg, (str, bytes, os.PathLike)) and not allowed(arg, True):
                    refuse(f"{event} {arg!r}")
        elif event == "import":
            if args and args[0] in BLOCKED_IMPORTS:
                raise ImportError(f"module {args[0]!r} is not available while grading")
        elif event.startswith(BLOCKED_EVENTS):
            refuse(event)

    sys.addaudithook(hook)


# --- the channel to the grader -------------------------------------------------------------------
class Channel:
    """Frames in from the grader, frames out to it (both on private descriptors)."""

    def __init__(self, wire, fd_in: int, fd_out: int):
        self.wire, self.fd_in, self.fd_out = wire, fd_in, fd_out
        self.reader = wire.FrameReader(fn_proxy=self.proxy, max_string=4 << 20)  # whole cells from the grader
        self.queue: list[dict] = []
        self.proxies: list = []
        self._write, self._read = os.write, os.read

    def send(self, message: dict) -> None:
        data = self.wire.pack(message)
        while data:
            data = data[self._write(self.fd_out, data) :]

    def receive(self) -> dict | None:
        while not self.queue:
            chunk = self._read(self.fd_in, READ_CHUNK)
            if not chunk:
                return None
            self.queue += self.reader.feed(chunk)
            if self.reader.error:
                return None
        return self.queue.pop(0)

    def proxy(self, slot: int):
        """A stand-in for the grader's test function number ``slot``: f(x) is asked of the grader."""
        plain, send, receive = self.wire.plain, self.send, self.receive

        def f(x):
            send({"type": "fn_call", "slot": slot, "x": plain(x)})
            reply = receive()
            if not isinstance(reply, dict) or reply.get("type") != "fn_value":
                raise RuntimeError("the grader did not answer")
            if reply.get("error") is not None:
                raise ValueError(str(reply["error"]))
            return reply.get("value")

        f.__name__ = f.__qualname__ = "f"
        self.proxies.append(f)
        return f


# --- locking down --------------------------------------------------------------------------------
def _lock_down(job: dict, keep_fds: tuple[int, ...], seccomp) -> None:
    import platform
    import resource
    import signal

    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    max_fd = min(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 1 << 16)
    low = 3
    for fd in sorted(keep_fds):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, max_fd)
    linux = sys.platform.startswith("linux")  # elsewhere only self-study runs exist: do what the OS allows
    limits = job["limits"]
    memory, cpu = int(limits["memory_mb"]) << 20, int(limits["cpu_seconds"])
    for name, value in (
        ("RLIMIT_AS", memory),
        ("RLIMIT_CPU", cpu),
        ("RLIMIT_FSIZE", FILE_SIZE_LIMIT),
        ("RLIMIT_CORE", 0),
        ("RLIMIT_NOFILE", OPEN_FILES_LIMIT),
        ("RLIMIT_NPROC", PROCESS_LIMIT),
    ):
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
        except (ValueError, OSError, AttributeError):
            if linux:
                raise
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails instead of killing

    os.makedirs(WORK, exist_ok=True)
    os.chdir(WORK)
    os.environ.clear()
    os.environ.update({"HOME": WORK, "TMPDIR": WORK, "MPLCONFIGDIR": WORK, "LANG": "C.UTF-8"})

    # Names a notebook imports that must not reach the real package or the real process API.
    grader_stub = types.ModuleType("dlgrade", "Stand-in: public checks do not run while grading.")
    grader_stub.check = lambda *args, **kwargs: None
    grader_stub.__path__ = []
    sys.modules["dlgrade"] = grader_stub
    spawn_stub = types.ModuleType("_posixsubprocess")

    def fork_exec(*args, **kwargs):
        raise PermissionError("not allowed while grading: starting processes")

    spawn_stub.fork_exec = fork_exec
    sys.modules["_posixsubprocess"] = spawn_stub
    if linux and platform.machine() in seccomp.ARCHES:  # isolated runs exist only where it is
        seccomp.install(seccomp.program(platform.machine(), "locked", os.getpid()))
    read_roots = sorted({os.path.realpath(p) for p in sys.path if p and os.path.isdir(p)})
    sys.path[:] = [p for p in sys.path if p and p != HERE]
    install_audit_hook(read_roots, [os.path.realpath(WORK)])


def _message(err: BaseException) -> str:
    """``Type: message (cell k, line n)`` for the innermost frame in submitted code."""
    try:
        text = f"{type(err).__name__}: {err}"
    except BaseException:  # a hostile __str__
        text = "an exception"
    where = ""
    tb = err.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith("<code cell "):
            where = f" ({filename[1:-1]}, line {tb.tb_lineno})"
        tb = tb.tb_next
    text = text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + "..."
    return text + where


def _snapshot(value, proxies: list):
    if any(value is p for p in proxies):
        return None
    if type(value) in (list, tuple):
        return [_snapshot(v, proxies) for v in value]
    if type(value) is dict:
        return {k: _snapshot(v, proxies) for k, v in value.items()}
    return value


# --- the work ------------------------------------------------------------------------------------
def run_job(job: dict, channel: Channel, wire) -> None:
    """Run the cells, then answer the grader's calls until it says "end"."""
    main = types.ModuleType("__main__")
    sys.modules["__main__"] = main
    namespace = main.__dict__
    skip = set(job["skip_cells"])
    send, plain = channel.send, wire.plain
    for index, source in enumerate(job["cells"]):
        if index in skip:
            continue
        send({"type": "cell_start", "index": index})
        error = None
        try:
            exec(compile(source, f"<code cell {index + 1}>", "exec"), namespace)
        except BaseException as err:  # a cell's failure is reported, the next cells still run
            error = _message(err)
        send({"type": "cell_end", "index": index, "error": error})
    send({"type": "cells_done"})

    name = job["function"]
    while True:
        message = channel.receive()
        if message is None or message.get("type") != "call":
            return
        index = message["index"]
        reply = {"type": "result", "index": index, "error": None, "value": None, "args": None, "kwargs": None}
        fn = namespace.get(name)
        if not callable(fn):
            reply["error"] = f"NameError: `{name}` is not defined (did the cell that defines it fail?)"
            send(reply)
            continue
        args, kwargs = message["args"], message["kwargs"]
        try:
            value = fn(*args, **kwargs)
            reply["value"] = plain(value)
        except NotImplementedError:
            reply["error"] = "NotImplementedError"
        except BaseException as err:
            reply["error"] = _message(err)
        try:  # the arguments as they are now (stand-in functions as None): the grader checks for changes
            reply["args"] = plain(_snapshot(args, channel.proxies))
            reply["kwargs"] = plain(_snapshot(kwargs, channel.proxies))
        except BaseException:
            reply["args"] = reply["kwargs"] = None
        try:
            send(reply)
        except BaseException as err:  # a value too big or odd to send: report that instead
            send({**reply, "value": None, "args": None, "kwargs": None, "error": f"the result cannot be sent: {err}"})


def main() -> None:
    """argv: UID (-1: keep this one), the site folders (os.pathsep-separated), the working folder."""
    global WORK
    uid, sites, WORK = int(sys.argv[1]), sys.argv[2].split(os.pathsep), sys.argv[3]
    if uid >= 0:  # started as root (without a user namespace): become an unprivileged user for good
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    sys.path[:0] = [HERE]
    sys.path += [p for p in sites if p]
    import numpy  # noqa: F401  (imported once, before the job arrives)
    import seccomp
    import wire

    fd_in, fd_out = os.dup(0), os.dup(1)
    channel = Channel(wire, fd_in, fd_out)
    channel.send({"type": "ready"})
    job = channel.receive()
    if job is None or job.get("type") != "job":
        return
    _lock_down(job, (fd_in, fd_out), seccomp)
    run_job(job, channel, wire)


if __name__ == "__main__":
    try:
        main()
    except BaseException:  # the sandbox itself failed (not submitted code): say so on stderr
        import traceback

        traceback.print_exc()
        os._exit(70)
    os._exit(0)
