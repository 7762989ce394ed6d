"""Reports for people: Markdown feedback per submission and a CSV gradebook."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

ICONS = {"passed": "✅", "partial": "🟡", "failed": "❌", "not implemented": "⏳"}  # each followed by its word


def group_failures(cases: list[dict]) -> list[tuple[list[str], str, str]]:
    """Failed cases merged by identical message and hint: one error told once per question."""
    groups: dict[tuple[str, str], list[str]] = {}
    for case in cases:
        groups.setdefault((case["message"], case.get("hint", "")), []).append(case["name"])
    return [(names, message, hint) for (message, hint), names in groups.items()]


def _points(value: float) -> str:
    return f"{value:g}"


def markdown(report: dict) -> str:
    """Feedback a learner can read: score, a table per question, what failed and why."""
    title = report.get("title") or report.get("exercise") or "Exercise"
    lines = [
        f"# {title}",
        "",
        f"Feedback for **{report['student']}**. **Score: {_points(report['score'])} / {_points(report['max_score'])}**",
        "",
        "| Question | Function | Points | Result |",
        "| --- | --- | --- | --- |",
    ]
    for q in report["questions"]:
        result = f"{ICONS.get(q['status'], '')} {q['status']} ({q['passed_cases']}/{q['total_cases']} tests)"
        lines.append(
            f"| {q['id']} | `{q['function']}` | {_points(q['points'])} / {_points(q['max_points'])} | {result} |"
        )
    for q in report["questions"]:
        failed = [c for c in q["cases"] if not c["passed"]]
        replaced = q.get("reference_functions") or {}
        if (not failed or q["status"] == "not implemented") and not replaced:
            continue
        lines += ["", f"## {q['id']} `{q['function']}`: {_points(q['points'])} / {_points(q['max_points'])}", ""]
        if replaced:
            names = ", ".join(f"`{name}` (Question {qid})" for name, qid in replaced.items())
            lines += [
                f"Graded with the reference {names} in place of yours, so a mistake there is not charged again here.",
                "",
            ]
        for names, message, hint in group_failures(failed):
            which = names[0] if len(names) == 1 else f"{len(names)} tests ({'; '.join(names)})"
            lines.append(f"- ❌ failed: **{which}**: {message}")
            if hint:
                lines.append(f"  *Hint: {hint}*")
    if report.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {note}" for note in report["notes"]]
    seed = report.get("seed")
    lines += [
        "",
        f"<sub>{report.get('grader', '')}; hidden-test seed {seed} (`--seed {seed}` repeats this grading); "
        f"file sha256 {report.get('sha256', '')[:12]}</sub>",
    ]
    return "\n".join(lines) + "\n"


def _safe_name(student: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._") or "submission"


def write(report: dict, out_dir: str | Path) -> tuple[Path, Path]:
    """``<student>.json`` and ``<student>.md`` in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = _safe_name(report["student"])
    json_path, md_path = out / f"{name}.json", out / f"{name}.md"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(markdown(report), encoding="utf-8")
    return json_path, md_path


def gradebook(reports: list[dict], path: str | Path) -> Path:
    """One row per submission: student, exercise, total, then points per question."""
    question_ids: list[str] = []
    for report in reports:
        for q in report["questions"]:
            if q["id"] not in question_ids:
                question_ids.append(q["id"])
    question_ids.sort(key=lambda qid: tuple(int(part) for part in qid.split(".") if part.isdigit()))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "exercise", "score", "max_score", *question_ids, "notes", "sha256"])
        for report in sorted(reports, key=lambda r: r["student"]):
            points = {q["id"]: _points(q["points"]) for q in report["questions"]}
            writer.writerow(
                [
                    report["student"],
                    report.get("exercise") or "",
                    _points(report["score"]),
                    _points(report["max_score"]),
                    *[points.get(qid, "") for qid in question_ids],
                    len(report.get("notes", [])),
                    report.get("sha256", ""),
                ]
            )
    return path
