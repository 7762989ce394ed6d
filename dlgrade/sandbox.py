"""Run a submission's code in a separate, locked-down process and collect plain results.

``Sandbox`` starts one helper process (see ``_sandbox_worker.py``) that imports NumPy once
and forks a fresh worker per question. This side only ever receives plain data frames; it
enforces the time limits (per cell, per call and per question) by having the worker
killed, and it restarts a killed or crashed worker past the cell or call that caused it,
so one bad question costs only that question.
"""

from __future__ import annotations

import os
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

from dlgrade import wire

WORKER_SCRIPT = Path(__file__).with_name("_sandbox_worker.py")
PACKAGE_DIR = Path(__file__).resolve().parent
READ_CHUNK = 1 << 16
KILL_GRACE = 5.0  # seconds the helper gets to confirm a kill before it is killed itself
MAX_ATTEMPTS = 12  # restarts per question (each one skips a cell or a call, so it always progresses)


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the submission)."""


@dataclass
class Limits:
    """Limits on submitted code. Times in seconds (wall clock), memory in MiB."""

    cell_timeout: float = 10.0
    case_timeout: float = 10.0
    question_timeout: float = 60.0
    memory_mb: int = 1024
    max_output_mb: int = 64
    startup_timeout: float = 60.0


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


def python_read_roots() -> list[str]:
    """Folders a worker may read: the Python installation and its site-packages."""
    paths = sysconfig.get_paths()
    roots = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    return sorted({os.path.realpath(p) for p in roots if os.path.isdir(p)})


def _describe_exit(code: int | None, killed_for: str | None) -> str:
    if killed_for:
        return killed_for
    if code is None:
        return "the process stopped"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the process crashed ({name})"
    return f"the process exited early (exit code {code}: os._exit or a fatal error?)"


class Sandbox:
    """One helper process; ``run`` grades one question's calls in a fresh worker.

    deny_roots: folders a worker may never read even if they sit inside an allowed one
    (the exercises' solutions and hidden tests, this package).
    """

    def __init__(self, limits: Limits | None = None, deny_roots: list[str | Path] = ()):
        self.limits = limits or Limits()
        self.deny_roots = sorted({os.path.realpath(p) for p in [PACKAGE_DIR, *deny_roots]})
        self.read_roots = python_read_roots()
        self.proc: subprocess.Popen | None = None
        self.result_fd = -1
        self.job = 0
        self.tmp_root = ""

    # --- the helper process ---------------------------------------------------------------------
    def start(self) -> None:
        self.tmp_root = tempfile.mkdtemp(prefix="dlgrade-")
        read_end, write_end = os.pipe()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": self.tmp_root,
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "agg",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-B", str(WORKER_SCRIPT), str(write_end)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("DLGRADE_DEBUG") else subprocess.DEVNULL,
            pass_fds=(write_end,),
            env=env,
            cwd=self.tmp_root,
            start_new_session=True,
        )
        os.close(write_end)
        self.result_fd = read_end
        os.set_blocking(self.result_fd, False)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.control = wire.FrameReader()
        self.control_queue: list[dict] = []
        deadline = time.monotonic() + self.limits.startup_timeout
        while not any(m.get("type") == "ready" for m in self.control_queue):
            if not self._pump_control(deadline - time.monotonic()):
                self.close()
                raise SandboxError("the sandbox helper did not start")

    def close(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:  # unflushed bytes for a helper that is gone
                    pass
            self.proc = None
        if self.result_fd >= 0:
            os.close(self.result_fd)
            self.result_fd = -1
        if self.tmp_root:
            shutil.rmtree(self.tmp_root, ignore_errors=True)
            self.tmp_root = ""

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _pump_control(self, timeout: float) -> bool:
        """Read what the helper says; False if it is gone or silent for ``timeout``."""
        if timeout <= 0:
            return False
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        ready = sel.select(timeout)
        sel.close()
        if not ready:
            return False
        chunk = os.read(self.proc.stdout.fileno(), READ_CHUNK)
        if not chunk:
            return False
        self.control_queue += self.control.feed(chunk)
        if self.control.error:
            raise SandboxError(f"bad message from the sandbox helper: {self.control.error}")
        return True

    def _send(self, message: dict) -> None:
        self.proc.stdin.write(wire.pack(message))
        self.proc.stdin.flush()

    # --- one question -----------------------------------------------------------------------------
    def run(self, cells: list[str], function: str, cases: list[dict], skip_cells: set[int]) -> QuestionRun:
        """Call ``function`` (defined by ``cells``) on each case in fresh workers.

        cases: dicts with "args", "kwargs", "strict_fp" and "time_limit". ``skip_cells`` is
        updated with cells that hung or crashed, so later questions skip them at once.
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
        if time.monotonic() >= deadline:
            problem = "the question's time limit ran out"
        reason = f"not run: {problem or 'too many restarts'}"
        final = [o if o is not None else CallOutcome(error=reason) for o in outcomes]
        return QuestionRun(final, cell_errors, attempts, problem if None in outcomes else None)

    def _attempt(
        self, cells: list[str], function: str, cases: list[dict], first: int, skip: set[int], deadline: float
    ) -> _Attempt:
        if self.proc is None:
            self.start()
        self.job += 1
        job_id = self.job
        tmpdir = tempfile.mkdtemp(prefix=f"q{job_id}-", dir=self.tmp_root)
        limits = self.limits
        cpu_seconds = int(limits.question_timeout) + 2
        job = {
            "type": "run",
            "job": job_id,
            "tmpdir": tmpdir,
            "cells": cells,
            "skip_cells": sorted(skip),
            "function": function,
            "first_case": first,
            "cases": [{k: c[k] for k in ("args", "kwargs", "strict_fp")} for c in cases[first:]],
            "limits": {"memory_mb": limits.memory_mb, "cpu_seconds": cpu_seconds},
            "read_roots": self.read_roots,
            "deny_roots": self.deny_roots,
        }
        attempt = _Attempt()
        try:
            self._send(job)
        except OSError as err:  # the helper is gone: start a new one next time
            self.close()
            attempt.failure = f"the grader's sandbox failed ({err}); it was restarted"
            return attempt
        reader = wire.FrameReader(max_data_bytes=limits.max_output_mb << 20)
        received = 0
        stage_start, stage_limit = time.monotonic(), limits.cell_timeout
        kill_sent_at: float | None = None
        exit_message: dict | None = None

        def kill(reason: str) -> None:
            nonlocal kill_sent_at
            if kill_sent_at is None:
                attempt.failure = reason
                self._send({"type": "kill", "job": job_id})
                kill_sent_at = time.monotonic()

        def handle(message: dict) -> None:
            """Follow the worker's progress. Frames out of order (forged by the code) are ignored:
            cells and calls only move forward, and a result counts only during its own call."""
            nonlocal stage_start, stage_limit
            kind, index = message.get("type"), message.get("index")
            if type(index) is not int and kind != "done":
                return
            now, (current, current_index) = time.monotonic(), attempt.stage
            last_cell, last_case = attempt.last.get("cell", -1), attempt.last.get("case", first - 1)
            if kind == "cell_start" and current in ("setup", "between") and last_case < first and index > last_cell:
                attempt.stage, stage_start, stage_limit = ("cell", index), now, limits.cell_timeout
                attempt.last["cell"] = index
            elif kind == "cell_end" and attempt.stage == ("cell", index):
                if isinstance(message.get("error"), str):
                    attempt.cell_errors[index] = message["error"]
                attempt.stage, stage_start, stage_limit = ("between", None), now, limits.cell_timeout
            elif kind == "case_start" and current in ("setup", "between") and last_case < index < len(cases):
                case_limit = cases[index].get("time_limit") or limits.case_timeout
                attempt.stage, stage_start, stage_limit = ("case", index), now, case_limit
                attempt.last["case"] = index
            elif kind == "case_result" and current == "case" and current_index == index:
                error, mutated = message.get("error"), message.get("mutated")
                attempt.results[index] = CallOutcome(
                    value=message.get("value"),
                    error=error if isinstance(error, str) else None,
                    mutated=[str(m) for m in mutated] if isinstance(mutated, list) else [],
                )
                attempt.stage, stage_start, stage_limit = ("between", None), now, limits.case_timeout
            elif kind == "done" and current != "case":
                attempt.finished = len(attempt.results) == len(cases) - first

        sel = selectors.DefaultSelector()
        sel.register(self.result_fd, selectors.EVENT_READ, "result")
        sel.register(self.proc.stdout, selectors.EVENT_READ, "control")
        try:
            while exit_message is None:
                now = time.monotonic()
                if kill_sent_at is None:
                    if now - stage_start > stage_limit:
                        what = {"cell": "this cell", "case": "this call"}.get(attempt.stage[0], "the code")
                        kill(f"{what} took longer than {stage_limit:g} s (time limit) and was stopped")
                    elif now > deadline:
                        kill("the question's time limit ran out")
                    wait = min(stage_start + stage_limit, deadline) - time.monotonic()
                elif now - kill_sent_at > KILL_GRACE:
                    self.close()  # the helper did not answer: start afresh next time
                    attempt.finished = False
                    return attempt
                else:
                    wait = kill_sent_at + KILL_GRACE - now
                for key, _ in sel.select(max(wait, 0.0)):
                    if key.data == "result":
                        chunk = self._read_available(self.result_fd)
                        received += len(chunk)
                        if received > limits.max_output_mb << 20:
                            kill(self._channel_problem("frame too large"))
                        if kill_sent_at is None:
                            for message in reader.feed(chunk):
                                handle(message)
                            if reader.error:
                                kill(self._channel_problem(reader.error))
                    elif not self._pump_control(0.001):
                        raise SandboxError("the sandbox helper stopped unexpectedly")
                for message in list(self.control_queue):
                    if message.get("type") == "exit" and message.get("job") == job_id:
                        self.control_queue.remove(message)
                        exit_message = message
            # the worker is gone: whatever it wrote before exiting is still in the pipe
            if kill_sent_at is None:
                for message in reader.feed(self._read_available(self.result_fd)):
                    handle(message)
                if reader.error:
                    attempt.failure = self._channel_problem(reader.error)
                    attempt.finished = False
                if not attempt.finished:
                    code = exit_message.get("code")
                    attempt.failure = attempt.failure or _describe_exit(code if type(code) is int else None, None)
            else:
                self._read_available(self.result_fd)
                attempt.finished = False
        except (SandboxError, OSError) as err:  # the helper itself failed: start a new one next time
            self.close()
            attempt.failure = attempt.failure or f"the grader's sandbox failed ({err}); it was restarted"
            attempt.finished = False
        finally:
            sel.close()
            shutil.rmtree(tmpdir, ignore_errors=True)
        return attempt

    def _channel_problem(self, error: str) -> str:
        if "too large" in error:
            return f"the result is larger than the {self.limits.max_output_mb} MB limit"
        return "the code wrote over the grader's result channel"

    def _read_available(self, fd: int) -> bytes:
        chunks = []
        while True:
            try:
                chunk = os.read(fd, READ_CHUNK)
            except BlockingIOError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
