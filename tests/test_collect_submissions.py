"""deploy/collect_submissions.py copies each learner's own notebook, and nothing a learner points it at."""

from __future__ import annotations

import csv
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

import collect_submissions  # noqa: E402

EXERCISE = "02_activations_losses.ipynb"


def _home(homes: Path, name: str, uid: int) -> Path:
    folder = homes / name / "dl-course" / "exercises"
    folder.mkdir(parents=True)
    for path in (homes / name, homes / name / "dl-course", folder):
        os.chown(path, uid, uid)
    return folder


def _statuses(out: Path) -> dict[str, str]:
    with open(out / "collection.csv", newline="") as f:
        return {row["learner"]: row["status"] for row in csv.DictReader(f)}


def test_exercise_names_resolve_to_the_released_notebook():
    assert collect_submissions.exercise_filename("2") == EXERCISE
    assert collect_submissions.exercise_filename("02_activations_losses") == EXERCISE
    with pytest.raises(SystemExit, match="expected one match"):
        collect_submissions.exercise_filename("99")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="needs root to give files to other users")
def test_collects_own_notebooks_and_refuses_symlinks_foreign_files_and_fifos(tmp_path):
    homes, out = tmp_path / "homes", tmp_path / "out"
    released = ROOT / "exercises" / EXERCISE
    secret = tmp_path / "secret.ipynb"  # stands for the instructor's solutions or another learner's work
    secret.write_text('{"secret": true}')

    ok = _home(homes, "ann", 4001)
    shutil.copy(released, ok / EXERCISE)
    os.chown(ok / EXERCISE, 4001, 4001)

    (_home(homes, "ben", 4002) / EXERCISE).symlink_to(secret)  # a symlink to a file only root can read

    link_dir = homes / "cat"  # a symlinked folder on the way: the course folder points at ann's
    link_dir.mkdir()
    os.chown(link_dir, 4003, 4003)
    (link_dir / "dl-course").symlink_to(homes / "ann" / "dl-course")

    foreign = _home(homes, "dan", 4004)  # a hard link to someone else's file keeps its real owner
    os.link(secret, foreign / EXERCISE)

    os.mkfifo(_home(homes, "eve", 4005) / EXERCISE)  # would block a naive reader forever
    os.chown(homes / "eve" / "dl-course" / "exercises" / EXERCISE, 4005, 4005)

    _home(homes, "fay", 4006)  # did not submit

    rows = collect_submissions.collect(homes, "2", out)
    assert [r["learner"] for r in rows] == ["ann", "ben", "cat", "dan", "eve", "fay"]
    assert sorted(p.name for p in out.glob("*.ipynb")) == ["ann.ipynb"]
    assert (out / "ann.ipynb").read_bytes() == released.read_bytes()
    status = _statuses(out)
    assert status["ann"] == "collected"
    assert status["ben"].startswith("refused") and status["cat"].startswith("refused")
    assert status["dan"] == "refused: owned by uid 0, not by the learner (uid 4004)"
    assert status["eve"] == "refused: not a regular file"
    assert status["fay"].startswith("missing")
    assert b"secret" not in b"".join(p.read_bytes() for p in out.iterdir())
