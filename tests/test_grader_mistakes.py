"""The mistake catalogue: every classic mistake loses points on its question, and only there.

For each entry of ``exercises/instructor/mistakes/NN_*.py`` (format: ``dlgrade/mistakes.py``),
the solution notebook with the mistake added is graded with fixed seeds. The submission must
lose points on the mistake's question and keep full points on every other question (except
those the entry lists in ``also``): a mistake is caught by the fixed diagnostic cases, never
by the luck of a draw, and it is charged once.
"""

import json
import warnings

import numpy as np
import pytest

from dlgrade import exercises, grade, mistakes, notebook
from dlgrade.sandbox import Limits

LIMITS = Limits(cell_timeout=10.0, case_timeout=10.0, question_timeout=40.0, memory_mb=800)
SEEDS = (1, 2)  # two draws: a listed mistake must be caught on both
SLUGS = exercises.slugs()
ENTRIES = [(slug, index, m) for slug in SLUGS for index, m in enumerate(mistakes.load(slug))]


def _student(slug: str, index: int) -> str:
    return f"{slug}-mistake-{index:02d}"


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed {s}" for s in SEEDS])
def graded(request, tmp_path_factory):
    """Every catalogued mistake as a submission, graded as one folder per seed."""
    folder = tmp_path_factory.mktemp(f"mistakes-{request.param}")
    sources = {slug: notebook.read(exercises.source_notebook(slug)) for slug in SLUGS}
    for slug, index, mistake in ENTRIES:
        nb = mistakes.submission(sources[slug], mistake)
        nb.setdefault("metadata", {})["dlgrade"] = {"exercise": slug}
        (folder / f"{_student(slug, index)}.ipynb").write_text(json.dumps(nb))
    reports = grade.grade_folder(folder, jobs=2, seed=request.param, limits=LIMITS)
    return {r["student"]: r for r in reports}


@pytest.mark.parametrize("slug, index, mistake", ENTRIES, ids=[f"{m.question} {m.name}" for _, _, m in ENTRIES])
def test_a_catalogued_mistake_loses_points_on_its_question_and_only_there(graded, slug, index, mistake):
    result = graded[_student(slug, index)]
    points = {q["id"]: q for q in result["questions"]}
    q = points[mistake.question]
    assert q["points"] < q["max_points"], f"not caught: {mistake.name}"
    others = {
        qid: [(c["name"], c["message"]) for c in entry["cases"] if not c["passed"]]
        for qid, entry in points.items()
        if qid != mistake.question and qid not in mistake.also and entry["points"] < entry["max_points"]
    }
    assert others == {}, f"{mistake.name} is charged again elsewhere"
    for other in mistake.also:
        assert points[other]["points"] < points[other]["max_points"]


def test_every_question_of_every_exercise_lists_the_mistakes_it_must_catch():
    for slug in SLUGS:
        assert mistakes.catalogue_path(slug).exists(), f"no catalogue for {slug}"
        assert mistakes.problems(slug) == []
        covered = {m.question for m in mistakes.load(slug)}
        assert {q.id for q in exercises.public(slug).QUESTIONS} <= covered, slug


def test_the_mistake_is_the_definition_that_wins():
    code = "def softmax(z):\n    return np.exp(z) / np.exp(z).sum(-1, keepdims=True)"
    mistake = mistakes.Mistake("2.2", "no max", code)
    nb = mistakes.submission(notebook.read(exercises.source_notebook("02")), mistake)
    cells = notebook.grading_sources(nb)
    defining = [i for i, c in enumerate(cells) if "def softmax(" in c]
    assert len(defining) == 1 and cells[defining[0]].rstrip().endswith("np.exp(z).sum(-1, keepdims=True)")


def test_a_mistake_is_recognised_by_its_values_on_every_case_of_its_question():
    """The catalogue's outcome of a mistake is computed in the grader, with floating-point
    warnings ignored (as a submission's are): a value, which differs from the solution's on at
    least one hidden case and equals what the same code returns."""
    catalogue = mistakes.Catalogue("01_numpy_gradients")
    [ddof] = [m for m in catalogue.for_question("1.1") if "ddof=1" in m.name]
    space: dict = {}
    exec("import numpy as np\n" + ddof.code, space)
    differs = False
    for case in grade.prepare("01_numpy_gradients", seed=3).questions[0].cases:
        how, value = catalogue.outcome(ddof, "standardize", case.args, case.kwargs)
        assert how == "value", value
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert np.array_equal(value, space["standardize"](*case.args, **case.kwargs), equal_nan=True)
        differs |= bool(grade.judge(case, value))
    assert differs
