"""Build the learner notebooks from the source notebooks, refusing anything unsafe."""

from __future__ import annotations

from pathlib import Path

from dlgrade import exercises, mistakes, notebook
from dlgrade.notebook import ReleaseError


def build(names: list[str] | None = None, instructor: str | Path | None = None) -> dict[Path, str]:
    """{learner notebook path: its text} for the given exercises (default: all).

    Raises ReleaseError listing every problem if any notebook would leak a solution,
    a hidden test, a path to the mistake catalogue or an output, or if a catalogue
    (``instructor/mistakes/``) names unknown questions or functions; nothing is written here.
    """
    slugs = [exercises.resolve(n) for n in names] if names else exercises.slugs()
    built, problems = {}, []
    for slug in slugs:
        source = notebook.read(exercises.source_notebook(slug, instructor))
        try:
            release, solution_lines = notebook.build_release(source, slug)
        except ReleaseError as err:
            problems.append(f"{slug}: {err}")
            continue
        problems += [f"{slug}: {p}" for p in notebook.release_problems(release, solution_lines)]
        problems += [f"{slug}: {p}" for p in _missing_checks(slug, release)]
        problems += [f"{slug}: {p}" for p in mistakes.problems(slug, instructor)]
        built[exercises.exercises_dir() / f"{slug}.ipynb"] = notebook.dumps(release)
    if problems:
        raise ReleaseError("refusing to write the release:\n  " + "\n  ".join(problems))
    return built


def _missing_checks(slug: str, release: dict) -> list[str]:
    """Every question needs its stub and its one-line check in the learner notebook."""
    code = "\n".join(notebook.grading_sources(release))
    problems = []
    for q in exercises.public(slug).QUESTIONS:
        if f"def {q.function}(" not in code:
            problems.append(f"question {q.id}: no `def {q.function}(` in the notebook")
        if f'check("{q.id}", {q.function})' not in code:
            problems.append(f'question {q.id}: no `check("{q.id}", {q.function})` line')
    return problems


def write(built: dict[Path, str]) -> list[Path]:
    """Write the built notebooks; returns the files that changed."""
    changed = []
    for path, text in built.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def stale(built: dict[Path, str]) -> list[Path]:
    """Learner notebooks on disk that differ from what the sources build."""
    return [p for p, text in built.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
