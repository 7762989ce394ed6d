"""How fast the autograder is: one notebook, and a class of 30 submissions on 2 processes.

    python bench/bench_grader.py            # targets: one notebook <= 2 s, 30 submissions <= 60 s

Every question runs in a fresh bubblewrap sandbox; while one runs, the next one starts
(Python and NumPy loaded, waiting for its job). The baseline in the same run starts each
sandbox only when its question comes (cold), to show what starting ahead saves. Exits with
status 1 if a target is missed.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dlgrade import exercises, grade  # noqa: E402
from dlgrade.sandbox import Sandbox  # noqa: E402

ONE_NOTEBOOK_TARGET = 2.0
CLASS_TARGET = 60.0
CLASS_SIZE = 30
JOBS = 2


class ColdStartSandbox(Sandbox):
    """Baseline: each question's sandbox starts when the question comes, none ahead."""

    def _take(self):
        if not self.started:
            self.start()
        worker = self.spares.pop(0) if self.spares else self._spawn()
        worker.wait_ready(self.limits.startup_timeout)
        return worker


def make_class(folder: Path) -> None:
    """30 submissions: for each exercise, four full solutions and one untouched stub."""
    slugs = exercises.slugs()
    for i in range(CLASS_SIZE):
        slug = slugs[i % len(slugs)]
        source = exercises.source_notebook(slug) if i % 5 else exercises.exercises_dir() / f"{slug}.ipynb"
        nb = json.loads(source.read_text())
        nb.setdefault("metadata", {})["dlgrade"] = {"exercise": slug}
        (folder / f"student{i:02d}-{slug}.ipynb").write_text(json.dumps(nb))


def time_class(folder: Path, sandbox_class: type[Sandbox]) -> tuple[float, float]:
    original = grade.Sandbox
    grade.Sandbox = sandbox_class
    try:
        started = time.perf_counter()
        reports = grade.grade_folder(folder, jobs=JOBS, seed=0)
        elapsed = time.perf_counter() - started
    finally:
        grade.Sandbox = original
    return elapsed, sum(r["score"] for r in reports)


def main() -> int:
    print(f"{'one notebook (solution)':<28} {'seconds':>8}   {'score':>9}")
    worst = 0.0
    for slug in exercises.slugs():
        started = time.perf_counter()
        result = grade.grade_file(exercises.source_notebook(slug), slug)
        elapsed = time.perf_counter() - started
        worst = max(worst, elapsed)
        print(f"{slug:<28} {elapsed:>8.2f}   {result['score']:>4g} / {result['max_score']:g}")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_class(folder)
        ahead_seconds, ahead_total = time_class(folder, Sandbox)
        cold_seconds, cold_total = time_class(folder, ColdStartSandbox)
        shutil.rmtree(folder, ignore_errors=True)
    assert ahead_total == cold_total, "both modes must give the same grades"

    print(f"\n{'class of 30, ' + str(JOBS) + ' at a time':<36} {'seconds':>8} {'per notebook':>13}")
    print(f"{'sandbox started ahead':<36} {ahead_seconds:>8.2f} {ahead_seconds / CLASS_SIZE:>13.2f}")
    print(f"{'baseline: sandbox started on demand':<36} {cold_seconds:>8.2f} {cold_seconds / CLASS_SIZE:>13.2f}")
    print(f"speed-up over the baseline: {cold_seconds / ahead_seconds:.1f}x")

    ok = worst <= ONE_NOTEBOOK_TARGET and ahead_seconds <= CLASS_TARGET
    print(
        f"\ntargets: one notebook <= {ONE_NOTEBOOK_TARGET:g} s (worst {worst:.2f} s), "
        f"class of {CLASS_SIZE} <= {CLASS_TARGET:g} s ({ahead_seconds:.1f} s): {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
