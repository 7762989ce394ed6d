"""Every chapter keeps the course's shape: figures with alt text, a widget that moves in the book,
and a summary, exercises with solutions and "what comes next" in cells of their own."""

import json
import re
from pathlib import Path

import pytest

CHAPTERS = sorted((Path(__file__).resolve().parents[1] / "chapters").glob("*.ipynb"))


def cells(path, kind):
    return ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == kind]


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_ends_with_summary_exercises_and_what_comes_next_in_separate_cells(path):
    markdown = cells(path, "markdown")
    headings = [m.splitlines()[0] for m in markdown if m.startswith("## ")]
    assert "## Summary" in headings and "## What comes next" in headings, headings[-5:]
    assert headings.index("## Summary") < headings.index("## What comes next")
    exercises = [m for m in markdown if re.match(r"\*\*\d+\.", m)]
    assert exercises, "no exercise cells (each starts with **N. Title**)"
    for text in exercises:
        assert "<details>" in text and "</details>" in text, f"exercise without a revealable solution: {text[:60]}"
        assert "## " not in text, f"an exercise cell also holds a section: {text[:60]}"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_figures_are_shown_with_alt_text_and_a_widget_moves_in_the_book(path):
    code = "\n".join(cells(path, "code"))
    assert re.search(r"\bshow\(", code), "figures must be shown with dlcore.plotting.show(fig, alt=...)"
    assert "plt.show()" not in code, "plt.show() leaves the figure without alt text: use show(fig, alt=...)"
    assert re.search(r"_frames\(|frame_view\(", code), "the chapter's widget must be built with frame_view"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_notebooks_are_stored_without_outputs(path):
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code":
            assert not cell["outputs"] and cell["execution_count"] is None
