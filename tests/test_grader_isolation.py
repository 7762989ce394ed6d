"""The operating-system sandbox holds on its own: with the Python audit hook switched off from inside
the worker (which submitted code can do), the instructor folder, the repository, the network and
the grader's process are still out of reach, and the disk, process and privilege limits hold."""

import os
from pathlib import Path

import numpy as np
import pytest

from dlgrade import exercises
from dlgrade.sandbox import Limits, Sandbox, isolation_problem

REPO = Path(__file__).resolve().parents[1]
LIMITS = Limits(cell_timeout=5.0, case_timeout=5.0, question_timeout=20.0, memory_mb=400, disk_mb=8)

# What a determined submission does first: switch off the audit hook (its refusals go through one
# small function that gc finds), so that only the operating system stands in the way.
UNHOOK = """
import gc
UNHOOKED = 0
for obj in gc.get_objects():
    if type(obj).__name__ == "function" and obj.__name__ == "refuse":
        obj.__code__ = (lambda what: None).__code__
        UNHOOKED += 1
"""
PROBE = """
def probe(code):
    namespace = {}
    *setup, last = code.split(";")
    exec(";".join(setup) or "pass", namespace)
    return eval(last.strip(), namespace)
"""


@pytest.fixture(scope="module")
def sandbox():
    problem = isolation_problem()
    assert problem is None, f"the grader's sandbox cannot run here: {problem} (`make test` installs bubblewrap)"
    with Sandbox(LIMITS) as box:
        yield box


def probe(sandbox, *codes):
    run = sandbox.run([UNHOOK, PROBE], "probe", [{"args": [c], "kwargs": {}} for c in codes], set())
    assert not run.cell_errors, run.cell_errors
    return run.outcomes


def values(sandbox, *codes):
    outcomes = probe(sandbox, *codes)
    assert [o.error for o in outcomes] == [None] * len(codes), [o.error for o in outcomes]
    return [o.value for o in outcomes]


def test_the_audit_hook_really_is_switched_off_in_these_tests(sandbox):
    unhooked, listing = values(sandbox, "import __main__; __main__.UNHOOKED", "import os; sorted(os.listdir('/'))")
    assert unhooked == 1
    assert set(listing) <= {"dev", "lib", "lib32", "lib64", "opt", "proc", "root", "tmp", "usr"}, listing


def test_the_instructor_folder_and_the_repository_do_not_exist_inside(sandbox):
    instructor, hidden = exercises.instructor_dir(), exercises.instructor_dir() / "hidden_tests"
    checks = [f"import os; os.path.exists({str(p)!r})" for p in (instructor, hidden, REPO, REPO / "pyproject.toml")]
    assert values(sandbox, *checks) == [False] * 4
    (outcome,) = probe(sandbox, f"open({str(REPO / 'README.md')!r}).read()")
    assert "FileNotFoundError" in outcome.error


def test_there_is_no_network(sandbox):
    socket_try, tcp, interfaces = probe(
        sandbox,
        "import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        "import socket; socket.create_connection(('127.0.0.1', 9), timeout=1)",
        "[line.split(':')[0].strip() for line in open('/proc/net/dev').read().splitlines()[2:]]",
    )
    assert "PermissionError" in socket_try.error and "PermissionError" in tcp.error
    assert interfaces.value == ["lo"]  # a network namespace of its own, with loopback only


def test_the_graders_process_cannot_be_seen_signalled_or_traced(sandbox):
    grader = os.getpid()
    visible, kill, kill_all, pidfd, ptrace = probe(
        sandbox,
        "import os; sorted(int(p) for p in os.listdir('/proc') if p.isdigit())",
        f"import os, signal; os.kill({grader}, signal.SIGSTOP)",
        "import os, signal; os.kill(-1, signal.SIGKILL)",
        f"import ctypes; ctypes.CDLL(None, use_errno=True).syscall(434, {grader}, 0), ctypes.get_errno()",
        "import ctypes; ctypes.CDLL(None, use_errno=True).syscall(101, 16, 1, 0, 0), ctypes.get_errno()",
    )
    assert visible.value == [1, 2]  # bubblewrap's init and the worker: nothing of the grader's
    assert "PermissionError" in kill.error and "PermissionError" in kill_all.error
    assert pidfd.value == [-1, 1] and ptrace.value == [-1, 1]  # EPERM from the seccomp allow-list
    os.kill(grader, 0)  # still here


