"""dlgrade: build the learner release, grade submissions in a sandbox, show the solutions.

python -m dlgrade release                       # exercises/instructor/*.ipynb -> exercises/*.ipynb
python -m dlgrade grade alice.ipynb             # grades/alice.json and grades/alice.md
python -m dlgrade grade-folder class/ --out results/   # plus results/gradebook.csv
python -m dlgrade solutions 2                   # the solution code of exercise 2
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from dlgrade import exercises, grade, notebook, release, report
from dlgrade.notebook import ReleaseError
from dlgrade.report import plain_text
from dlgrade.sandbox import Limits, SandboxError, isolation_problem

SELF_STUDY_FLAG = "--unisolated-self-study"


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(
        cell_timeout=args.cell_timeout,
        case_timeout=args.call_timeout,
        question_timeout=args.question_timeout,
        memory_mb=args.memory_mb,
        disk_mb=args.disk_mb,
    )


def _add_grading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--exercise", help="e.g. 2 or 02_activations_losses (default: read from the notebook)")
    parser.add_argument("--instructor", help="folder with the source notebooks and hidden_tests/")
    parser.add_argument(
        "--seed", type=int, help=f"hidden-test seed (default {grade.DEFAULT_SEED}: every run draws the same inputs)"
    )
    parser.add_argument("--cell-timeout", type=float, default=10.0, help="seconds per notebook cell (10)")
    parser.add_argument("--call-timeout", type=float, default=10.0, help="seconds per test call (10)")
    parser.add_argument("--question-timeout", type=float, default=60.0, help="seconds per question (60)")
    parser.add_argument("--memory-mb", type=int, default=1024, help="address-space limit of the sandbox (1024)")
    parser.add_argument("--disk-mb", type=int, default=64, help="size of the sandbox's writable tmpfs (64)")
    parser.add_argument(
        SELF_STUDY_FLAG,
        dest="unisolated",
        action="store_true",
        help="grade without the operating-system sandbox where bubblewrap cannot run (self-study only: "
        "every report says it was not isolated)",
    )


def _refuse_without_isolation(args: argparse.Namespace) -> bool:
    """True (after saying why) when grading for credit is impossible on this machine."""
    if args.unisolated:
        print("warning: grading WITHOUT isolation (self-study); these scores are not valid for credit", file=sys.stderr)
        return False
    problem = isolation_problem()
    if problem:
        print(f"dlgrade: will not grade for credit: {problem} (or pass {SELF_STUDY_FLAG})", file=sys.stderr)
        return True
    return False


def cmd_release(args: argparse.Namespace) -> int:
    try:
        built = release.build(args.exercises or None, args.instructor)
    except ReleaseError as err:
        print(err, file=sys.stderr)
        return 1
    if args.check:
        old = release.stale(built)
        for path in old:
            print(f"stale: {path} (run `python -m dlgrade release`)", file=sys.stderr)
        print(f"{len(built) - len(old)} of {len(built)} learner notebooks are up to date")
        return 1 if old else 0
    changed = release.write(built)
    for path in built:
        print(f"{'wrote' if path in changed else 'unchanged'}: {path}")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    if _refuse_without_isolation(args):
        return 2
    started = time.monotonic()
    try:
        result = grade.grade_file(
            args.notebook,
            args.exercise,
            seed=args.seed,
            limits=_limits(args),
            instructor=args.instructor,
            isolated=not args.unisolated,
        )
    except (SandboxError, LookupError) as err:
        print(f"dlgrade: {plain_text(err)}", file=sys.stderr)
        return 2
    json_path, md_path = report.write(result, args.out)
    elapsed = time.monotonic() - started
    print(
        f"{plain_text(result['student'])}: {result['score']:g} / {result['max_score']:g}  "
        f"(hidden-test seed {result['seed']}; {elapsed:.1f} s)"
    )
    for q in result["questions"]:
        print(f"  {q['id']:>5} {q['function']:<32} {q['points']:>5g} / {q['max_points']:g}  {q['status']}")
    for note in result["notes"]:
        print(f"  note: {plain_text(note)}")
    print(f"wrote {json_path} and {md_path}")
    return 0


def cmd_grade_folder(args: argparse.Namespace) -> int:
    if _refuse_without_isolation(args):
        return 2
    started = time.monotonic()
    try:
        results = grade.grade_folder(
            args.folder,
            args.exercise,
            jobs=args.jobs,
            seed=args.seed,
            limits=_limits(args),
            instructor=args.instructor,
            isolated=not args.unisolated,
        )
    except (SandboxError, LookupError) as err:
        print(f"dlgrade: {plain_text(err)}", file=sys.stderr)
        return 2
    taken: set[str] = set()
    for result in results:
        report.write(result, args.out, taken)
        print(f"{plain_text(result['student']):<40} {result['score']:>6g} / {result['max_score']:g}")
    book = report.gradebook(results, Path(args.out) / "gradebook.csv")
    seeds = sorted({r["seed"] for r in results if r.get("seed") is not None})
    elapsed = time.monotonic() - started
    print(f"graded {len(results)} submissions in {elapsed:.1f} s (hidden-test seed {seeds}); gradebook: {book}")
    return 0


def cmd_solutions(args: argparse.Namespace) -> int:
    if not args.exercise:
        print("Solutions are the source notebooks (keep this folder private when grading for credit):")
        for slug in exercises.slugs():
            print(f"  {exercises.source_notebook(slug, args.instructor)}")
        return 0
    slug = exercises.resolve(args.exercise)
    nb = notebook.read(exercises.source_notebook(slug, args.instructor))
    for source in notebook.grading_sources(nb):
        if any(notebook.BEGIN_CODE.match(line) for line in source.splitlines()):
            print(source.rstrip() + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dlgrade", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", help="build the learner notebooks (exercises/*.ipynb) from the sources")
    p.add_argument("exercises", nargs="*", help="which exercises (default: all)")
    p.add_argument("--instructor", help="folder with the source notebooks")
    p.add_argument("--check", action="store_true", help="only check the committed notebooks are up to date")
    p.set_defaults(run=cmd_release)

    p = sub.add_parser("grade", help="grade one submitted notebook")
    p.add_argument("notebook")
    p.add_argument("--out", default="grades", help="folder for <student>.json and .md (default: grades)")
    _add_grading_options(p)
    p.set_defaults(run=cmd_grade)

    p = sub.add_parser("grade-folder", help="grade every notebook under a folder; writes a CSV gradebook")
    p.add_argument("folder")
    p.add_argument("--out", default="grades", help="folder for reports and gradebook.csv (default: grades)")
    p.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    _add_grading_options(p)
    p.set_defaults(run=cmd_grade_folder)

    p = sub.add_parser("solutions", help="where the solutions are, or print one exercise's solution code")
    p.add_argument("exercise", nargs="?")
    p.add_argument("--instructor", help="folder with the source notebooks")
    p.set_defaults(run=cmd_solutions)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
