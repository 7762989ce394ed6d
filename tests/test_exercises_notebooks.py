"""The exercise notebooks: learner stubs run cleanly, sources pass their own checks, texts match the specs."""

import contextlib
import io
import os
import re
import time
from pathlib import Path

import numpy as np
import pytest

from dlgrade import checks, exercises, grade, notebook
from dlgrade.spec import Question

REPO = Path(__file__).resolve().parents[1]
EXERCISES = REPO / "exercises"
SLUGS = exercises.slugs()


def run_in_process(path: Path) -> str:
    """Run a notebook's code cells top to bottom with exercises/ as the working folder; its output."""
    nb = notebook.read(path)
    namespace: dict = {"__name__": "__main__"}
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(EXERCISES)
    try:
        with contextlib.redirect_stdout(out):
            for index, source in enumerate(notebook.grading_sources(nb)):
                exec(compile(source, f"<{path.name} cell {index + 1}>", "exec"), namespace)
    finally:
        os.chdir(cwd)
    return out.getvalue()


def test_every_exercise_has_learner_and_source_notebooks():
    """The exercises are the instructor's source notebooks (more land over time, so none is named
    here); each one has public tests, a learner notebook, hidden tests and a mistake catalogue."""
    sources = sorted(p.stem for p in exercises.instructor_dir().glob("[0-9][0-9]_*.ipynb"))
    assert SLUGS == sources and len(SLUGS) >= 9
    for slug in SLUGS:
        assert (EXERCISES / f"{slug}.ipynb").exists() and exercises.source_notebook(slug).exists()
        assert (exercises.instructor_dir() / "hidden_tests" / f"{slug}.py").exists()
        assert (exercises.instructor_dir() / "mistakes" / f"{slug}.py").exists()


@pytest.mark.parametrize("slug", SLUGS)
def test_a_learner_notebook_runs_top_to_bottom_and_says_not_implemented_yet(slug):
    output = run_in_process(EXERCISES / f"{slug}.ipynb")
    questions = exercises.public(slug).QUESTIONS
    assert output.count("not implemented yet") == len(questions), output
    assert "✅" not in output and "❌" not in output


@pytest.mark.parametrize("slug", SLUGS)
def test_a_source_notebook_passes_all_its_public_checks(slug):
    started = time.monotonic()
    output = run_in_process(exercises.source_notebook(slug))
    questions = exercises.public(slug).QUESTIONS
    assert output.count("✅") == len(questions), output
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("slug", SLUGS)
def test_headings_show_the_graded_points_and_every_question_has_public_and_hidden_tests(slug):
    nb = notebook.read(EXERCISES / f"{slug}.ipynb")
    headings = {}
    for cell in nb["cells"]:
        match = re.match(r"## Question (\d+\.\d+): .+ \((\d+) points?\)", notebook.cell_source(cell))
        if match:
            headings[match.group(1)] = int(match.group(2))
    questions: list[Question] = exercises.public(slug).QUESTIONS
    assert headings == {q.id: q.points for q in questions}
    assert all(q.id.startswith(f"{int(slug[:2])}.") for q in questions)
    hidden = exercises.hidden(slug).HIDDEN
    assert set(hidden) == set(headings) == set(exercises.public(slug).PUBLIC)


@pytest.mark.parametrize("slug", SLUGS)
def test_wrong_answers_fail_the_public_tests_with_a_message(slug):
    def wrong(*args, **kwargs):
        return np.zeros(2)

    for q in exercises.public(slug).QUESTIONS:
        _, results = checks.run_public(q.id, wrong)
        assert any(r.status == "failed" and r.message for r in results), q.id


def test_check_prints_pass_fail_and_hints(capsys):
    ref = grade.reference("02")
    checks.check("2.2", ref.softmax)
    assert "✅ passed: Question 2.2 (softmax), all 4 public tests" in capsys.readouterr().out

    def naive_softmax(z):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    checks.check("2.2", naive_softmax)
    out = capsys.readouterr().out
    assert "❌ failed: Question 2.2 (softmax), 3 of 4 public tests passed" in out
    assert "scores of +-1000" in out and "Hint: subtract each row's maximum" in out
    assert "graded by the name `softmax`" in out
    checks.check("99.9", naive_softmax)
    assert "no exercise" in capsys.readouterr().out


ICON_WITHOUT_WORD = re.compile(r"(✅|❌|⏳)(?! (passed|failed|not implemented))")


def test_every_icon_is_followed_by_its_word_and_one_error_is_told_once_with_its_line(capsys):
    def typo_softmax(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / ee.sum(axis=-1, keepdims=True)  # noqa: F821 - the typo under test

    def stub(z):
        raise NotImplementedError("replace this line with your solution")

    checks.check("2.2", typo_softmax)
    checks.check("2.1", stub)
    checks.check("2.1", grade.reference("02").sigmoid)
    out = capsys.readouterr().out
    assert out.count("NameError") == 1, out
    assert "4 tests (" in out and "(in `typo_softmax`, line " in out
    assert "of its cell: `return e / ee.sum(axis=-1, keepdims=True)" in out
    assert "Hint" not in out  # an exception names its own cause; no unrelated per-test hint
    assert "⏳ not implemented yet" in out and "✅ passed" in out and "❌ failed" in out
    assert not ICON_WITHOUT_WORD.search(out)


def test_a_public_test_reports_changed_inputs():
    def sgd_in_place(w, dw, lr, weight_decay=0.0):
        w -= lr * (dw + weight_decay * w)
        return w

    _, results = checks.run_public("4.1", sgd_in_place)
    assert all("in place" in r.message for r in results)


def test_a_learner_notebook_runs_in_a_real_kernel_from_the_exercises_folder():
    """What nbval and the book build do: a Jupyter kernel started in exercises/ (one notebook here;
    the in-process runs above cover the code of all of them)."""
    nbclient = pytest.importorskip("nbclient")
    import nbformat

    env_path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = env_path  # dlgrade importable even before it is pip-installed
    try:
        for slug in SLUGS[:1]:
            nb = nbformat.read(EXERCISES / f"{slug}.ipynb", as_version=4)
            resources = {"metadata": {"path": str(EXERCISES)}}
            client = nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", resources=resources)
            client.execute()
            outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
            assert not [o for o in outputs if o.output_type == "error"]
            text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
            assert text.count("not implemented yet") == len(exercises.public(slug).QUESTIONS)
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old
