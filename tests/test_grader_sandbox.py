"""The sandbox that runs submitted code: what it refuses, and how one bad cell or call stays contained."""

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from dlgrade import exercises, seccomp
from dlgrade.sandbox import Limits, Sandbox

REPO = Path(__file__).resolve().parents[1]
LIMITS = Limits(cell_timeout=2.0, case_timeout=2.0, question_timeout=8.0, memory_mb=400, max_output_mb=4)

# The learner's function under test evaluates a line of Python sent as the test input.
PROBE = """
def probe(code):
    namespace = {}
    *setup, last = code.split(";")
    exec(";".join(setup) or "pass", namespace)
    return eval(last.strip(), namespace)
"""


def call(code: str, **extra) -> dict:
    return {"args": [code], "kwargs": {}, "strict_fp": False, "time_limit": None, **extra}


@pytest.fixture(scope="module")
def sandbox():
    os.environ["DLGRADE_TEST_SECRET"] = "do-not-leak"
    box = Sandbox(LIMITS)
    box.start()
    yield box
    box.close()
    del os.environ["DLGRADE_TEST_SECRET"]


def probe(sandbox, *codes):
    run = sandbox.run([PROBE], "probe", [call(c) for c in codes], set())
    return run.outcomes


# --- what a submission may not do ------------------------------------------------------------------
HIDDEN = str(exercises.instructor_dir() / "hidden_tests" / "02_activations_losses.py")
SOLUTION = str(exercises.instructor_dir() / "02_activations_losses.ipynb")


@pytest.mark.parametrize(
    "code",
    [
        f"open({HIDDEN!r}).read()",
        f"open({SOLUTION!r}).read()",
        f"import os; os.listdir({str(exercises.instructor_dir())!r})",
        f"import runpy; runpy.run_path({HIDDEN!r})",
        f"import numpy as np; np.fromfile({SOLUTION!r}, dtype=np.uint8)",
        f"open({str(REPO / 'pyproject.toml')!r}).read()",
        f"open('/proc/self/root' + {str(REPO / 'pyproject.toml')!r}).read()",
        "open('/etc/passwd').read()",
        "import os; open(f'/proc/{os.getppid()}/environ', 'rb').read()",
        "import os; open(f'/proc/{os.getppid()}/mem', 'rb').read(1)",
        "import os; os.chdir('/'); open('etc/passwd').read()",
        "open('../../../../../../../../etc/passwd').read()",
        "import numpy, os; os.open(os.path.dirname(numpy.__file__), os.O_RDONLY)",
    ],
    ids=[
        "hidden tests",
        "solutions",
        "list instructor",
        "run hidden tests",
        "np.fromfile",
        "repo file",
        "/proc/self/root",
        "/etc/passwd",
        "parent environ",
        "parent memory",
        "chdir",
        "climb",
        "folder descriptor",
    ],
)
def test_a_submission_cannot_read_files_outside_python_and_its_folder(sandbox, code):
    (outcome,) = probe(sandbox, code)
    assert outcome.value is None
    assert outcome.error and "not allowed while grading" in outcome.error


def test_a_submission_can_use_numpy_the_standard_library_and_its_temporary_folder(sandbox):
    outcomes = probe(
        sandbox,
        "import numpy as np; float(np.linalg.norm(np.ones(4)))",
        "import math, itertools, functools, collections; math.sqrt(16.0)",
        "import numpy, os; len(open(os.path.join(os.path.dirname(numpy.__file__), '__init__.py')).read()) > 0",
        "import numpy as np; np.save('scratch.npy', np.arange(3.0)); np.load('scratch.npy')",
    )
    assert [o.error for o in outcomes] == [None] * 4
    assert outcomes[0].value == 2.0 and outcomes[1].value == 4.0 and outcomes[2].value is True
    assert np.array_equal(outcomes[3].value, np.arange(3.0))


