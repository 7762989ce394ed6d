"""Run a submission's code in an operating-system sandbox, one fresh sandbox per question.

Each question's worker (``_sandbox_worker.py``) runs under bubblewrap (``bwrap``) in new
PID, IPC, mount, network and UTS namespaces: no network at all, no view of other processes,
a read-only view of just the Python installation, the system's shared libraries and NumPy,
and a size-limited tmpfs as its only writable folder. It runs as its own unprivileged user
(a fresh user id when the grader is root, else a user namespace's 65534), with no
capabilities, no_new_privs, a process limit and a seccomp allow-list. The repository, the
instructor folder, the other submissions and the grader's process do not exist in there.

The grader talks to each worker over that worker's own pipes: it sends the cells, then each
call's inputs only when the call starts, evaluates test functions the call asks for, and
receives plain values (``wire.py``). It enforces the time limits (per cell, per call, per
question) by killing the sandbox, and restarts a fresh one past the cell or call that hung
or crashed, so one bad question costs only that question. While a worker runs, the next
one starts (Python and NumPy loaded, no job yet), which hides most of the start-up time.

Where bubblewrap cannot run, ``isolation_problem()`` says why; ``Sandbox(isolated=False)``
then runs the worker as a plain child process (audit hook and seccomp only), for
self-study, never for credit.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import selectors
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dlgrade import seccomp, wire
from dlgrade.spec import changed_arguments

PACKAGE_DIR = Path(__file__).resolve().parent
WORKER_FILES = ("_sandbox_worker.py", "wire.py", "seccomp.py")
INSIDE_CODE, INSIDE_SITE, INSIDE_WORK = "/opt/dlgrade", "/opt/site", "/tmp/work"
SITE_PACKAGES = ("numpy", "numpy.libs")  # what a worker may import besides the standard library
SYSTEM_LIBRARIES = ("/lib", "/lib64", "/lib32", "/usr/lib", "/usr/lib64", "/usr/lib32")
READ_CHUNK = 1 << 16
MAX_ATTEMPTS = 12  # restarts per question (each one skips a cell or a call, so it always progresses)
MAX_FN_POINT = 1 << 20  # entries of an x sent to a test function
UID_BASE = 2_000_000_000  # fresh user ids for workers when the grader is root (no account uses them)
INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)"


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the submission)."""


@dataclass
class Limits:
    """Limits on submitted code. Times in seconds (wall clock), memory and disk in MiB."""

    cell_timeout: float = 10.0
    case_timeout: float = 10.0
    question_timeout: float = 60.0
    memory_mb: int = 1024
    max_output_mb: int = 64
    startup_timeout: float = 60.0
    disk_mb: int = 64


@dataclass
class CallOutcome:
    """What one call of the learner's function gave: a plain value, or why there is none."""

    value: Any = None
    error: str | None = None
    mutated: list[str] = field(default_factory=list)


@dataclass
class QuestionRun:
    """Outcomes of all calls; cell_errors by code-cell index; problem: why calls did not run."""

    outcomes: list[CallOutcome]
    cell_errors: dict[int, str]
    attempts: int
    problem: str | None = None


@dataclass
class _Attempt:
    results: dict[int, CallOutcome] = field(default_factory=dict)
    cell_errors: dict[int, str] = field(default_factory=dict)
    stage: tuple[str, int | None] = ("setup", None)
    last: dict[str, int] = field(default_factory=dict)  # the latest cell and call that started
    finished: bool = False
    failure: str | None = None  # why the worker stopped early, in words for the learner


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "the process stopped"
    if code < 0 or code > 128:  # a signal (bwrap reports the child's as 128 + n)
        number = -code if code < 0 else code - 128
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"the process crashed ({name})"
    return f"the process exited early (exit code {code}: os._exit or a fatal error?)"


# --- what the sandbox sees -----------------------------------------------------------------------
def _site_package_paths() -> dict[str, str]:
    """{name: real path} of the site-packages entries a worker needs (NumPy and its libraries)."""
    spec = importlib.util.find_spec("numpy")
    found = {}
    if spec and spec.submodule_search_locations:
        package = os.path.realpath(next(iter(spec.submodule_search_locations)))
        parent = os.path.dirname(package)
        for name in SITE_PACKAGES:
            if os.path.isdir(os.path.join(parent, name)):
                found[name] = os.path.join(parent, name)
    return found


