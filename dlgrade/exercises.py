"""Where an exercise's pieces live, and loading them.

For an exercise ``02_activations_losses``:

    exercises/02_activations_losses.ipynb                     learner's notebook (built by `release`)
    exercises/public_tests/02_activations_losses.py           QUESTIONS, PUBLIC: tests learners see
    exercises/instructor/02_activations_losses.ipynb          source notebook with the solutions
    exercises/instructor/hidden_tests/02_activations_losses.py  HIDDEN: tests learners never see

``DLGRADE_EXERCISES`` and ``DLGRADE_INSTRUCTOR`` (or the CLI's ``--instructor``) move the
two folders, so an instructor can keep the private one outside the course repository.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import types
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
_SLUG = re.compile(r"^(\d\d)_[a-z0-9_]+$")
_cache: dict[tuple[str, float], types.ModuleType] = {}


def exercises_dir() -> Path:
    return Path(os.environ.get("DLGRADE_EXERCISES", REPO_ROOT / "exercises")).resolve()


def instructor_dir(override: str | Path | None = None) -> Path:
    default = os.environ.get("DLGRADE_INSTRUCTOR", exercises_dir() / "instructor")
    return Path(override or default).resolve()


def slugs() -> list[str]:
    """Every exercise, in order: ["01_numpy_gradients", ...]."""
    folder = exercises_dir() / "public_tests"
    return sorted(p.stem for p in folder.glob("[0-9][0-9]_*.py") if _SLUG.match(p.stem))


def resolve(name: str | Path) -> str:
    """The slug for "2", "02", "02_activations_losses", "activations_losses" or a notebook path."""
    text = Path(name).stem if str(name).endswith(".ipynb") else str(name)
    for slug in slugs():
        number = slug[:2]
        if text in (slug, number, str(int(number)), slug[3:]):
            return slug
    raise LookupError(f"no exercise called {name!r}; known: {', '.join(slugs())}")


def slug_for_question(question: str) -> str:
    """The exercise a question id such as "2.3" belongs to."""
    number, _, rest = question.partition(".")
    if not number.isdigit() or not rest:
        raise LookupError(f"a question id looks like '2.3', got {question!r}")
    return resolve(number)


def _load(path: Path, name: str) -> types.ModuleType:
    """Import a file by path (cached until it changes)."""
    key = (str(path), path.stat().st_mtime)
    if key not in _cache:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _cache[key] = module
    return _cache[key]


def public(slug: str) -> types.ModuleType:
    """The public test module: QUESTIONS (list of Question) and PUBLIC (id -> list of Case)."""
    return _load(exercises_dir() / "public_tests" / f"{slug}.py", f"dlgrade_public_{slug}")


def hidden(slug: str, instructor: str | Path | None = None) -> types.ModuleType:
    """The hidden test module: HIDDEN (id -> function(rng, ref) -> list of Case)."""
    path = instructor_dir(instructor) / "hidden_tests" / f"{slug}.py"
    if not path.exists():
        raise LookupError(f"hidden tests not found: {path} (grading needs the instructor folder)")
    return _load(path, f"dlgrade_hidden_{slug}")


def source_notebook(slug: str, instructor: str | Path | None = None) -> Path:
    path = instructor_dir(instructor) / f"{resolve(slug)}.ipynb"
    if not path.exists():
        raise LookupError(f"source notebook not found: {path} (grading needs the instructor folder)")
    return path


def top_level_functions(sources: list[str]) -> dict[str, tuple[str, set[str]]]:
    """{name: (source of the def, names it reads)} for every top-level ``def`` in the cells
    (the last definition of a name wins). Cells that do not parse are skipped."""
    import ast

    found: dict[str, tuple[str, set[str]]] = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                text = ast.get_source_segment(source, node) or ""
                if node.decorator_list:
                    text = ""  # a decorated definition is not copied
                reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
                found[node.name] = (text, reads)
    return found


def reference_functions(slug: str, instructor: str | Path | None = None) -> dict[str, tuple[str, set[str]]]:
    """The solution notebook's top-level functions: {name: (source, names it reads)}."""
    from dlgrade import notebook

    nb = json.loads(source_notebook(slug, instructor).read_text(encoding="utf-8"))
    return top_level_functions(notebook.grading_sources(nb))