def test_a_submission_cannot_write_outside_its_temporary_folder(sandbox, tmp_path):
    import numpy

    target = tmp_path / "planted.txt"
    site_target = Path(numpy.__file__).parent / "planted_by_test.txt"
    outcomes = probe(
        sandbox,
        f"open({str(target)!r}, 'w')",
        f"open({str(site_target)!r}, 'w')",
        f"import os; os.remove({str(REPO / 'pyproject.toml')!r})",
    )
    assert all(o.error and "not allowed" in o.error for o in outcomes)
    assert not target.exists() and not site_target.exists() and (REPO / "pyproject.toml").exists()


@pytest.mark.parametrize(
    "code",
    [
        "import subprocess; subprocess.run(['cat', '/etc/passwd'], capture_output=True).stdout",
        "import os; os.system('true')",
        "import os; os.fork()",
        "import os; os.execv('/bin/cat', ['cat', '/etc/passwd'])",
        "import sys, importlib.util as u; del sys.modules['_posixsubprocess']; "
        "u.module_from_spec(u.find_spec('_posixsubprocess'))",
        "import socket; socket.create_connection(('127.0.0.1', 9))",
        "import ctypes; ctypes.CDLL(None)",
        "import numpy._core._internal as i; i.ctypes.string_at(1, 1)",
        "import os, signal; os.kill(os.getppid(), signal.SIGKILL)",
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (-1, -1))",
        "import os; os.symlink('/etc', 'etc')",
        "import readline; 1",
    ],
    ids=[
        "subprocess",
        "system",
        "fork",
        "exec",
        "spawn module",
        "socket",
        "ctypes",
        "ctypes via numpy",
        "kill parent",
        "raise memory limit",
        "symlink",
        "readline",
    ],
)
def test_processes_sockets_ctypes_signals_and_limits_are_refused(sandbox, code):
    (outcome,) = probe(sandbox, code)
    assert outcome.value is None and outcome.error
    assert any(word in outcome.error for word in ("not allowed", "not available")), outcome.error


def test_a_second_audit_hook_cannot_be_added(sandbox):
    code = "import sys; calls = []; sys.addaudithook(lambda event, args: calls.append(event)); open('x', 'w'); calls"
    (outcome,) = probe(sandbox, code)
    assert outcome.error is None and outcome.value == []


def test_the_grader_is_not_importable_and_check_does_nothing_while_grading(sandbox):
    outcomes = probe(sandbox, "import dlgrade.spec; 1", "import dlgrade; dlgrade.check('1.1', print)")
    # Refused either way: not on the path, or (installed with `pip install -e .`) its file may not be opened.
    error = outcomes[0].error
    assert "No module named 'dlgrade.spec'" in error or "not allowed while grading: opening" in error, error
    assert outcomes[1].error is None and outcomes[1].value is None


def test_the_graders_environment_does_not_reach_the_submission(sandbox):
    (outcome,) = probe(sandbox, "import os; sorted(os.environ)")
    assert "DLGRADE_TEST_SECRET" not in outcome.value
    assert os.environ["DLGRADE_TEST_SECRET"] == "do-not-leak"


def test_the_kernel_refuses_new_processes_even_past_the_audit_hook():
    """The worker's own seccomp allow-list, tried on a forked copy of this process."""
    if not sys.platform.startswith("linux") or platform.machine() not in seccomp.ARCHES:
        pytest.skip("seccomp allow-lists are written for Linux on x86_64 and aarch64")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        results = []
        try:
            seccomp.install(seccomp.program(platform.machine(), "locked", os.getpid()))
            results.append(True)
        except OSError:
            results.append(False)
        attempts = (
            os.fork,
            lambda: os.execv("/bin/true", ["true"]),
            lambda: os.kill(os.getppid(), 0),
            os.setsid,
            lambda: __import__("socket").socket(),
            lambda: os.setuid(12345),
        )
        for attempt in attempts:
            try:
                attempt()
                results.append(False)
            except PermissionError:
                results.append(True)
        os.write(write_end, bytes(results))
        os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    results = os.read(read_end, 16)
    os.close(read_end)
    assert list(results) == [1] * 7


