"""A deliberately simple, independent reading of the ingestion rules, used to check the truth."""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl

from lakehouse.contract import CONTRACT_FIELDS, ID_FIELDS, REQUIRED_FIELDS

TS = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?$")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def check(rec: dict[str, Any], *, from_parquet: bool = False) -> str | None:
    for f in CONTRACT_FIELDS:
        if isinstance(rec.get(f), dict | list):
            return f"bad_type:{f}"
    for f in REQUIRED_FIELDS:
        v = rec.get(f)
        if v is None or (f in ID_FIELDS and isinstance(v, str) and not v.strip()):
            return f"missing_field:{f}"
    if not from_parquet and not TS.match(str(rec["submitted_at"])):
        return "bad_timestamp"
    grade, top = rec.get("grade"), rec.get("max_grade")
    g = _number(grade) if grade is not None else None
    if grade is not None and g is None:
        return "bad_grade"
    m = _number(top) if top is not None else None
    if top is not None and (m is None or m <= 0):
        return "bad_max_grade"
    if g is not None and m is None:
        return "missing_field:max_grade"
    if g is not None and m is not None and not 0 <= g <= m:
        return "grade_out_of_range"
    return None


def read_night(folder: Path) -> tuple[int, Counter[str], list[dict[str, Any]]]:
    """(landed, quarantine reasons, accepted records) for one night folder."""
    landed = 0
    reasons: Counter[str] = Counter()
    accepted: list[dict[str, Any]] = []
    seen: set[str] = set()

    def take(rec: Any, *, from_parquet: bool = False) -> None:
        if not isinstance(rec, dict):
            reasons["not_an_object"] += 1
            return
        reason = check(rec, from_parquet=from_parquet)
        if reason is None and rec["submission_id"] in seen:
            reason = "duplicate_submission_id"
        if reason:
            reasons[reason] += 1
        else:
            seen.add(rec["submission_id"])
            accepted.append(rec)

    for path in sorted(folder.iterdir()):
        name = path.name
        if name.endswith(".parquet"):
            try:
                frame = pl.read_parquet(path)
            except Exception:
                landed += 1
                reasons["unreadable_file"] += 1
                continue
            for rec in frame.to_dicts():
                landed += 1
                take(rec, from_parquet=True)
        elif name.endswith((".jsonl", ".jsonl.gz")):
            try:
                raw = (
                    gzip.decompress(path.read_bytes())
                    if name.endswith(".gz")
                    else path.read_bytes()
                )
            except (OSError, EOFError):
                landed += 1
                reasons["unreadable_file"] += 1
                continue
            for line in raw.split(b"\n"):
                if not line.strip():
                    continue
                landed += 1
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError:
                    reasons["undecodable_utf8"] += 1
                    continue
                try:
                    rec = json.loads(text)
                except json.JSONDecodeError:
                    reasons["malformed_json"] += 1
                    continue
                take(rec)
        elif name.endswith(".csv"):
            text = path.read_bytes().decode("utf-8", errors="surrogateescape")
            rows = list(csv.reader(io.StringIO(text, newline="")))
            header, body = rows[0], rows[1:]
            for cells in body:
                landed += 1
                if any("\udc80" <= ch <= "\udcff" for cell in cells for ch in cell):
                    reasons["undecodable_utf8"] += 1
                elif len(cells) != len(header):
                    reasons["malformed_csv_row"] += 1
                else:
                    take({h: (c if c != "" else None) for h, c in zip(header, cells, strict=True)})
    return landed, reasons, accepted