def test_the_worker_is_an_unprivileged_user_of_its_own_without_capabilities(sandbox):
    ids, status = values(
        sandbox,
        "import os; [os.getuid(), os.geteuid(), os.getgid(), os.getgroups()]",
        "{k: v.strip() for k, v in (line.split(':', 1) for line in open('/proc/self/status')) "
        "if k in ('CapEff', 'CapPrm', 'NoNewPrivs', 'Seccomp')}",
    )
    uid, euid, gid, groups = ids
    assert uid == euid and uid not in (0, os.getuid()) and gid != 0 and groups == []
    assert status == {"CapPrm": "0" * 16, "CapEff": "0" * 16, "NoNewPrivs": "1", "Seccomp": "2"}
    (outcome,) = probe(sandbox, "import os; os.setuid(0)")
    assert "PermissionError" in outcome.error


def test_only_a_small_tmpfs_is_writable(sandbox):
    outcomes = probe(
        sandbox,
        "import numpy; open(numpy.__file__, 'a')",
        "open('/usr/lib/planted', 'w')",
        "open('/planted', 'w')",
        "open('/dev/shm/planted', 'w')",
        "open('/dev/planted', 'w')",
        "f = open('big', 'wb'); [f.write(bytes(1 << 20)) for _ in range(9)]",
        "open('/tmp/work/small', 'w').write('fits')",
    )
    assert all("Read-only file system" in o.error or "Permission" in o.error for o in outcomes[:5]), outcomes
    assert "No space left on device" in outcomes[5].error
    assert outcomes[6].value == 4


def test_processes_are_refused_and_threads_are_limited(sandbox):
    fork, exec_, threads = probe(
        sandbox,
        "import os; os.fork()",
        "import os, sys; os.execv(sys.executable, ['python', '-c', 'pass'])",
        "import threading, time\n"
        "count = 0\n"
        "try:\n"
        "    while count < 1000:\n"
        "        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
        "        count += 1\n"
        "except RuntimeError:\n"
        "    pass\n"
        ";count",
    )
    assert "PermissionError" in fork.error and "PermissionError" in exec_.error
    assert 0 < threads.value < 64  # RLIMIT_NPROC for the worker's own user


def test_each_call_gets_its_inputs_only_when_it_starts(sandbox):
    cells = [
        "import gc\nimport numpy as np\n"
        "def inputs():\n"
        "    found = {}\n"
        "    for obj in gc.get_objects():\n"
        "        for ref in gc.get_referents(obj):\n"
        "            if isinstance(ref, np.ndarray) and ref.shape == (5,) and ref[0] == ref[-1] == 7 + ref[1]:\n"
        "                found[id(ref)] = float(ref[1])\n"
        "    return sorted(set(found.values()))\n"
        "BEFORE = inputs()\n"
        "def count(x):\n    return [BEFORE, inputs()]"
    ]
    cases = [{"args": [np.array([7.0 + i, i, i, i, 7.0 + i])], "kwargs": {}} for i in range(3)]
    run = sandbox.run(cells, "count", cases, set())
    # before the calls the worker holds no input; while call i runs, only its own
    assert [o.value for o in run.outcomes] == [[[], [0.0]], [[], [1.0]], [[], [2.0]]]


def test_the_same_array_passed_twice_stays_one_array_inside(sandbox):
    x = np.arange(4.0)
    cells = ["def same(a, b):\n    return a is b"]
    (outcome,) = sandbox.run(cells, "same", [{"args": [x, x], "kwargs": {}}], set()).outcomes
    assert outcome.value is True


def test_every_question_starts_in_a_fresh_sandbox(sandbox):
    first, second = (
        sandbox.run([UNHOOK, PROBE], "probe", [{"args": [code], "kwargs": {}}], set()).outcomes[0]
        for code in (
            "import os; open('/tmp/left-behind', 'w').write('x'); os.listdir('/tmp')",
            "import os; os.listdir('/tmp')",
        )
    )
    assert "left-behind" in first.value and second.value == ["work"]