# --- containment ------------------------------------------------------------------------------------
def test_a_hanging_cell_is_stopped_skipped_and_remembered(sandbox):
    cells = ["while True:\n    try:\n        pass\n    except BaseException:\n        pass", PROBE]
    skip: set[int] = set()
    started = time.monotonic()
    run = sandbox.run(cells, "probe", [call("1 + 1")], skip)
    assert run.outcomes[0].value == 2 and skip == {0} and "longer than" in run.cell_errors[0]
    run = sandbox.run(cells, "probe", [call("2 + 2")], skip)
    assert run.outcomes[0].value == 4 and run.attempts == 1
    assert time.monotonic() - started < LIMITS.cell_timeout + 4


def test_a_hanging_or_crashing_call_costs_only_that_call(sandbox):
    calls = [
        call("2 * 3"),
        call("import time; time.sleep(60)"),
        call("import os; os._exit(7)"),
        call("import faulthandler; faulthandler._sigsegv()"),
        call("'still here'"),
    ]
    outcomes = sandbox.run([PROBE], "probe", calls, set()).outcomes
    assert outcomes[0].value == 6
    assert "longer than" in outcomes[1].error
    assert "exit code 7" in outcomes[2].error
    assert "SIGSEGV" in outcomes[3].error
    assert outcomes[4].value == "still here" and outcomes[4].error is None


def test_a_per_call_time_limit_overrides_the_default(sandbox):
    outcomes = sandbox.run(
        [PROBE], "probe", [call("import time; time.sleep(1.0); 1", time_limit=0.3), call("2")], set()
    ).outcomes
    assert "0.3 s" in outcomes[0].error and outcomes[1].value == 2


def test_the_memory_limit_turns_a_bomb_into_a_memory_error(sandbox):
    (outcome,) = probe(sandbox, "import numpy as np; np.ones(1 << 33)")
    assert outcome.error.startswith("MemoryError")


def test_writing_over_the_result_channel_costs_only_the_current_step(sandbox):
    garbage = (
        "import os\n"
        "for fd in range(3, 64):\n"
        "    try:\n"
        "        os.write(fd, b'DLG1' + b'x' * 40)\n"
        "    except OSError:\n"
        "        pass"
    )
    skip: set[int] = set()
    run = sandbox.run([garbage, PROBE], "probe", [call("5")], skip)
    assert skip == {0} and "result channel" in run.cell_errors[0]
    assert run.outcomes[0].value == 5


def test_results_beyond_the_output_limit_are_refused(sandbox):
    outcomes = sandbox.run([PROBE], "probe", [call("import numpy as np; np.zeros(1 << 20)"), call("3")], set()).outcomes
    assert outcomes[0].value is None and "MB" in outcomes[0].error
    assert outcomes[1].value == 3


def test_inputs_are_private_copies_and_changing_them_is_reported(sandbox):
    cells = ["def scale(x):\n    x *= 2\n    return x"]
    x = np.arange(3.0)
    (outcome,) = sandbox.run(cells, "scale", [{"args": [x], "kwargs": {}, "strict_fp": False}], set()).outcomes
    assert np.array_equal(outcome.value, [0.0, 2.0, 4.0]) and outcome.mutated == ["argument 1"]
    assert np.array_equal(x, np.arange(3.0))


def test_a_monkeypatch_made_while_answering_one_question_does_not_reach_the_next(sandbox):
    cells = [
        "import numpy as np\n"
        "def sabotage(x):\n    np.sum = lambda *a, **k: 0.0\n    return float(np.sum(x))\n"
        "def total(x):\n    return float(np.sum(x))"
    ]
    one = [{"args": [np.ones(4)], "kwargs": {}, "strict_fp": False}]
    assert sandbox.run(cells, "sabotage", one, set()).outcomes[0].value == 0.0
    assert sandbox.run(cells, "total", one, set()).outcomes[0].value == 4.0


def test_errors_in_cells_are_reported_with_their_place_and_later_cells_still_run(sandbox):
    cells = ["x = undefined_name", "def f(a):\n    raise ValueError('bad input')", "def g(a):\n    return a"]
    run = sandbox.run(cells, "f", [call("1")], set())
    assert "NameError" in run.cell_errors[0]
    assert run.outcomes[0].error == "ValueError: bad input (code cell 2, line 2)"
    assert sandbox.run(cells, "g", [call("1")], set()).outcomes[0].value == "1"


