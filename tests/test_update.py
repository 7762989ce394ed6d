"""`make update` brings new chapters into a learner's clone and keeps what the learner did.

A small course repository plays upstream (with this repository's Makefile, update script and .gitignore); the
learner clones it, edits and runs chapters as in JupyterLab (outputs saved into the notebook), and upstream then
adds a chapter and changes another.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _git(repo: Path, *args: str) -> str:
    env_args = ["-c", "user.name=Course", "-c", "user.email=course@example.invalid", "-c", "init.defaultBranch=main"]
    return subprocess.run(["git", *env_args, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _chapter(path: Path, title: str, code: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {title}"), nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def _run_as_learner(path: Path, new_code: str | None = None) -> None:
    """Edit the code cell (when given) and run the notebook, saving its outputs as JupyterLab would."""
    nb = nbformat.read(path, as_version=4)
    if new_code is not None:
        nb.cells[1].source = new_code
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)


def _update(clone: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "update"], cwd=clone, capture_output=True, text=True)


@pytest.fixture
def course(tmp_path) -> tuple[Path, Path]:
    upstream, clone = tmp_path / "upstream", tmp_path / "learner"
    upstream.mkdir()
    _git(upstream, "init", "--quiet")
    for name in ("Makefile", ".gitignore", "tools/update_course.sh"):
        (upstream / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, upstream / name)
    _chapter(upstream / "chapters/01_first.ipynb", "One", "print(1 + 1)")
    _chapter(upstream / "chapters/02_second.ipynb", "Two", "print('two')")
    _git(upstream, "add", "-A")
    _git(upstream, "commit", "--quiet", "-m", "course")
    _git(tmp_path, "clone", "--quiet", str(upstream), str(clone))
    return upstream, clone


def _upstream_release(upstream: Path, note: str) -> None:
    _chapter(upstream / "chapters/03_third.ipynb", "Three", "print(3)")
    _chapter(upstream / "chapters/02_second.ipynb", "Two", f"print('two, {note}')")
    _git(upstream, "add", "-A")
    _git(upstream, "commit", "--quiet", "-m", f"chapter 03; {note} in chapter 02")


def _outputs(path: Path) -> str:
    return "".join(o.get("text", "") for o in nbformat.read(path, as_version=4).cells[1].outputs)


def test_update_brings_new_chapters_and_keeps_the_learners_work(course):
    upstream, clone = course
    _run_as_learner(clone / "chapters/01_first.ipynb", new_code="print(6 * 7)")  # edited and run
    _run_as_learner(clone / "chapters/02_second.ipynb")  # run only; upstream changes it below
    _chapter(clone / "chapters/my_notes.ipynb", "Mine", "x = 1")  # a notebook of the learner's own
    _upstream_release(upstream, "fixed")

    result = _update(clone)
    assert result.returncode == 0, result.stderr
    assert _git(clone, "rev-parse", "HEAD") == _git(upstream, "rev-parse", "HEAD")
    assert (clone / "chapters/03_third.ipynb").is_file(), "the new chapter did not arrive"
    # The edit to a chapter upstream did not touch stays in place, with its outputs.
    assert nbformat.read(clone / "chapters/01_first.ipynb", as_version=4).cells[1].source == "print(6 * 7)"
    assert _outputs(clone / "chapters/01_first.ipynb") == "42\n"
    # A chapter both sides changed: the new version in place, the learner's run saved under my_work/.
    assert "fixed" in nbformat.read(clone / "chapters/02_second.ipynb", as_version=4).cells[1].source
    assert _outputs(clone / "my_work/chapters/02_second.ipynb") == "two\n"
    assert "chapters/02_second.ipynb -> my_work/chapters/02_second.ipynb" in result.stdout
    assert "chapters/03_third.ipynb" in result.stdout
    assert (clone / "chapters/my_notes.ipynb").is_file()
    # Nothing of the learner's was committed, and my_work/ does not show up as untracked.
    status = _git(clone, "status", "--porcelain").split("\n")
    assert sorted(filter(None, status)) == [" M chapters/01_first.ipynb", "?? chapters/my_notes.ipynb"]

    again = _update(clone)
    assert again.returncode == 0 and "up to date" in again.stdout
    assert _outputs(clone / "chapters/01_first.ipynb") == "42\n"


def test_a_second_save_of_the_same_chapter_keeps_the_first(course):
    upstream, clone = course
    _run_as_learner(clone / "chapters/02_second.ipynb")
    _upstream_release(upstream, "fixed")
    assert _update(clone).returncode == 0
    _run_as_learner(clone / "chapters/02_second.ipynb")
    _chapter(upstream / "chapters/02_second.ipynb", "Two", "print('two, fixed again')")
    _git(upstream, "commit", "--quiet", "-am", "chapter 02 again")

    result = _update(clone)
    assert result.returncode == 0, result.stderr
    copies = sorted(p.name for p in (clone / "my_work/chapters").iterdir())
    assert len(copies) == 2 and copies[-1] == "02_second.ipynb", copies
    assert {_outputs(clone / "my_work/chapters" / name) for name in copies} == {"two\n", "two, fixed\n"}


def test_update_refuses_to_touch_a_clone_with_commits_of_its_own(course):
    upstream, clone = course
    _run_as_learner(clone / "chapters/02_second.ipynb", new_code="print('mine')")
    _git(clone, "commit", "--quiet", "-am", "my answer")
    before = (clone / "chapters/02_second.ipynb").read_text()
    _upstream_release(upstream, "fixed")

    result = _update(clone)
    assert result.returncode != 0 and "git pull --rebase" in result.stderr
    assert (clone / "chapters/02_second.ipynb").read_text() == before
    assert not (clone / "chapters/03_third.ipynb").exists() and not (clone / "my_work").exists()
