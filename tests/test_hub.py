"""A class on the local JupyterHub, end to end (deploy/): log in, spawn, run a chapter, update, collect, grade.

Two learners log in through the hub's REST API, get their own JupyterLab server (as their own Unix user,
in a private home folder), pull the course with nbgitpuller, run chapter 00 through the kernel WebSocket,
and cannot read each other's files or the instructor's. Then the instructor updates the course, the pull
merges the update without losing a learner's edit, and the class's exercise-2 notebooks are collected
from the homes and graded into a gradebook. Needs root (it creates Unix users) and `make vendor`
(configurable-http-proxy from npm). Every process, user and folder it creates is removed at the end.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

import localhub  # noqa: E402
import nbgitpuller_link  # noqa: E402

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(
        os.name != "posix" or os.geteuid() != 0 or not shutil.which("useradd"),
        reason="the local hub starts each learner's server as a Unix user: needs root and useradd",
    ),
]

PASSWORD = secrets.token_urlsafe(12)
CHAPTER = ROOT / "chapters" / "00_introduction.ipynb"
EXERCISE = "02_activations_losses.ipynb"
TITLE_LINE = 0  # the first line of the chapter's first (markdown) cell: the learner and the instructor both edit it


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "instructor", "GIT_AUTHOR_EMAIL": "i@localhost",
           "GIT_COMMITTER_NAME": "instructor", "GIT_COMMITTER_EMAIL": "i@localhost"}  # fmt: skip
    done = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return done.stdout


def _set_title(notebook_text: str, title: str) -> str:
    nb = json.loads(notebook_text)
    nb["cells"][0]["source"] = [title + "\n", *nb["cells"][0]["source"][1:]]
    return json.dumps(nb, indent=1) + "\n"


_clock = [time.monotonic()]


def _phase(name: str) -> None:
    """Print how long each phase took (shown with `pytest -s`, and on failure)."""
    now = time.monotonic()
    print(f"[hub test] {name}: {now - _clock[0]:.1f} s", flush=True)
    _clock[0] = now


def _title(notebook_text: str) -> str:
    return json.loads(notebook_text)["cells"][0]["source"][TITLE_LINE].rstrip("\n")


@pytest.fixture
def world_readable_dir():
    """Folders the learners' servers must reach (their homes' parent, the course's git remote)."""
    made = []

    def make(prefix: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix=prefix))
        path.chmod(0o755)
        made.append(path)
        return path

    yield make
    for path in made:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def course(world_readable_dir):
    """The course as the instructor publishes it: a working copy, and a bare remote served on localhost.

    `git daemon` serves it (git://127.0.0.1), like a real remote: git refuses a file:// repository owned
    by another user (root) as "dubious ownership".
    """
    base = world_readable_dir("dlhub-course-")
    work = base / "work"
    (work / "chapters").mkdir(parents=True)
    (work / "exercises").mkdir()
    shutil.copy(CHAPTER, work / "chapters")
    shutil.copy(ROOT / "exercises" / EXERCISE, work / "exercises")
    (work / "README.md").write_text("# The course\n")
    _git(work, "init", "--quiet", "--initial-branch=main")
    _git(work, "add", ".")
    _git(work, "commit", "--quiet", "-m", "first release")
    _git(base, "clone", "--quiet", "--bare", str(work), "course.git")
    _git(work, "remote", "add", "origin", str(base / "course.git"))
    subprocess.run(["chmod", "-R", "a+rX", str(base)], check=True)
    port = localhub.free_port()
    daemon = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}", f"--base-path={base}",
         "--export-all", "--informative-errors", str(base)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while subprocess.run(
            ["git", "ls-remote", f"git://127.0.0.1:{port}/course.git"], capture_output=True
        ).returncode:
            assert time.monotonic() < deadline and daemon.poll() is None, "git daemon did not start"
            time.sleep(0.2)
        yield work, f"git://127.0.0.1:{port}/course.git"
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=10)


@pytest.fixture
def learners(world_readable_dir):
    """Two Unix users with private homes under a temporary folder; removed afterwards with their processes."""
    homes = world_readable_dir("dlhub-homes-")
    tag = secrets.token_hex(3)
    names = [f"alice-{tag}", f"bob-{tag}"]
    try:
        yield homes, {name: localhub.create_user(name, homes) for name in names}
    finally:
        leftovers = {name: localhub.processes_of(name) for name in names}  # the hub stopped every server
        for name in names:
            localhub.delete_user(name)
    assert leftovers == {name: [] for name in names}, f"processes of the learners survived the hub: {leftovers}"