def test_a_missing_function_is_named_in_the_message(sandbox):
    (outcome,) = sandbox.run(["x = 1"], "softmax", [call("1")], set()).outcomes
    assert "`softmax` is not defined" in outcome.error


def test_the_sandbox_recovers_when_its_waiting_worker_dies():
    with Sandbox(LIMITS) as box:
        box.spares[0].kill()
        assert box.run([PROBE], "probe", [call("1 + 2")], set()).outcomes[0].value == 3
        assert box.run([PROBE], "probe", [call("1 + 3")], set()).outcomes[0].value == 4


FORGE = """
import os, sys
wire = sys.modules["wire"]  # the worker's own encoder: the frames below are well formed


def forge(message):
    for fd in range(3, 64):
        try:
            os.write(fd, wire.pack(message))
        except OSError:
            pass
"""


def test_forged_results_outside_their_call_are_ignored(sandbox):
    cells = [
        FORGE,
        "forge({'type': 'case_result', 'index': 0, 'error': None, 'value': 'forged', 'mutated': []})",
        "forge({'type': 'done'})",
        PROBE,
    ]
    run = sandbox.run(cells, "probe", [call("'honest'"), call("'also honest'")], set())
    assert [o.value for o in run.outcomes] == ["honest", "also honest"]


def test_forged_progress_cannot_postpone_a_cells_time_limit(sandbox):
    spam = "import time\nwhile True:\n    forge({'type': 'cell_start', 'index': 1})\n    time.sleep(0.05)"
    skip: set[int] = set()
    started = time.monotonic()
    run = sandbox.run([FORGE, spam, PROBE], "probe", [call("7")], skip)
    assert run.outcomes[0].value == 7 and skip == {1}
    assert time.monotonic() - started < LIMITS.cell_timeout + 4


def test_a_result_too_large_for_a_message_is_reported_as_such(sandbox):
    (outcome,) = probe(sandbox, "['x' * 5000] * 2000")
    assert outcome.value is None and "cannot be sent" in outcome.error


def test_a_cell_longer_than_a_returned_string_may_be_still_reaches_the_worker(sandbox):
    cell = "X = " + repr("y" * 50_000) + "\ndef f(a):\n    return len(X) + a\n"
    (outcome,) = sandbox.run([cell], "f", [call(1)], set()).outcomes
    assert outcome.value == 50_001 and outcome.error is None


def _in_filtered_child(action) -> int:
    """Run ``action`` in a forked child under the locked allow-list; the child's wait status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            seccomp.install(seccomp.program(platform.machine(), "locked", os.getpid()))
            os._exit(action())
        except BaseException:
            os._exit(99)
    return os.waitpid(pid, 0)[1]


@pytest.mark.skipif(platform.machine() != "x86_64", reason="machine code for x86_64")
@pytest.mark.parametrize(
    "code",
    [b"\xb8\x14\x00\x00\x00\xcd\x80\xc3", b"\xb8\x27\x00\x00\x40\x0f\x05\xc3"],
    ids=["i386 int 0x80", "x32 syscall"],
)
def test_system_calls_of_a_foreign_abi_kill_the_process(code):
    """getpid, allowed by number in the x86_64 table, called through the i386 and x32 ABIs."""
    import ctypes
    import mmap
    import signal

    def run() -> int:
        memory = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        memory.write(code)
        address = ctypes.addressof(ctypes.c_char.from_buffer(memory))
        ctypes.CFUNCTYPE(ctypes.c_long)(address)()
        return 0

    status = _in_filtered_child(run)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSYS


def test_the_allow_list_refuses_what_it_does_not_name():
    import ctypes

    numbers = {"socket": 41, "mount": 165, "unshare": 272, "keyctl": 250, "bpf": 321, "personality": 135}
    if platform.machine() != "x86_64":
        pytest.skip("syscall numbers for x86_64")

    def run() -> int:
        libc = ctypes.CDLL(None, use_errno=True)
        refused = 0
        for number in numbers.values():
            if libc.syscall(number, 0, 0, 0, 0, 0) == -1 and ctypes.get_errno() == 1:  # EPERM
                refused += 1
        return refused

    status = _in_filtered_child(run)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == len(numbers)
