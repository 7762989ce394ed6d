"""Collect every learner's notebook for one exercise from their home folders, ready for dlgrade.

    sudo .venv/bin/python deploy/collect_submissions.py --homes /home --exercise 2 --out submissions/02
    .venv/bin/python -m dlgrade grade-folder submissions/02 --exercise 2 --out grades/02

For each home folder directly under ``--homes`` (one per learner), the learner's copy of the exercise is
``<home>/<course-dir>/exercises/NN_*.ipynb``: where the nbgitpuller link put the course. It is copied to
``<out>/<learner>.ipynb``, so the gradebook has one row per learner, named after the home folder.

Run as root (or a user who can read the homes). The copy is made safely, because a learner controls
everything inside their home: every path component is opened without following symbolic links, the
notebook must be a regular file owned by the learner, and it is read with a size limit. So a learner cannot
make the collector copy someone else's notebook, or a file only root can read, into the submissions. What is
skipped, and why, is printed and written to ``<out>/collection.csv``.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import stat
import sys
from pathlib import Path

MAX_BYTES = 20 << 20  # the grader's own limit on a notebook is smaller; this only bounds the copy
EXERCISES = Path(__file__).resolve().parents[1] / "exercises"


def exercise_filename(exercise: str) -> str:
    """'2', '02' or '02_activations_losses' -> '02_activations_losses.ipynb' (from the released exercises)."""
    key = exercise.removesuffix(".ipynb")
    if key.isdigit():
        key = f"{int(key):02d}_"
    matches = sorted(p.name for p in EXERCISES.glob("*.ipynb") if p.stem == key or p.name.startswith(key))
    if len(matches) != 1:
        raise SystemExit(f"exercise {exercise!r}: expected one match in {EXERCISES}, found {matches}")
    return matches[0]


def read_submission(home: Path, relative: Path, owner: int) -> bytes:
    """Read ``home/relative`` without following symlinks anywhere below ``home``; owner must be ``owner``."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(home, flags | os.O_DIRECTORY)
    try:
        for part in relative.parts[:-1]:
            next_fd = os.open(part, flags | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        file_fd = os.open(relative.parts[-1], flags | os.O_NONBLOCK, dir_fd=fd)
    finally:
        os.close(fd)
    with os.fdopen(file_fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_uid != owner:
            raise ValueError(f"owned by uid {info.st_uid}, not by the learner (uid {owner})")
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES >> 20} MB")
    return data


def collect(homes: Path, exercise: str, out: Path, course_dir: str = "dl-course") -> list[dict]:
    """Copy each learner's notebook of ``exercise`` to ``out/<learner>.ipynb``; one status row per home."""
    relative = Path(course_dir) / "exercises" / exercise_filename(exercise)
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)  # the collected notebooks are the instructor's now
    rows = []
    for home in sorted(p for p in homes.iterdir() if not p.is_symlink() and p.is_dir()):
        learner = home.name
        row = {"learner": learner, "source": str(home / relative), "status": "collected"}
        if not re.fullmatch(r"[A-Za-z0-9._-]+", learner) or learner.startswith("."):
            row["status"] = "skipped: not a learner's home folder name"
        else:
            try:
                data = read_submission(home, relative, home.lstat().st_uid)
                target = out / f"{learner}.ipynb"
                target.write_bytes(data)
                os.chmod(target, 0o600)
            except FileNotFoundError:
                row["status"] = "missing: no notebook at the expected path"
            except OSError as error:  # ELOOP: a symlink on the way; ENOTDIR; permission
                row["status"] = f"refused: {os.strerror(error.errno) if error.errno else error}"
            except ValueError as error:
                row["status"] = f"refused: {error}"
        rows.append(row)
    with open(out / "collection.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["learner", "status", "source"])
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--homes", required=True, help="the folder holding one home folder per learner (/home)")
    parser.add_argument("--exercise", required=True, help="2, 02 or 02_activations_losses")
    parser.add_argument("--out", required=True, help="folder for <learner>.ipynb and collection.csv")
    parser.add_argument("--course-dir", default="dl-course", help="the course folder in each home (dl-course)")
    args = parser.parse_args(argv)
    rows = collect(Path(args.homes), args.exercise, Path(args.out), args.course_dir)
    for row in rows:
        print(f"{row['learner']:<32} {row['status']}")
    collected = sum(row["status"] == "collected" for row in rows)
    print(f"collected {collected} of {len(rows)} homes into {args.out} (collection.csv lists every home)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
