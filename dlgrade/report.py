"""Reports for people: Markdown feedback per submission and a CSV gradebook.

Text that comes from a submission (its file name, its error messages, its first lines of
code) is shown literally: Markdown and HTML are escaped in the feedback (a quoted line of
code is a code span, whose content Markdown never interprets), control characters
are dropped, and gradebook cells a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
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


def plain_text(text) -> str:
    """``text`` without control characters (terminal escapes, bidi overrides); newlines as spaces."""
    out = []
    for char in str(text):
        if char in "\n\r\t":
            out.append(" ")
        elif unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co"):
            out.append(char)
    return "".join(out)


_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_MARKDOWN_PUNCTUATION = frozenset("\\`*_{}[]()#+-.!|~:'=$^")


def literal(text) -> str:
    """``text`` as Markdown that renders exactly as written (no links, HTML, emphasis or tables)."""
    out = []
    for char in plain_text(text):
        if char in _ENTITIES:
            out.append(_ENTITIES[char])
        elif char in _MARKDOWN_PUNCTUATION:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


# The place ``grade.locate`` adds to a message: ' (in the cell under "HEADING", line N: `CODE`)'.
_PLACE = re.compile(r' \((in the cell under "(?P<heading>.*?)"|in a cell), line (?P<line>\d+)(?:: `(?P<code>.*?)`)?\)')

_CELL = re.compile(r'the cell under "(?P<heading>.*?)" \(`(?P<code>.*?)`\)(?=:)')


def code_span(text) -> str:
    """``text`` as an inline code span: its content is shown as written (CommonMark never
    interprets HTML, links or emphasis inside one); the fence is longer than any run of
    backticks in the text."""
    text = plain_text(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def message(text) -> str:
    """A grader message as Markdown: everything literal (``literal``), except that the place in
    the learner's notebook that the grader added reads as a place: the heading in quotes and the
    quoted line as code (both still shown exactly as written)."""
    text = plain_text(text)
    out, start = [], 0
    cell = _CELL.match(text)  # a note starts with the cell it is about (``notebook.describe_cell``)
    if cell:
        out.append(f'the cell under "{literal(cell.group("heading"))}" ({code_span(cell.group("code"))})')
        start = cell.end()
    for match in _PLACE.finditer(text, start):
        out.append(literal(text[start : match.start()]))
        heading, code = match.group("heading"), match.group("code")
        place = f'in the cell under "{literal(heading)}"' if heading is not None else "in a cell"
        out.append(f" ({place}, line {match.group('line')}" + (f": {code_span(code)})" if code else ")"))
        start = match.end()
    out.append(literal(text[start:]))
    return "".join(out)


def csv_cell(value) -> str:
    """A gradebook cell a spreadsheet shows as text: a leading = + - @ (a formula) gets a quote."""
    text = plain_text(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") or text.lstrip()[:1] in ("=", "+", "-", "@") else text


def markdown(report: dict) -> str:
    """Feedback a learner can read: score, a table per question, what failed and why."""
    title = report.get("title") or report.get("exercise") or "Exercise"
    score = f"{_points(report['score'])} / {_points(report['max_score'])}"
    isolated = report.get("isolated", True)
    lines = [
        f"# {title}",
        "",
        f"Feedback for **{literal(report['student'])}**. **Score: {score}**",
        "",
        *(["**Not isolated: graded without the sandbox, not valid for credit.**", ""] if not isolated else []),
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
        for names, text, hint in group_failures(failed):
            which = names[0] if len(names) == 1 else f"{len(names)} tests ({'; '.join(names)})"
            lines.append(f"- ❌ failed: **{which}**: {message(text)}")
            if hint:
                lines.append(f"  *Hint: {hint}*")
    if report.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {message(note)}" for note in report["notes"]]
    seed = report.get("seed")
    lines += [
        "",
        f"<sub>{report.get('grader', '')}; hidden-test seed {seed} (`--seed {seed}` repeats this grading); "
        f"file sha256 {report.get('sha256', '')[:12]}</sub>",
    ]
    return "\n".join(lines) + "\n"


def _safe_name(student: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(student)).strip("._-")[:100] or "submission"


def write(report: dict, out_dir: str | Path, taken: set[str] | None = None) -> tuple[Path, Path]:
    """``<student>.json`` and ``<student>.md`` in ``out_dir``.

    taken: names already written in this run (updated); a student whose name collides with
    one of them (``a b`` and ``a_b``, ``Bob`` and ``bob``) gets ``<name>-2`` and so on.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = base = _safe_name(report["student"])
    if taken is not None:
        number = 1
        while name.lower() in taken:
            number += 1
            name = f"{base}-{number}"
        taken.add(name.lower())
    json_path, md_path = out / f"{name}.json", out / f"{name}.md"
    # errors="replace": a file name or message may hold bytes that are not UTF-8 (lone surrogates)
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", errors="replace")
    md_path.write_text(markdown(report), encoding="utf-8", errors="replace")
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
    with path.open("w", newline="", encoding="utf-8", errors="replace") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "exercise", "score", "max_score", *question_ids, "notes", "sha256", "isolated"])
        for report in sorted(reports, key=lambda r: str(r["student"])):
            points = {q["id"]: _points(q["points"]) for q in report["questions"]}
            row = [
                report["student"],
                report.get("exercise") or "",
                _points(report["score"]),
                _points(report["max_score"]),
                *[points.get(qid, "") for qid in question_ids],
                len(report.get("notes", [])),
                report.get("sha256", ""),
                "yes" if report.get("isolated", True) else "NO",
            ]
            writer.writerow([csv_cell(cell) for cell in row])
    return path
