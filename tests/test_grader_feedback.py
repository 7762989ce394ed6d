"""Fair grades: the same grade on every run, feedback that names the cause, a mistake charged once."""

import json
import re
import shutil

import markdown_it
import numpy as np
import pytest

from dlgrade import exercises, grade, notebook, report
from dlgrade.sandbox import Limits
from dlgrade.spec import Case, compare

LIMITS = Limits(cell_timeout=5.0, case_timeout=5.0, question_timeout=20.0, memory_mb=600)
SLUGS = exercises.slugs()
ICON_WITHOUT_WORD = re.compile(r"(✅|❌|⏳|🟡)(?! (passed|failed|not implemented|partial))")


def learner_copy(slug: str, replace: dict[str, str]) -> dict:
    """The learner's release of ``slug`` with each stub replaced: {function: new cell source}."""
    nb = notebook.read(exercises.exercises_dir() / f"{slug}.ipynb")
    for cell in nb["cells"]:
        text = notebook.cell_source(cell)
        for function, source in replace.items():
            if cell["cell_type"] == "code" and f"def {function}(" in text:
                cell["source"] = source
    return nb


def solved(slug: str) -> dict[str, str]:
    """{function: the solution cell that defines it} of an exercise."""
    found = {}
    for cell in notebook.grading_sources(notebook.read(exercises.source_notebook(slug))):
        first = cell.splitlines()[0] if cell else ""
        if first.startswith("def "):
            found[first[4:].split("(")[0]] = cell
    return found


SOLVED_02, SOLVED_06 = solved("02"), solved("06")


@pytest.fixture(scope="module")
def typo_report(tmp_path_factory):
    """Exercise 2 answered right except a typo in softmax (2.2), which 2.6 calls."""
    folder = tmp_path_factory.mktemp("typo")
    answers = dict(SOLVED_02)
    answers["softmax"] = answers["softmax"].replace("return e / e.sum", "return e / ee.sum")
    path = folder / "02_activations_losses.ipynb"
    path.write_text(json.dumps(learner_copy("02_activations_losses", answers)))
    return grade.grade_file(path, limits=LIMITS)


def test_an_error_is_told_once_per_question_with_the_heading_and_the_quoted_line(typo_report):
    md = report.markdown(typo_report)
    q22 = typo_report["questions"][1]
    assert q22["points"] == 0 and len({c["message"] for c in q22["cases"]}) == 1
    assert md.count("NameError") == 1
    # the heading is the submission's text, so it is escaped; the quoted line is a code span
    assert f'in the cell under "{report.literal("Question 2.2: a numerically stable softmax")}", line ' in md
    assert "`return e / ee.sum(axis=-1, keepdims=True)`" in md
    html = markdown_it.MarkdownIt().render(md)  # and it reads as intended once rendered
    assert re.search(
        r"in the cell under &quot;Question 2\.2: a numerically stable softmax&quot;, line \d+: "
        r"<code>return e / ee\.sum\(axis=-1, keepdims=True\)</code>\)",
        html,
    )
    assert "code cell" not in md
    assert not ICON_WITHOUT_WORD.search(md)


def test_a_place_in_a_message_reads_as_a_place_and_student_text_stays_literal():
    text = 'ValueError: <img src=x> **b** `tick` (in the cell under "<b>Q</b>", line 3: `raise ValueError("``<i>")`)'
    html = markdown_it.MarkdownIt().render(report.message(text))
    assert "<img" not in html and "<b>" not in html and "<i>" not in html and "<strong>" not in html
    assert "`tick`" in html  # the student's own backticks are shown, not turned into code
    assert (
        "in the cell under &quot;&lt;b&gt;Q&lt;/b&gt;&quot;, line 3: "
        "<code>raise ValueError(&quot;``&lt;i&gt;&quot;)</code>)" in html
    )


def test_a_later_question_calling_a_broken_earlier_function_is_not_charged_again(typo_report):
    q26 = typo_report["questions"][5]
    assert q26["points"] == q26["max_points"]
    assert q26["reference_functions"] == {"softmax": "2.2"}
    assert "Graded with the reference `softmax` (Question 2.2) in place of yours" in report.markdown(typo_report)
    assert typo_report["score"] == typo_report["max_score"] - 3


def test_a_working_earlier_function_is_kept(tmp_path):
    path = shutil.copy(exercises.source_notebook("03"), tmp_path / "03_dense_layer.ipynb")
    result = grade.grade_file(path, limits=LIMITS)
    assert result["score"] == result["max_score"]
    assert not any("reference_functions" in q for q in result["questions"])


def test_a_failing_value_shows_enough_digits_to_see_the_difference():
    messages = compare(-2.0943212, -2.0943245, rtol=1e-6, atol=1e-9)
    assert messages == ["result: got -2.0943212, expected -2.0943245 (off by 3.3e-06; allowed 2.1e-06)"]
    array = compare(np.array([1.0, 1.00000123456]), np.array([1.0, 1.0000034]))
    assert "got 1.0000012, expected 1.0000034" in array[0] and "off by 2.2e-06" in array[0]


