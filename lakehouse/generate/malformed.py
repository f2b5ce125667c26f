"""Records with exactly one contract defect each, and the quarantine reason the ingestion must give.

A defect is planted by replacing one clean record (no planted PII, no decoy) with its broken copy at
the same place in the same file, so the night's landed count does not change.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from lakehouse.contract import CONTRACT_FIELDS, QuarantineReason, missing_field

JSON_FORMATS: Final = frozenset({"jsonl", "jsonl.gz"})
TEXT_FORMATS: Final = frozenset({"jsonl", "jsonl.gz", "csv"})


@dataclass(frozen=True, slots=True)
class Defect:
    name: str
    reason: str
    formats: frozenset[str]


DEFECTS: Final[tuple[Defect, ...]] = (
    Defect("utf8_jsonl", QuarantineReason.UNDECODABLE_UTF8, JSON_FORMATS),
    Defect("utf8_csv", QuarantineReason.UNDECODABLE_UTF8, frozenset({"csv"})),
    Defect("torn_json", QuarantineReason.MALFORMED_JSON, JSON_FORMATS),
    Defect("json_array", QuarantineReason.NOT_AN_OBJECT, JSON_FORMATS),
    Defect("csv_extra_cell", QuarantineReason.MALFORMED_CSV_ROW, frozenset({"csv"})),
    Defect("answer_object", "bad_type:answer_text", JSON_FORMATS),
    Defect("no_answer", missing_field("answer_text"), TEXT_FORMATS),
    Defect("no_student", missing_field("student_id"), TEXT_FORMATS),
    Defect("no_submission_id", missing_field("submission_id"), TEXT_FORMATS),
    Defect("no_submitted_at", missing_field("submitted_at"), TEXT_FORMATS),
    Defect("blank_question_id", missing_field("question_id"), TEXT_FORMATS),
    Defect("bad_timestamp", QuarantineReason.BAD_TIMESTAMP, TEXT_FORMATS),
    Defect("bad_grade", QuarantineReason.BAD_GRADE, TEXT_FORMATS),
    Defect("bad_max_grade", QuarantineReason.BAD_MAX_GRADE, TEXT_FORMATS),
    Defect("grade_without_max", missing_field("max_grade"), TEXT_FORMATS),
    Defect("grade_out_of_range", QuarantineReason.GRADE_OUT_OF_RANGE, TEXT_FORMATS),
    Defect("duplicate_id", QuarantineReason.DUPLICATE_SUBMISSION_ID, TEXT_FORMATS),
)
BY_NAME: Final = {d.name: d for d in DEFECTS}
_BAD_BYTES: Final = b"\xff\xfe"
_MARK: Final = "\ue000BAD\ue000"


def _mutate(
    rec: dict[str, Any], name: str, *, is_json: bool, variant: int, duplicate_of: str | None
) -> dict[str, Any]:
    """The record's fields after the defect (for CSV, None means an empty cell)."""
    out = dict(rec)
    if name in ("utf8_jsonl", "utf8_csv"):
        out["answer_text"] = f"{out['answer_text'] or 'x'} {_MARK}"
    elif name == "answer_object":
        out["answer_text"] = {"text": out["answer_text"], "format": "plain"}
    elif name == "no_answer":
        out["answer_text"] = None
    elif name == "no_student":
        out["student_id"] = "" if is_json and variant else None
    elif name in ("no_submission_id", "no_submitted_at"):
        out.pop(name.removeprefix("no_") if name == "no_submitted_at" else "submission_id")
    elif name == "blank_question_id":
        out["question_id"] = "   "
    elif name == "bad_timestamp":
        out["submitted_at"] = ("2026-01-05", "05/01/2026 10:30", "yesterday evening")[variant % 3]
    elif name == "bad_grade":
        out["grade"] = True if is_json and variant else "A+"
        out["max_grade"] = out["max_grade"] or 10.0
    elif name == "bad_max_grade":
        out["grade"] = None
        out["max_grade"] = (0, "ten", -10)[variant % 3]
    elif name == "grade_without_max":
        out["grade"] = out["grade"] if out["grade"] is not None else 1.0
        out.pop("max_grade")
    elif name == "grade_out_of_range":
        top = float(out["max_grade"] or 10.0)
        out["max_grade"] = top
        out["grade"] = top + 5 if variant else -1.0
    elif name == "duplicate_id":
        out["submission_id"] = duplicate_of
    return out


def json_line(
    rec: dict[str, Any], name: str, *, variant: int, duplicate_of: str | None = None
) -> bytes:
    """One JSONL line (no newline) carrying the defect."""
    if name == "json_array":
        return json.dumps(
            [rec[f] for f in CONTRACT_FIELDS if f in rec], ensure_ascii=False
        ).encode()
    text = json.dumps(
        _mutate(rec, name, is_json=True, variant=variant, duplicate_of=duplicate_of),
        ensure_ascii=False,
    )
    if name == "torn_json":
        return text[: max(10, len(text) // 2)].encode()
    return text.encode().replace(_MARK.encode(), _BAD_BYTES)


def csv_line(
    rec: dict[str, Any], name: str, *, variant: int, duplicate_of: str | None = None
) -> bytes:
    """One CSV data row (with its newline) carrying the defect, cells in CONTRACT_FIELDS order."""
    fields = _mutate(rec, name, is_json=False, variant=variant, duplicate_of=duplicate_of)
    cells = ["" if fields.get(f) is None else str(fields[f]) for f in CONTRACT_FIELDS]
    if name == "csv_extra_cell":
        cells.append("unexpected extra cell")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    return buf.getvalue().encode().replace(_MARK.encode(), _BAD_BYTES)


def defect_counts(n: int, rng: np.random.Generator) -> dict[str, int]:
    """How many of each defect a night of `n` records gets: 1-2 each, ~0.05% each for big nights."""
    return {d.name: max(int(rng.integers(1, 3)), n // 2000) for d in DEFECTS}