def python_read_roots() -> list[str]:
    """Folders of the Python installation a worker reads (the interpreter's prefix and stdlib)."""
    paths = sysconfig.get_paths()
    roots = {os.path.realpath(sys.base_prefix)} | {
        os.path.realpath(paths[key]) for key in ("stdlib", "platstdlib") if key in paths
    }
    return sorted(p for p in roots if os.path.isdir(p))


def _inside(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def visible_sources() -> list[str]:
    """The folders and files of this machine that a sandboxed worker can read."""
    prefix = os.path.realpath(sys.base_prefix)
    found = [p for p in SYSTEM_LIBRARIES if os.path.isdir(p) and not os.path.islink(p)]
    found += [prefix, os.path.realpath(sys.executable), *_site_package_paths().values()]
    return found + [str(PACKAGE_DIR / name) for name in WORKER_FILES]


def readable_inside(path: str | Path) -> bool:
    """Whether ``path`` (say, the instructor folder) lies in what the sandbox can read."""
    return _inside(os.path.realpath(path), visible_sources())


def bwrap_arguments(uid: int | None, disk_mb: int, seccomp_fd: int) -> list[str]:
    """bwrap's options for one worker (everything up to the command). uid None: a user namespace."""
    bwrap = shutil.which("bwrap")
    args = [bwrap, "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    args += ["--die-with-parent", "--new-session", "--hostname", "sandbox", "--clearenv"]
    if uid is None:
        args += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL"]
        if "--disable-userns" in _bwrap_help():  # bubblewrap >= 0.8 (seccomp refuses unshare anyway)
            args.append("--disable-userns")
    else:  # root: no user namespace (its ids would map to root); the worker gives up root itself
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    for name, value in (
        ("LANG", "C.UTF-8"),
        ("HOME", INSIDE_WORK),
        ("OPENBLAS_NUM_THREADS", "1"),
        ("OMP_NUM_THREADS", "1"),
        ("MKL_NUM_THREADS", "1"),
        ("MPLBACKEND", "agg"),
    ):
        args += ["--setenv", name, value]
    made: set[str] = set()

    def parents(dest: str) -> list[str]:
        out, parts = [], Path(dest).parts[1:-1]
        for i in range(len(parts)):
            folder = "/" + "/".join(parts[: i + 1])
            if folder not in made:
                made.add(folder)
                out += ["--perms", "0755", "--dir", folder]
        return out

    def bind(source: str, dest: str) -> None:
        nonlocal args
        args += parents(dest) + ["--ro-bind", source, dest]
        made.add(dest)

    libraries = [p for p in SYSTEM_LIBRARIES if os.path.isdir(p) and not os.path.islink(p)]
    for path in libraries:
        bind(path, path)
    for path in SYSTEM_LIBRARIES:
        if os.path.islink(path):  # merged /usr: /lib -> usr/lib
            args += ["--symlink", os.readlink(path), path]
    prefix = os.path.realpath(sys.base_prefix)
    if not _inside(prefix, libraries):
        bind(prefix, prefix)
    executable = os.path.realpath(sys.executable)
    if not _inside(executable, [*libraries, prefix]):
        bind(executable, executable)
    for hidden in {
        os.path.realpath(sysconfig.get_path("purelib", vars={"base": prefix, "platbase": prefix})),
        os.path.realpath(sysconfig.get_path("platlib", vars={"base": prefix, "platbase": prefix})),
    }:  # the interpreter's own site-packages: only what the grader's environment uses is visible
        if os.path.isdir(hidden) and _inside(hidden, [*libraries, prefix]):
            args += ["--tmpfs", hidden, "--remount-ro", hidden]
    for name, path in _site_package_paths().items():
        bind(path, f"{INSIDE_SITE}/{name}")
    for name in WORKER_FILES:
        bind(str(PACKAGE_DIR / name), f"{INSIDE_CODE}/{name}")
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--size", str(disk_mb << 20), "--perms", "1777", "--tmpfs", "/tmp"]
    args += ["--remount-ro", "/dev", "--remount-ro", "/"]  # in a user namespace both would be writable
    args += ["--seccomp", str(seccomp_fd), "--chdir", "/tmp"]
    return args


_probe_cache: dict[bool, str | None] = {}
_help_cache: list[str] = []


def _bwrap_help() -> str:
    if not _help_cache:
        try:
            done = subprocess.run([shutil.which("bwrap") or "bwrap", "--help"], capture_output=True, timeout=30)
            _help_cache.append(done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace"))
        except (OSError, subprocess.TimeoutExpired):
            _help_cache.append("")
    return _help_cache[0]


def isolation_problem() -> str | None:
    """None when workers can run isolated here; else one line: why not, and what to install."""
    if not sys.platform.startswith("linux"):
        return f"the grading sandbox needs Linux (bubblewrap, namespaces, seccomp); this is {sys.platform}"
    if platform.machine() not in seccomp.ARCHES:
        return f"no seccomp allow-list for the {platform.machine()} processor; supported: {', '.join(seccomp.ARCHES)}"
    if shutil.which("bwrap") is None:
        return f"bubblewrap (bwrap) is not installed: {INSTALL_HINT}"
    if not _site_package_paths():
        return "NumPy's package folder was not found"
    missing = [option for option in ("--size", "--perms", "--seccomp") if option not in _bwrap_help()]
    if missing:
        return f"this bubblewrap is too old (no {', '.join(missing)}); install bubblewrap 0.6 or newer"
    if True not in _probe_cache:
        _probe_cache[True] = _probe()
    return _probe_cache[True]


def _probe() -> str | None:
    """Start one sandboxed interpreter; None if it ran."""
    read_end, write_end = os.pipe()
    os.write(write_end, seccomp.program(platform.machine(), "startup"))
    os.close(write_end)
    uid = UID_BASE if os.geteuid() == 0 else None
    command = [*bwrap_arguments(uid, 1, read_end), os.path.realpath(sys.executable), "-I", "-S", "-c", "pass"]
    try:
        done = subprocess.run(command, pass_fds=(read_end,), capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bubblewrap could not start a sandbox ({err}); {INSTALL_HINT}"
    finally:
        os.close(read_end)
    if done.returncode != 0:
        reason = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
        hint = " (are unprivileged user namespaces disabled? run the grader as root)" if uid is None else ""
        return f"bubblewrap could not create the sandbox: {reason}{hint}"
    return None


# --- one worker process --------------------------------------------------------------------------
class _Worker:
    """One sandboxed interpreter and its two pipes."""

    def __init__(self, command: list[str], pass_fds: tuple[int, ...], max_output_mb: int):
        debug = os.environ.get("DLGRADE_DEBUG")
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if debug else subprocess.DEVNULL,
            pass_fds=pass_fds,
            start_new_session=True,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
        os.set_blocking(self.proc.stdout.fileno(), False)
        os.set_blocking(self.proc.stdin.fileno(), False)
        self.reader = wire.FrameReader(max_data_bytes=max_output_mb << 20)
        self.limit = max_output_mb << 20
        self.received = 0
        self.queue: list[dict] = []
        self.eof = False
        self.ready = False

    def pump(self, timeout: float) -> bool:
        """Read what is there (waiting up to ``timeout``); False at end of stream or garbage."""
        if self.eof or self.reader.error:
            return False
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        try:
            if not sel.select(max(timeout, 0.0)):
                return True
        finally:
            sel.close()
        while True:
            try:
                chunk = os.read(self.proc.stdout.fileno(), READ_CHUNK)
            except BlockingIOError:
                return True
            if not chunk:
                self.eof = True
                return False
            self.received += len(chunk)
            if self.received > self.limit:
                self.reader.error = "frame too large"
                return False
            self.queue += self.reader.feed(chunk)
            if self.reader.error:
                return False

    def send(self, message: dict, deadline: float) -> bool:
        """Write one frame before ``deadline``; False if the worker does not take it."""
        data = memoryview(wire.pack(message))
        fd = self.proc.stdin.fileno()
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_WRITE)
        try:
            while data:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    return False
                try:
                    data = data[os.write(fd, data) :]
                except BlockingIOError:
                    continue
                except OSError:
                    return False
        finally:
            sel.close()
        return True

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready:
            if not self.pump(deadline - time.monotonic()) or time.monotonic() > deadline:
                self.kill()
                raise SandboxError("the sandboxed Python did not start (run with DLGRADE_DEBUG=1 to see why)")
            if self.queue:
                first = self.queue.pop(0)
                if first.get("type") != "ready":
                    self.kill()
                    raise SandboxError("the sandboxed Python sent something unexpected")
                self.ready = True

    def exit_code(self, timeout: float = 2.0) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.proc.returncode is None:  # not reaped yet, so its process group id is still its own
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # bwrap; its namespace dies with it
            except (ProcessLookupError, PermissionError):
                pass
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


# --- the grader's side ---------------------------------------------------------------------------
class Sandbox:
    """Fresh sandboxed workers for questions; ``run`` grades one question's calls.

    isolated: True (for credit) runs every worker under bubblewrap; False runs it as a plain
    child process for self-study (its reports must say so). Each worker serves one question
    (one attempt at it) and is then killed. ``deny_roots`` is accepted for
    compatibility and unused: nothing outside the sandbox's own view can be read at all.
    """

    def __init__(
        self, limits: Limits | None = None, deny_roots: list[str | Path] = (), isolated: bool = True, ahead: int = 1
    ):
        self.limits = limits or Limits()
        self.isolated = isolated
        self.ahead = max(1, ahead)  # workers started ahead of need
        self.remaining: int | None = None  # questions still to come, when known (see ``plan``)
        self.spares: list[_Worker] = []
        self.started = False
        self.count = 0
        self.tmp_root = ""

    # --- starting workers -------------------------------------------------------------------------
    def start(self) -> None:
        """Check that isolation works here (SandboxError if not) and start the first worker,
        without waiting for it: it loads while the grader prepares the tests."""
        if self.isolated:
            problem = isolation_problem()
            if problem:
                raise SandboxError(f"cannot isolate submissions: {problem}")
        self.started = True
        if not self.spares:
            self.spares.append(self._spawn())

    def _spawn(self) -> _Worker:
        self.count += 1
        python = os.path.realpath(sys.executable)
        if not self.isolated:
            if not self.tmp_root:
                self.tmp_root = tempfile.mkdtemp(prefix="dlgrade-")
            work = tempfile.mkdtemp(dir=self.tmp_root)
            site = os.pathsep.join(sorted({os.path.dirname(p) for p in _site_package_paths().values()}))
            command = [python, "-I", "-S", "-B", str(PACKAGE_DIR / "_sandbox_worker.py"), "-1", site, work]
            return _Worker(command, (), self.limits.max_output_mb)
        read_end, write_end = os.pipe()
        os.write(write_end, seccomp.program(platform.machine(), "startup"))
        os.close(write_end)
        uid = UID_BASE + (os.getpid() % 100_000) * 1000 + self.count % 1000 if os.geteuid() == 0 else None
        inside = [python, "-I", "-S", "-B", f"{INSIDE_CODE}/_sandbox_worker.py", str(uid if uid else -1)]
        inside += [INSIDE_SITE, INSIDE_WORK]
        try:
            return _Worker(
                bwrap_arguments(uid, self.limits.disk_mb, read_end) + inside, (read_end,), self.limits.max_output_mb
            )
        finally:
            os.close(read_end)

    def plan(self, questions: int) -> None:
        """``questions`` more questions will come (and then none): start their workers now, up to
        ``ahead`` at a time, and none beyond them."""
        self.remaining = questions
        self._top_up()

    def _top_up(self) -> None:
        wanted = self.ahead if self.remaining is None else min(self.ahead, self.remaining)
        while len(self.spares) < wanted:
            self.spares.append(self._spawn())

    def _take(self) -> _Worker:
        """A started worker; the next ones start now, while this one works."""
        if not self.started:
            self.start()
        worker = self.spares.pop(0) if self.spares else None
        if worker is None or worker.proc.poll() is not None:
            if worker is not None:
                worker.kill()
            worker = self._spawn()
        if self.remaining is not None:
            self.remaining = max(self.remaining - 1, 0)
        self._top_up()
        worker.wait_ready(self.limits.startup_timeout)
        return worker

    def close(self) -> None:
        for worker in self.spares:
            worker.kill()
        self.spares = []
        if self.tmp_root:  # only without isolation: a folder the workers could fill with anything
            try:
                shutil.rmtree(self.tmp_root, ignore_errors=True)
            except RecursionError:  # a tree deeper than Python recurses
                subprocess.run(["rm", "-rf", "--one-file-system", self.tmp_root], check=False)
            self.tmp_root = ""
        self.started = False

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- one question -----------------------------------------------------------------------------
    def run(self, cells: list[str], function: str, cases: list[dict], skip_cells: set[int]) -> QuestionRun:
        """Call ``function`` (defined by ``cells``) on each case in fresh sandboxes.

        cases: dicts with "args", "kwargs" and optionally "time_limit" ("strict_fp" is
        ignored: values decide). ``skip_cells`` is updated with cells that hung or crashed,
        so later questions skip them at once.
        """
        outcomes: list[CallOutcome | None] = [None] * len(cases)
        cell_errors: dict[int, str] = {}
        deadline = time.monotonic() + self.limits.question_timeout
        attempts, first, problem = 0, 0, None
        while first < len(cases) and attempts < MAX_ATTEMPTS and time.monotonic() < deadline:
            attempts += 1
            attempt = self._attempt(cells, function, cases, first, skip_cells, deadline)
            cell_errors.update(attempt.cell_errors)
            for index, outcome in attempt.results.items():
                if outcomes[index] is None:
                    outcomes[index] = outcome
            if attempt.finished:
                break
            kind, index = attempt.stage
            if kind not in ("cell", "case") and attempt.last:  # stuck between steps: blame the latest one
                kind = "case" if "case" in attempt.last else "cell"
                index = attempt.last[kind]
            if kind == "cell" and index is not None:
                skip_cells.add(index)
                cell_errors[index] = f"{attempt.failure}; this cell was skipped"
            elif kind == "case" and index is not None and outcomes[index] is None:
                outcomes[index] = CallOutcome(error=attempt.failure)
            elif not attempt.results:
                problem = attempt.failure  # failed outside any cell or call: a retry would fail the same way
                break
            first = next((i for i in range(first, len(cases)) if outcomes[i] is None), len(cases))
        if time.monotonic() >= deadline and None in outcomes:
            problem = "the question's time limit ran out"
        reason = f"not run: {problem or 'too many restarts'}"
        final = [o if o is not None else CallOutcome(error=reason) for o in outcomes]
        return QuestionRun(final, cell_errors, attempts, problem if None in outcomes else None)

    def _attempt(
        self, cells: list[str], function: str, cases: list[dict], first: int, skip: set[int], deadline: float
    ) -> _Attempt:
        attempt = _Attempt()
        try:
            worker = self._take()
        except (SandboxError, OSError) as err:
            attempt.failure = f"the grader's sandbox failed ({err})"
            return attempt
        limits = self.limits
        job = {
            "type": "job",
            "cells": cells,
            "skip_cells": sorted(skip),
            "function": function,
            "limits": {"memory_mb": limits.memory_mb, "cpu_seconds": int(limits.question_timeout) + 2},
        }
        stage_start, stage_limit = time.monotonic(), limits.cell_timeout
        calling: dict[str, Any] = {"index": None, "fns": []}

        def fail(reason: str) -> None:
            attempt.failure = attempt.failure or reason

        def start_call(index: int) -> bool:
            nonlocal stage_start, stage_limit
            args, kwargs, fns = _with_fn_refs(cases[index])
            calling.update(index=index, fns=fns)
            attempt.stage, stage_start = ("case", index), time.monotonic()
            stage_limit = cases[index].get("time_limit") or limits.case_timeout
            attempt.last["case"] = index
            message = {"type": "call", "index": index, "args": args, "kwargs": kwargs}
            return worker.send(message, min(stage_start + stage_limit, deadline))

        def handle(message: dict) -> bool:
            """Follow the worker; False to stop. Messages out of order (forged) are ignored:
            cells only move forward, and a result counts only for the call in progress."""
            nonlocal stage_start, stage_limit
            kind, index = message.get("type"), message.get("index")
            current, current_index = attempt.stage
            now = time.monotonic()
            last_cell = attempt.last.get("cell", -1)
            if kind == "cell_start" and current in ("setup", "between") and type(index) is int:
                if "case" not in attempt.last and last_cell < index < len(cells):
                    attempt.stage, stage_start, stage_limit = ("cell", index), now, limits.cell_timeout
                    attempt.last["cell"] = index
            elif kind == "cell_end" and attempt.stage == ("cell", index):
                error = message.get("error")
                if isinstance(error, str):
                    attempt.cell_errors[index] = error[:2000]
                attempt.stage, stage_start, stage_limit = ("between", None), now, limits.cell_timeout
            elif kind == "cells_done" and current in ("setup", "between") and "case" not in attempt.last:
                if not start_call(first):
                    fail(f"this call took longer than {stage_limit:g} s (time limit) and was stopped")
                    return False
            elif kind == "fn_call" and current == "case":
                reply = _evaluate(calling["fns"], message.get("slot"), message.get("x"))
                if not worker.send(reply, min(stage_start + stage_limit, deadline)):
                    fail(f"this call took longer than {stage_limit:g} s (time limit) and was stopped")
                    return False
            elif kind == "result" and current == "case" and index == current_index:
                attempt.results[index] = _outcome(message, cases[index])
                following = index + 1
                if following >= len(cases):
                    attempt.finished = True
                    return False
                if not start_call(following):
                    fail(f"this call took longer than {stage_limit:g} s (time limit) and was stopped")
                    return False
            return True

        try:
            try:
                sent = worker.send(job, time.monotonic() + limits.cell_timeout)
            except wire.WireError:
                sent = False
            if not sent:
                fail("the notebook is too large for the sandbox")
                return attempt
            running = True
            while running:
                now = time.monotonic()
                if now - stage_start > stage_limit:
                    what = {"cell": "this cell", "case": "this call"}.get(attempt.stage[0], "the code")
                    fail(f"{what} took longer than {stage_limit:g} s (time limit) and was stopped")
                    break
                if now > deadline:
                    fail("the question's time limit ran out")
                    break
                alive = worker.pump(min(stage_start + stage_limit, deadline) - now)
                while worker.queue and running:
                    running = handle(worker.queue.pop(0))
                if running and not alive:
                    if worker.reader.error:
                        fail(self._channel_problem(worker.reader.error))
                    else:
                        fail(_describe_exit(worker.exit_code()))
                    break
        except OSError as err:
            fail(f"the grader's sandbox failed ({err})")
        finally:
            worker.kill()
        return attempt

    def _channel_problem(self, error: str) -> str:
        if "too large" in error:
            return f"the result is larger than the {self.limits.max_output_mb} MB limit"
        return "the code wrote over the grader's result channel"


def _with_fn_refs(case: dict) -> tuple[list, dict, list]:
    """The case's arguments with test functions replaced by references the grader answers."""
    fns: list = []

    def swap(value):
        if hasattr(value, "fn_name") and hasattr(value, "params"):  # spec.Fn
            fns.append(wire.make_function(value.fn_name, dict(value.params)))
            return wire.FnRef(len(fns) - 1)
        if callable(value) and not isinstance(value, (np.ndarray, type)):
            fns.append(value)
            return wire.FnRef(len(fns) - 1)
        if isinstance(value, (list, tuple)):
            return [swap(v) for v in value]
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    return swap(list(case.get("args", ()))), swap(dict(case.get("kwargs", {}))), fns


def _evaluate(fns: list, slot, x) -> dict:
    """f(x) for the worker's stand-in function ``slot``, computed here."""
    reply = {"type": "fn_value", "value": None, "error": None}
    if type(slot) is not int or not 0 <= slot < len(fns):
        reply["error"] = "no such function"
    elif not isinstance(x, (np.ndarray, int, float)) or np.size(x) > MAX_FN_POINT:
        reply["error"] = "f takes an array of numbers"
    else:
        try:
            with np.errstate(all="ignore"):
                value = fns[slot](np.array(x, dtype=np.float64) if isinstance(x, np.ndarray) else float(x))
            reply["value"] = float(value) if np.ndim(value) == 0 else wire.plain(value)
        except Exception as err:
            reply["error"] = f"{type(err).__name__}: {err}"[:300]
    return reply


def _outcome(message: dict, case: dict) -> CallOutcome:
    """A call's outcome, with changed inputs found by comparing with the grader's own copies."""
    error = message.get("error")
    if isinstance(error, str):
        return CallOutcome(error=error[:2000])
    args, kwargs = message.get("args"), message.get("kwargs")
    original_args, original_kwargs = list(case.get("args", ())), dict(case.get("kwargs", {}))
    if not isinstance(args, list) or not isinstance(kwargs, dict) or len(args) != len(original_args):
        mutated = ["its arguments (they could not be sent back unchanged)"]
    else:
        mutated = changed_arguments(original_args, args, original_kwargs, kwargs)
    return CallOutcome(value=message.get("value"), mutated=mutated)