def test_a_class_on_the_local_hub_runs_a_chapter_updates_without_losing_edits_and_is_graded(tmp_path, course, learners):
    work, remote = course
    homes, user_homes = learners
    alice, bob = user_homes
    instructor = tmp_path / "instructor"  # private: /tmp/pytest-of-root is mode 700
    shutil.copytree(ROOT / "exercises" / "instructor", instructor)
    _phase("users and course remote")
    hub = localhub.start_hub(tmp_path / "hub", [alice, bob], PASSWORD)
    _phase("hub started")
    try:
        asyncio.run(_class_session(hub.url, alice, bob, work, remote, user_homes, instructor))
    except BaseException:
        print(hub.log()[-6000:])
        raise
    finally:
        hub.stop()
    assert hub.process.poll() is not None
    _phase("hub stopped")

    # The instructor collects exercise 2 from every home and grades it with dlgrade's own command.
    subs, grades = tmp_path / "submissions", tmp_path / "grades"
    collect = [sys.executable, str(ROOT / "deploy" / "collect_submissions.py"), "--homes", str(homes),
               "--exercise", "2", "--out", str(subs)]  # fmt: skip
    subprocess.run(collect, check=True, capture_output=True, text=True, timeout=60)
    _phase("collected")
    assert sorted(p.name for p in subs.glob("*.ipynb")) == sorted(f"{u}.ipynb" for u in (alice, bob))
    grade = [sys.executable, "-m", "dlgrade", "grade-folder", str(subs), "--exercise", "2", "--out", str(grades),
             "--instructor", str(instructor), "--jobs", "2"]  # fmt: skip
    done = subprocess.run(grade, cwd=ROOT, capture_output=True, text=True, timeout=120)
    _phase("graded")
    assert done.returncode == 0, done.stderr[-3000:]
    with open(grades / "gradebook.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert set(rows) == {alice, bob}
    assert float(rows[alice]["score"]) == float(rows[alice]["max_score"]) > 0, rows[alice]
    assert float(rows[bob]["score"]) == 0, rows[bob]


async def _class_session(hub_url, alice, bob, work, remote, homes, instructor):
    users = {name: localhub.HubUser(hub_url, name) for name in (alice, bob)}
    await asyncio.gather(*(u.login(PASSWORD) for u in users.values()))
    with pytest.raises(RuntimeError, match="403"):
        await localhub.HubUser(hub_url, alice).login("not the password")
    await asyncio.gather(*(u.spawn() for u in users.values()))
    _phase("logged in and spawned")
    a, b = users[alice], users[bob]
    assert localhub.processes_of(alice) and localhub.processes_of(bob)  # each server runs as its learner
    assert (await a.api("/api/status"))["started"]
    with pytest.raises(RuntimeError, match="403"):  # alice's token does not open bob's server
        await localhub.HubUser(hub_url, alice, a.token)._json(b.server_url + "/api/contents")

    # The nbgitpuller link (the same for everyone) leads each learner to their own server's puller page,
    # which pulls through the API below; then the whole chapter runs in each learner's kernel.
    link = nbgitpuller_link.link(hub_url, remote, open_path=f"chapters/{CHAPTER.name}")
    url, page = await a.browse(link, PASSWORD)
    assert url.startswith(f"{a.server_url}/git-pull?") and "targetpath=dl-course" in url, url
    assert "git-pull" in page
    for user in users.values():
        await user.git_pull(remote, "main", "dl-course")
    assert (homes[alice] / "dl-course" / "chapters" / CHAPTER.name).stat().st_uid == os.stat(homes[alice]).st_uid
    cells = localhub.notebook_cells(CHAPTER)
    _phase("course pulled")
    runs = await asyncio.gather(*(u.run_cells(cells, timeout_per_cell=60) for u in users.values()))
    _phase("chapter run in both kernels")
    for name, results in zip(users, runs, strict=True):
        failed = [(i, r["error"]) for i, r in enumerate(results) if r["status"] != "ok"]
        assert failed == [] and len(results) == len(cells), f"{name}: {failed}"
        assert "online mean" in "".join(r["stdout"] for r in results)

    # A learner cannot read another learner's home, nor the instructor's solutions.
    probe = (
        "import os\n"
        "for path in [{other!r}, {secret!r}]:\n"
        "    try:\n"
        "        os.listdir(path)\n"
        "        print('READABLE', path)\n"
        "    except PermissionError:\n"
        "        print('denied', path)\n"
    )
    [result] = await a.run_cells([probe.format(other=str(homes[bob]), secret=str(instructor))])
    assert result["stdout"].count("denied") == 2 and "READABLE" not in result["stdout"], result

    # Alice edits the chapter's title and solves exercise 2; Bob leaves his copy as it came.
    chapter_path = f"dl-course/chapters/{CHAPTER.name}"
    await a.put_file(chapter_path, _set_title(await a.get_file(chapter_path), "# Alice's notes on chapter 0"))
    await a.put_file(f"dl-course/exercises/{EXERCISE}", (instructor / EXERCISE).read_text())

    # The instructor edits the same line, adds a chapter and changes the README; the same link pulls it.
    chapter = work / "chapters" / CHAPTER.name
    chapter.write_text(_set_title(chapter.read_text(), "# Chapter 0, revised"))
    shutil.copy(ROOT / "chapters" / "01_linear_algebra.ipynb", work / "chapters")
    (work / "README.md").write_text("# The course\n\nChapter 1 is out.\n")
    _git(work, "add", ".")
    _git(work, "commit", "--quiet", "-m", "chapter 1; revised chapter 0")
    _git(work, "push", "--quiet", "origin", "main")
    for user in users.values():
        await user.git_pull(remote, "main", "dl-course")
    assert _title(await a.get_file(chapter_path)) == "# Alice's notes on chapter 0"  # her edit survives
    assert _title(await b.get_file(chapter_path)) == "# Chapter 0, revised"  # untouched copies update
    for user in users.values():
        assert "Chapter 1 is out." in await user.get_file("dl-course/README.md")
        assert (await user.api("/api/contents/dl-course/chapters/01_linear_algebra.ipynb"))["type"] == "notebook"
    assert json.loads(await a.get_file(f"dl-course/exercises/{EXERCISE}")) == json.loads(
        (instructor / EXERCISE).read_text()
    )
    _phase("isolation checked, edits made, update pulled")
    await asyncio.gather(*(u.stop() for u in users.values()))
