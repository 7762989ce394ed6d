"""The repository stays tidy: notebooks are stored without outputs and every one is in the book."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE_NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb")) + sorted((ROOT / "exercises").glob("*.ipynb"))


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS + sorted((ROOT / "exercises" / "instructor").glob("*.ipynb")),
                         ids=lambda p: str(p.relative_to(ROOT)))  # fmt: skip
def test_notebooks_are_stored_without_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {i} has stored outputs"
            assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_every_chapter_and_exercise_is_in_the_table_of_contents_and_nothing_else():
    listed = set(re.findall(r"file:\s*((?:chapters|exercises)/\S+)", (ROOT / "_toc.yml").read_text()))
    on_disk = {str(p.relative_to(ROOT).with_suffix("")) for p in COURSE_NOTEBOOKS}
    assert listed == on_disk, f"only in _toc.yml: {sorted(listed - on_disk)}; only on disk: {sorted(on_disk - listed)}"


def test_notebooks_reference_no_external_host():
    for path in COURSE_NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://(?!localhost|127\.0\.0\.1)", text), f"{path.name} links to another host"
