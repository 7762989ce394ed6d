"""Notebooks as plain JSON: the learner release built from a source notebook, and the code to grade.

In a source notebook, solutions sit between marker lines in code cells

    def sigmoid(z):
        ### BEGIN SOLUTION
        return ...
        ### END SOLUTION

(and between ``<!-- BEGIN SOLUTION -->`` / ``<!-- END SOLUTION -->`` in markdown). The
release replaces each block with a stub that raises NotImplementedError, drops cells tagged
"solution" or "hidden-tests", clears outputs, and refuses to be written while anything
private is left: a marker (including ``BEGIN HIDDEN TESTS``: hidden tests belong in
``instructor/hidden_tests/``), a private tag, a path to the hidden tests or to the mistake
catalogue (``instructor/mistakes/``), or a line of a solution appearing anywhere else in the
notebook.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

BEGIN_CODE = re.compile(r"^(?P<indent>[ \t]*)#+[ \t]*BEGIN SOLUTION[ \t]*$")
END_CODE = re.compile(r"^[ \t]*#+[ \t]*END SOLUTION[ \t]*$")
BEGIN_MARKDOWN = re.compile(r"^[ \t]*<!--[ \t]*BEGIN SOLUTION[ \t]*-->[ \t]*$")
END_MARKDOWN = re.compile(r"^[ \t]*<!--[ \t]*END SOLUTION[ \t]*-->[ \t]*$")
LEAKS = re.compile(
    r"(?:BEGIN|END)\s+(?:SOLUTION|HIDDEN)|hidden_tests|instructor/|mistakes/\d\d_|dlgrade\.mistakes", re.IGNORECASE
)
POINTS = re.compile(r"\s*\(\d+(?:\.\d+)? points?\)\s*$")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
PRIVATE_TAGS = frozenset({"solution", "hidden-tests", "hidden_tests", "instructor"})
STUB = 'raise NotImplementedError("replace this line with your solution")'
MARKDOWN_STUB = "*Write your answer here.*"
MIN_SOLUTION_LINE = 16  # shorter solution lines ("return out") may legitimately appear elsewhere
MAGIC_KEEP_BODY = frozenset({"time", "timeit", "capture", "prun"})


class ReleaseError(ValueError):
    """The source notebook cannot become a safe learner release."""


def read(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def dumps(nb: dict) -> str:
    """Stable text for a notebook (nbformat's layout: one-space indent, sorted keys)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _as_lines(text: str) -> list[str]:
    """The list-of-lines form nbformat writes (each line keeps its newline)."""
    return text.splitlines(keepends=True)


def _strip_blocks(text: str, begin: re.Pattern, end: re.Pattern, stub: str | None, where: str) -> tuple[str, list[str]]:
    """Replace every begin/end block with ``stub`` (indented like the marker)."""
    out, removed, inside = [], [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if begin.match(line):
            if inside:
                raise ReleaseError(f"{where}, line {number}: BEGIN SOLUTION inside another solution block")
            inside = True
            if stub is not None:
                indent = begin.match(line).groupdict().get("indent", "")
                out.append(f"{indent}{stub}")
        elif end.match(line):
            if not inside:
                raise ReleaseError(f"{where}, line {number}: END SOLUTION without BEGIN SOLUTION")
            inside = False
        elif inside:
            removed.append(line)
        else:
            out.append(line)
    if inside:
        raise ReleaseError(f"{where}: BEGIN SOLUTION without END SOLUTION")
    return "\n".join(out), removed


def build_release(source: dict, slug: str) -> tuple[dict, list[str]]:
    """(learner notebook, the solution lines it must not contain) from a source notebook."""
    cells, solution_lines = [], []
    for number, cell in enumerate(source.get("cells", []), start=1):
        tags = list(cell.get("metadata", {}).get("tags", []))
        if PRIVATE_TAGS & set(tags):
            solution_lines += cell_source(cell).splitlines()
            continue
        kind, where = cell.get("cell_type"), f"cell {number}"
        if kind == "code":
            text, removed = _strip_blocks(cell_source(cell), BEGIN_CODE, END_CODE, STUB, where)
        elif kind == "markdown":
            text, removed = _strip_blocks(cell_source(cell), BEGIN_MARKDOWN, END_MARKDOWN, MARKDOWN_STUB, where)
        else:
            text, removed = cell_source(cell), []
        solution_lines += removed
        new = {"cell_type": kind, "metadata": {"tags": tags} if tags else {}, "source": _as_lines(text)}
        if "id" in cell:
            new["id"] = cell["id"]
        if kind == "code":
            new["execution_count"] = None
            new["outputs"] = []
        cells.append(new)
    metadata = {
        "dlgrade": {"exercise": slug},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    release = {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}
    return release, solution_lines


def release_problems(nb: dict, solution_lines: list[str]) -> list[str]:
    """Everything that makes ``nb`` unsafe to hand out (empty list: safe)."""
    problems = []
    secrets = {line.strip() for line in solution_lines if len(line.strip()) >= MIN_SOLUTION_LINE}
    for number, cell in enumerate(nb.get("cells", []), start=1):
        text = cell_source(cell)
        for match in LEAKS.finditer(text):
            problems.append(f"cell {number}: contains {match.group(0)!r}")
        for line in text.splitlines():
            if line.strip() in secrets:
                problems.append(f"cell {number}: contains a solution line: {line.strip()!r}")
        if PRIVATE_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            problems.append(f"cell {number}: has a private tag")
        if cell.get("outputs") or cell.get("execution_count") is not None:
            problems.append(f"cell {number}: has outputs")
    if LEAKS.search(json.dumps(nb.get("metadata", {}))):
        problems.append("notebook metadata mentions solutions or hidden tests")
    return problems


# --- grading -------------------------------------------------------------------------------------
def _neutralise_magics(text: str) -> str | None:
    """IPython-only syntax made plain Python; None for a cell that is not Python at all."""
    lines = text.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in MAGIC_KEEP_BODY:
            return None
        lines = lines[1:]
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            out.append(line[: len(line) - len(stripped)] + "pass  # IPython magic skipped")
        else:
            out.append(line)
    return "\n".join(out)


def grading_sources(nb: dict) -> list[str]:
    """The code cells to run, in order (magics made harmless, non-Python cells as empty)."""
    sources = []
    for cell in nb.get("cells", []):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            sources.append(_neutralise_magics(cell_source(cell)) or "")
    return sources


class SubmissionError(ValueError):
    """A submitted file that cannot be graded; the message says why, for the report."""


MAX_CELLS = 2000
MAX_CELL_CHARS = 1 << 20


def submission_cells(raw: bytes) -> tuple[list[str], str | None]:
    """(code cells to run, the exercise the metadata claims) from a submitted file's bytes.

    Strict about types: anything that is not an nbformat-4-like notebook raises
    SubmissionError with a reason a student can act on; nothing else escapes.
    """
    try:
        nb = json.loads(raw)
    except RecursionError as err:
        raise SubmissionError("the notebook's JSON is nested too deeply") from err
    except (UnicodeDecodeError, ValueError) as err:  # ValueError: bad JSON, or numbers too long
        raise SubmissionError("the file is not a readable notebook (.ipynb JSON)") from err
    if not isinstance(nb, dict) or not isinstance(nb.get("cells", []), list):
        raise SubmissionError("the file is not a notebook (no list of cells)")
    cells = nb.get("cells", [])
    if len(cells) > MAX_CELLS:
        raise SubmissionError(f"the notebook has more than {MAX_CELLS} cells")
    sources = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise SubmissionError(f"cell {number} is not a notebook cell")
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise SubmissionError(f"cell {number}: its source is not text")
        if len(source) > MAX_CELL_CHARS:
            raise SubmissionError(f"cell {number} is longer than {MAX_CELL_CHARS} characters")
        sources.append(_neutralise_magics(source) or "")
    metadata = nb.get("metadata")
    claimed = metadata.get("dlgrade") if isinstance(metadata, dict) else None
    exercise = claimed.get("exercise") if isinstance(claimed, dict) else None
    return sources, exercise if isinstance(exercise, str) and len(exercise) < 200 else None


def code_cell_headings(nb: dict) -> list[str]:
    """For each code cell (in ``grading_sources`` order), the text of the last Markdown heading
    above it, e.g. "Question 2.2: a numerically stable softmax (3 points)" ("" before any)."""
    headings, current = [], ""
    for cell in nb.get("cells", []):
        if not isinstance(cell, dict):
            continue
        if cell.get("cell_type") == "markdown":
            for line in cell_source(cell).splitlines():
                match = HEADING.match(line)
                if match:
                    current = POINTS.sub("", match.group(1)).strip()
        elif cell.get("cell_type") == "code":
            headings.append(current[:100])
    return headings


def describe_cell(sources: list[str], index: int, headings: list[str] | None = None) -> str:
    """'the cell under "Question 2.2: ..." (`def softmax(z):`)' for messages."""
    first = next((line.strip() for line in sources[index].splitlines() if line.strip()), "")
    first = first if len(first) <= 40 else first[:37] + "..."
    heading = headings[index] if headings and index < len(headings) else ""
    place = f'the cell under "{heading}"' if heading else f"code cell {index + 1}"
    return place + (f" (`{first}`)" if first else "")
