"""Building the learner release: solutions and hidden tests never reach learners, and it never goes stale."""

import json
import shutil

import pytest

from dlgrade import exercises, notebook, release
from dlgrade.__main__ import main
from dlgrade.notebook import ReleaseError


def source_notebook(*cells) -> dict:
    """A source notebook from (cell_type, text) pairs or (cell_type, text, tags)."""
    out = []
    for kind, text, *tags in cells:
        cell = {"cell_type": kind, "metadata": {"tags": tags[0]} if tags else {}, "source": text}
        if kind == "code":
            cell.update(execution_count=3, outputs=[{"output_type": "stream", "name": "stdout", "text": "hi\n"}])
        out.append(cell)
    return {"cells": out, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


SOLVED = (
    "code",
    "def softmax(z):\n"
    '    """Softmax."""\n'
    "    ### BEGIN SOLUTION\n"
    "    shifted = z - z.max(axis=-1, keepdims=True)\n"
    "    return np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)\n"
    "    ### END SOLUTION\n",
)


def test_the_committed_learner_notebooks_are_exactly_what_the_release_builds():
    built = release.build()
    sources = sorted(p.stem for p in exercises.instructor_dir().glob("[0-9][0-9]_*.ipynb"))
    assert sorted(path.stem for path in built) == exercises.slugs() == sources and len(sources) >= 9
    assert release.stale(built) == [], "run `python -m dlgrade release` and commit exercises/*.ipynb"


def test_solutions_become_stubs_with_the_same_indentation_and_outputs_are_cleared():
    nb, solution_lines = notebook.build_release(source_notebook(("markdown", "# Title"), SOLVED), "02_x")
    code = notebook.cell_source(nb["cells"][1])
    assert code.splitlines()[-1] == '    raise NotImplementedError("replace this line with your solution")'
    assert "shifted" not in code and any("shifted = z" in line for line in solution_lines)
    assert nb["cells"][1]["outputs"] == [] and nb["cells"][1]["execution_count"] is None
    assert nb["metadata"]["dlgrade"] == {"exercise": "02_x"}
    assert notebook.release_problems(nb, solution_lines) == []


@pytest.mark.parametrize(
    "text",
    [
        "def f():\n    ### BEGIN SOLUTION\n    return 1\n",
        "def f():\n    return 1\n    ### END SOLUTION\n",
        "### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n",
    ],
    ids=["begin without end", "end without begin", "nested"],
)
def test_unbalanced_solution_markers_are_refused(text):
    with pytest.raises(ReleaseError):
        notebook.build_release(source_notebook(("code", text)), "02_x")


@pytest.mark.parametrize(
    "cell",
    [
        ("code", "### BEGIN HIDDEN TESTS\nassert softmax(z).sum() == 1\n### END HIDDEN TESTS\n"),
        ("code", "# BEGIN  SOLUTION (typo: two spaces, so it is not stripped)\nx = 1\n"),
        (
            "markdown",
            "<details><summary>Solution</summary>\n\n"
            "    return np.exp(shifted) / np.exp(shifted).sum(axis=-1, keepdims=True)\n</details>",
        ),
        ("markdown", "Grading reads instructor/hidden_tests/02_x.py"),
    ],
    ids=["hidden tests", "marker left behind", "solution copied into markdown", "path to hidden tests"],
)
def test_a_release_that_still_holds_a_marker_hidden_test_or_solution_is_refused(cell):
    nb, solution_lines = notebook.build_release(source_notebook(SOLVED, cell), "02_x")
    assert notebook.release_problems(nb, solution_lines)


def test_cells_tagged_solution_or_hidden_tests_are_dropped():
    nb, _ = notebook.build_release(
        source_notebook(("code", "x = 1"), ("code", "secret = 2", ["solution"]), ("code", "t = 3", ["hidden-tests"])),
        "02_x",
    )
    assert [notebook.cell_source(c) for c in nb["cells"]] == ["x = 1"]


def test_markdown_solution_blocks_are_replaced():
    md = "Explain.\n<!-- BEGIN SOLUTION -->\nBecause the maximum cancels.\n<!-- END SOLUTION -->"
    nb, _ = notebook.build_release(source_notebook(("markdown", md)), "02_x")
    text = notebook.cell_source(nb["cells"][0])
    assert "cancels" not in text and notebook.MARKDOWN_STUB in text


@pytest.fixture
def course_copy(tmp_path, monkeypatch):
    """A copy of the exercises folder that the release command may write into."""
    shutil.copytree(exercises.exercises_dir(), tmp_path / "exercises")
    monkeypatch.setenv("DLGRADE_EXERCISES", str(tmp_path / "exercises"))
    monkeypatch.delenv("DLGRADE_INSTRUCTOR", raising=False)
    return tmp_path / "exercises"


def test_the_release_command_writes_nothing_while_any_notebook_is_unsafe(course_copy, capsys):
    for learner in course_copy.glob("*.ipynb"):
        learner.unlink()
    source = course_copy / "instructor" / "03_dense_layer.ipynb"
    nb = json.loads(source.read_text())
    nb["cells"][-1]["source"] = "Hint: the answer is in instructor/hidden_tests/03_dense_layer.py"
    source.write_text(json.dumps(nb))
    assert main(["release"]) == 1
    assert "refusing" in capsys.readouterr().err
    assert list(course_copy.glob("*.ipynb")) == []


def test_release_check_fails_on_a_stale_learner_notebook(course_copy):
    assert main(["release", "--check"]) == 0
    learner = course_copy / "04_optimizers.ipynb"
    nb = json.loads(learner.read_text())
    nb["cells"][0]["source"] = ["# edited by hand\n"]
    learner.write_text(notebook.dumps(nb))
    assert main(["release", "--check"]) == 1
    assert main(["release"]) == 0 and main(["release", "--check"]) == 0


def test_a_question_without_its_stub_or_check_line_is_refused(course_copy):
    source = course_copy / "instructor" / "06_attention.ipynb"
    nb = json.loads(source.read_text())
    nb["cells"] = [c for c in nb["cells"] if 'check("6.4", split_heads)' not in notebook.cell_source(c)]
    source.write_text(json.dumps(nb))
    with pytest.raises(ReleaseError, match="6.4"):
        release.build(["6"])


def test_the_release_refuses_a_path_to_the_mistake_catalogue_and_a_broken_catalogue(course_copy):
    nb, lines = notebook.build_release(source_notebook(("markdown", "See mistakes/02_activations_losses.py")), "02_x")
    assert notebook.release_problems(nb, lines)
    catalogue = course_copy / "instructor" / "mistakes" / "04_optimizers.py"
    catalogue.write_text(
        "from dlgrade.mistakes import Mistake\n"
        "MISTAKES = [Mistake(question='4.9', name='x', code='def sgd_step(w, dw, lr):\\n    return w'),\n"
        "            Mistake(question='4.1', name='y', code='def not_in_the_solution(w):\\n    return w')]\n"
    )
    with pytest.raises(ReleaseError, match="no question '4.9'") as err:
        release.build(["4"])
    assert "not_in_the_solution" in str(err.value)
    assert main(["release", "--check"]) == 1