def test_hints_are_chosen_by_what_went_wrong():
    case = Case("c", hint="general", hints={"timeout": "remove the loops", "dtype": "mind np.sqrt"})
    assert grade.choose_hint(case, "timeout") == "remove the loops"
    assert grade.choose_hint(case, "values") == "general"
    assert grade.choose_hint(case, "error") == ""
    assert grade.choose_hint(case, "dtype") == "mind np.sqrt"
    assert grade.choose_hint(Case("c", hint="general"), "dtype") == ""
    assert grade.failure_kind("this call took longer than 3 s (time limit) and was stopped") == "timeout"
    assert grade.failure_kind("NameError: name 'x' is not defined") == "error"
    assert grade.failure_kind("result: dtype float64, expected float32 (...)") == "dtype"
    assert grade.failure_kind("result: NaN at [0, 0] where a number is expected (...)") == "nan"


def test_a_sample_std_is_named_not_blamed_on_overflow(tmp_path):
    answers = {"standardize": "def standardize(X, eps=1e-8):\n    return (X - X.mean(0)) / (X.std(0, ddof=1) + eps)"}
    path = tmp_path / "01_numpy_gradients.ipynb"
    path.write_text(json.dumps(learner_copy("01_numpy_gradients", answers)))
    q11 = grade.grade_file(path, limits=LIMITS)["questions"][0]
    hints = " ".join(c["hint"] for c in q11["cases"] if not c["passed"])
    assert "sample standard deviation (ddof=1)" in hints and "overflow" not in hints


@pytest.mark.parametrize("seed", [0, 1, 3, 99, 123456789])
def test_honest_solutions_get_full_marks_on_any_seed(tmp_path, seed):
    for slug in SLUGS:
        shutil.copy(exercises.source_notebook(slug), tmp_path / f"{slug}.ipynb")
    for result in grade.grade_folder(tmp_path, jobs=2, seed=seed, limits=LIMITS):
        failures = [
            (q["id"], c["name"], c["message"]) for q in result["questions"] for c in q["cases"] if not c["passed"]
        ]
        assert failures == [] and result["score"] == result["max_score"], result["student"]


def test_regrading_a_folder_gives_the_identical_gradebook_and_the_report_records_the_seed(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "typo-02.ipynb").write_text(
        json.dumps(
            learner_copy(
                "02_activations_losses", {**SOLVED_02, "softmax": SOLVED_02["softmax"].replace("e.sum", "e.mean")}
            )
        )
    )
    shutil.copy(exercises.exercises_dir() / "04_optimizers.ipynb", folder / "stub-04.ipynb")
    shutil.copy(exercises.source_notebook("06"), folder / "sol-06.ipynb")
    books = []
    for run in range(2):
        reports = grade.grade_folder(folder, jobs=2, limits=LIMITS)
        assert {r["seed"] for r in reports} == {grade.DEFAULT_SEED}
        books.append(report.gradebook(reports, tmp_path / f"gradebook-{run}.csv").read_text())
        for r in reports:
            r.pop("elapsed_seconds", None)
        books.append(json.dumps(reports, sort_keys=True, default=str))
    assert books[0] == books[2] and books[1] == books[3]
    assert "typo-02" in books[0] and "hidden-test seed 2026" in report.markdown(reports[0])


def test_a_substituted_reference_function_carries_no_other_solution(tmp_path):
    """Breaking softmax on purpose to receive the reference one gains nothing beyond softmax itself."""
    answers = {
        "softmax": "def softmax(z):\n    raise ValueError('broken on purpose')",
        "categorical_cross_entropy_grad": "def categorical_cross_entropy_grad(logits, labels):\n"
        "    solution = softmax.__globals__.get('categorical_cross_entropy_grad')\n"
        "    return solution(logits, labels)",
    }
    path = tmp_path / "02_activations_losses.ipynb"
    path.write_text(json.dumps(learner_copy("02_activations_losses", answers)))
    q26 = grade.grade_file(path, limits=LIMITS)["questions"][5]
    assert q26["reference_functions"] == {"softmax": "2.2"} and q26["points"] == 0


def test_a_float32_upcast_names_a_common_cause_only_when_the_dtype_is_wrong(tmp_path):
    answers = {
        "attention": SOLVED_06["attention"].replace("/ d**0.5", "/ np.sqrt(d)"),
        "split_heads": SOLVED_06["split_heads"].replace("transpose(0, 2, 1, 3)", "transpose(0, 2, 3, 1)"),
    }
    path = tmp_path / "06_attention.ipynb"
    path.write_text(json.dumps(learner_copy("06_attention", {**SOLVED_06, **answers})))
    result = grade.grade_file(path, limits=LIMITS)
    q63, q64 = result["questions"][2], result["questions"][3]
    [failed] = [c for c in q63["cases"] if not c["passed"]]
    assert "dtype float64, expected float32" in failed["message"]
    assert failed["hint"].startswith("A common cause: 'np.sqrt(d) upcasts float32'.")
    assert all("np.sqrt" not in c["hint"] for c in q64["cases"])
    assert result["questions"][0]["points"] == 1 and result["questions"][1]["points"] == 3
