"""The other side of the sandbox: started by the grader as ``python -I -B _sandbox_worker.py FD``.

This process (the *zygote*) imports NumPy once and never runs submitted code. For each
question the grader sends a job (the notebook's cells, the learner's function name and the
test inputs, never the expected answers) and the zygote forks a *worker* for it. The
worker locks itself down before any submitted code runs:

- resource limits: address space, CPU seconds, file size, no core dumps, few files;
- on Linux, a seccomp filter: the kernel refuses new programs and processes (threads are
  fine), tracing, and signals to any other process;
- a fresh temporary folder as its working directory, stdin/stdout/stderr on /dev/null;
- an audit hook (``sys.addaudithook``; it cannot be removed) that refuses to open files
  outside the Python installation and the temporary folder, refuses the exercise
  solutions and hidden tests by name, and refuses processes, signals to others,
  sockets, ctypes and changes of the resource limits.

Then it runs the cells, calls the function on each input and streams plain-data frames
(see ``wire.py``) to the result pipe. The grader reads them, enforces time limits by
asking the zygote to kill the worker, and decides what is right in its own process.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import wire  # noqa: E402

del sys.path[0]

CONTROL_IN, CONTROL_OUT = 0, 1
READ_CHUNK = 1 << 16
MESSAGE_CHARS = 600
FILE_SIZE_LIMIT = 64 << 20
OPEN_FILES_LIMIT = 64

# Extension modules that could reach files or processes without an audited call.
BLOCKED_IMPORTS = frozenset(
    {"readline", "_posixsubprocess", "_sqlite3", "sqlite3", "_dbm", "_gdbm", "dbm", "_curses", "curses"}
    | {"_curses_panel", "_tkinter", "tkinter", "nis", "termios", "pty", "tty"}
)
# Audit events refused outright (prefix match).
BLOCKED_EVENTS = (
    "subprocess.",
    "os.system",
    "os.exec",
    "os.spawn",
    "os.posix_spawn",
    "os.fork",
    "os.forkpty",
    "os.startfile",
    "os.kill",
    "os.killpg",
    "os.symlink",
    "os.link",
    "pty.",
    "signal.pthread_kill",
    "ctypes.",
    "socket.",
    "resource.setrlimit",
    "resource.prlimit",
    "sys.addaudithook",
    "sqlite3.",
    "winreg.",
    "webbrowser.",
    "fcntl.",
    "mmap.",
    "_posixsubprocess.",
)
READ_PATH_EVENTS = frozenset({"os.listdir", "os.scandir", "os.getxattr", "os.listxattr", "os.fwalk"})
WRITE_PATH_EVENTS = frozenset(
    {"os.remove", "os.rmdir", "os.mkdir", "os.rename", "os.chmod", "os.chown", "os.chflags", "os.truncate"}
    | {"os.utime", "os.setxattr", "os.removexattr", "os.mkfifo", "os.mknod", "os.lockf"}
    | {"shutil.rmtree", "shutil.copyfile", "shutil.copymode", "shutil.copystat", "shutil.copytree"}
    | {"shutil.move", "shutil.chown", "shutil.make_archive", "shutil.unpack_archive"}
)
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


_array_equal = np.array_equal  # taken before any submitted code can replace it

# --- writing frames ------------------------------------------------------------------------------
_write = os.write


def send(fd: int, message: dict) -> None:
    data = wire.pack(message)
    while data:
        written = _write(fd, data)
        data = data[written:]


# --- the audit hook ------------------------------------------------------------------------------
def install_audit_hook(read_roots: list[str], write_roots: list[str], deny_roots: list[str]) -> None:
    """Refuse, from now on and for good, everything this worker has no business doing."""
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
            return False  # relative to a dir_fd we cannot see: refuse climbing
        resolved = realpath(raw)
        if inside(resolved, deny_roots):
            return False
        if inside(resolved, write_roots):
            return True
        # no descriptors of folders outside the temporary one (they could serve as dir_fd)
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


# --- a kernel-level second wall (Linux) ----------------------------------------------------------
# Syscall numbers by audit architecture: the audit hook already refuses these from Python,
# and a seccomp filter makes the kernel refuse them too, should any code find a way around it.
_SECCOMP_ARCH = {
    "x86_64": (
        0xC000003E,
        {"execve": 59, "execveat": 322, "fork": 57, "vfork": 58, "clone": 56, "clone3": 435}
        | {"ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "setsid": 112, "setpgid": 109}
        | {"kill": 62, "tkill": 200, "tgkill": 234},
    ),
    "aarch64": (
        0xC00000B7,
        {"execve": 221, "execveat": 281, "clone": 220, "clone3": 435}
        | {"ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "setsid": 157, "setpgid": 154}
        | {"kill": 129, "tkill": 130, "tgkill": 131},
    ),
}
_DENIED_SYSCALLS = (
    *("execve", "execveat", "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev"),
    *("setsid", "setpgid"),  # stay in the helper's process group, which the grader kills as a whole
)


def install_seccomp() -> bool:
    """Have the kernel refuse new programs, new processes (threads are fine), tracing, leaving
    the process group and signals to other processes. True if the filter is in place; False
    where unsupported."""
    import ctypes
    import errno
    import platform

    if not sys.platform.startswith("linux") or platform.machine() not in _SECCOMP_ARCH:
        return False
    arch, numbers = _SECCOMP_ARCH[platform.machine()]
    load_word, jump_eq, jump_set, ret = 0x20, 0x15, 0x45, 0x06
    allow, deny, no_sys = 0x7FFF0000, 0x00050000 | errno.EPERM, 0x00050000 | errno.ENOSYS
    clone_thread, pid = 0x00010000, os.getpid()
    program = [(load_word, 0, 0, 4), (jump_eq, 1, 0, arch), (ret, 0, 0, allow), (load_word, 0, 0, 0)]
    for name in _DENIED_SYSCALLS:
        if name in numbers:
            program += [(jump_eq, 0, 1, numbers[name]), (ret, 0, 0, deny)]
    program += [(jump_eq, 0, 1, numbers["clone3"]), (ret, 0, 0, no_sys)]  # libc falls back to clone
    program += [(jump_eq, 0, 4, numbers["clone"]), (load_word, 0, 0, 16), (jump_set, 1, 0, clone_thread)]
    program += [(ret, 0, 0, deny), (ret, 0, 0, allow)]
    for name in ("kill", "tkill", "tgkill"):  # only at itself (a crash may signal itself)
        program += [(jump_eq, 0, 4, numbers[name]), (load_word, 0, 0, 16), (jump_eq, 1, 0, pid)]
        program += [(ret, 0, 0, deny), (ret, 0, 0, allow)]
    program.append((ret, 0, 0, allow))

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    filters = (SockFilter * len(program))(*[SockFilter(*insn) for insn in program])
    fprog = SockFprog(len(program), filters)
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    if libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(fprog), 0, 0) == 0


# --- the worker ----------------------------------------------------------------------------------
def _lock_down(job: dict, keep_fds: tuple[int, ...]) -> None:
    import resource

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
    limits = job["limits"]
    memory = int(limits["memory_mb"]) << 20
    cpu = int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES_LIMIT, OPEN_FILES_LIMIT))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails instead of killing

    tmp = job["tmpdir"]
    os.chdir(tmp)
    for name in ("HOME", "TMPDIR", "MPLCONFIGDIR"):
        os.environ[name] = tmp

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
    read_roots = [os.path.realpath(p) for p in job["read_roots"]]
    sys.path[:] = [p for p in sys.path if p and any(os.path.realpath(p).startswith(r) for r in read_roots)]
    install_seccomp()
    install_audit_hook(read_roots, [os.path.realpath(tmp)], [os.path.realpath(p) for p in job["deny_roots"]])


def _message(err: BaseException) -> str:
    """``Type: message (cell k, line n)`` for the innermost frame in submitted code."""
    try:
        text = f"{type(err).__name__}: {err}"
    except BaseException:  # a hostile __str__
        text = type(err).__name__
    where = ""
    tb = err.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith("<code cell "):
            where = f" ({filename[1:-1]}, line {tb.tb_lineno})"
        tb = tb.tb_next
    text = text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + "..."
    return text + where


def _copy_args(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_copy_args(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy_args(v) for k, v in value.items()}
    return value


def _same(a, b) -> bool:
    if isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and a.shape == b.shape
            and a.dtype == b.dtype
            and bool(_array_equal(a, b, equal_nan=True))
        )
    if isinstance(b, list):
        return isinstance(a, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in b)
    return True


def _argument_names(fn, count: int) -> list[str]:
    try:
        code = fn.__code__
        names = list(code.co_varnames[: code.co_argcount])
    except BaseException:
        names = []
    return [names[i] if i < len(names) else f"argument {i + 1}" for i in range(count)]


def run_worker(job: dict, result_fd: int) -> None:
    """Run the cells, then call the function on each case; every step reported as a frame."""
    errstate, plain = np.errstate, wire.plain  # taken before any cell can replace them
    main = types.ModuleType("__main__")
    sys.modules["__main__"] = main
    namespace = main.__dict__
    skip = set(job["skip_cells"])
    for index, source in enumerate(job["cells"]):
        if index in skip:
            continue
        send(result_fd, {"type": "cell_start", "index": index})
        error = None
        try:
            exec(compile(source, f"<code cell {index + 1}>", "exec"), namespace)
        except BaseException as err:  # a cell's failure is reported, the next cells still run
            error = _message(err)
        send(result_fd, {"type": "cell_end", "index": index, "error": error})

    name = job["function"]
    strict = {"over": "raise", "divide": "raise", "invalid": "raise"}
    default = {"over": "warn", "divide": "warn", "invalid": "warn", "under": "ignore"}
    for offset, case in enumerate(job["cases"]):
        index = job["first_case"] + offset
        send(result_fd, {"type": "case_start", "index": index})
        reply = {"type": "case_result", "index": index, "error": None, "value": None, "mutated": []}
        fn = namespace.get(name)
        if not callable(fn):
            reply["error"] = f"NameError: `{name}` is not defined (did the cell that defines it fail?)"
            send(result_fd, reply)
            continue
        args, kwargs = case["args"], case["kwargs"]
        call_args, call_kwargs = _copy_args(args), _copy_args(kwargs)
        try:
            with errstate(**(strict if case["strict_fp"] else default)):
                value = fn(*call_args, **call_kwargs)
            reply["value"] = plain(value)
            names = _argument_names(fn, len(args))
            reply["mutated"] = [
                names[i] for i, (a, b) in enumerate(zip(call_args, args, strict=True)) if not _same(a, b)
            ]
            reply["mutated"] += [k for k in kwargs if not _same(call_kwargs[k], kwargs[k])]
        except NotImplementedError:
            reply["error"] = "NotImplementedError"
        except BaseException as err:
            reply["error"] = _message(err)
        try:
            send(result_fd, reply)
        except wire.WireError as err:  # a value too big or odd to send: report that instead
            send(result_fd, {**reply, "value": None, "mutated": [], "error": f"the result cannot be sent: {err}"})
    send(result_fd, {"type": "done"})


def _worker_entry(job: dict, result_fd: int) -> None:
    try:
        _lock_down(job, (result_fd,))
        run_worker(job, result_fd)
    finally:
        os._exit(0)


# --- the zygote ----------------------------------------------------------------------------------
class Control:
    """Frames from the grader on stdin."""

    def __init__(self):
        self.reader = wire.FrameReader(functions=True)
        self.queue: list[dict] = []
        self.closed = False

    def pump(self) -> None:
        chunk = os.read(CONTROL_IN, READ_CHUNK)
        if not chunk:
            self.closed = True
        self.queue += self.reader.feed(chunk)
        if self.reader.error:
            self.closed = True  # the grader's messages are never garbage: stop

    def next(self) -> dict | None:
        while not self.queue and not self.closed:
            self.pump()
        return self.queue.pop(0) if self.queue else None


def _wait_worker(pid: int, job_id: int, control: Control) -> tuple[int, bool]:
    """Wait for the worker to end, killing it if the grader asks; (exit status, killed)."""
    killed = False
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux >= 5.3: poll instead
        pidfd = None
    try:
        while True:
            done_pid, status = os.waitpid(pid, os.WNOHANG)
            if done_pid == pid:
                return status, killed
            watch = [CONTROL_IN] if not control.closed else []
            if pidfd is not None:
                watch.append(pidfd)
            ready, _, _ = select.select(watch, [], [], 0.005 if pidfd is None else 1.0)
            if CONTROL_IN in ready:
                control.pump()
            for message in [m for m in control.queue if m.get("type") == "kill"]:
                control.queue.remove(message)
                if message.get("job") == job_id and not killed:
                    os.kill(pid, signal.SIGKILL)
                    killed = True
            if control.closed and not killed:
                os.kill(pid, signal.SIGKILL)
                killed = True
    finally:
        if pidfd is not None:
            os.close(pidfd)


def main() -> None:
    result_fd = int(sys.argv[1])
    control = Control()
    send(CONTROL_OUT, {"type": "ready", "pid": os.getpid()})
    while True:
        message = control.next()
        if message is None or message.get("type") == "quit":
            return
        if message.get("type") != "run":
            continue
        pid = os.fork()
        if pid == 0:
            _worker_entry(message, result_fd)
        status, killed = _wait_worker(pid, message["job"], control)
        code = os.waitstatus_to_exitcode(status)
        send(CONTROL_OUT, {"type": "exit", "job": message["job"], "code": code, "killed": killed})


if __name__ == "__main__":
    main()
