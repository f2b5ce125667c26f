"""One institution's one night: plan, split into batch files, plant defects, write files and truth."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from lakehouse.contract import QuarantineReason
from lakehouse.generate import malformed, writer
from lakehouse.generate.plan import plan_night
from lakehouse.generate.text import NightContext, materialise

FORMATS: Final = ("jsonl", "csv", "parquet", "jsonl.gz")
MAX_FILE_ROWS: Final = 80_000
MIN_MALFORMED_ROWS: Final = 50


@dataclass(frozen=True, slots=True)
class BatchFile:
    name: str
    fmt: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class NightSummary:
    """Counts for one partition, as the truth manifest states them."""

    institution_id: str
    night: date
    landed: int
    accepted: int
    quarantined: int
    files: int
    planted_pii: int
    decoys: int


def plan_files(n: int, night: date, rng: np.random.Generator) -> list[BatchFile]:
    """At least five files (every format once, in random order), none over ~96k records."""
    count = max(5, -(-n // MAX_FILE_ROWS))
    weights = rng.uniform(0.8, 1.2, count)
    bounds = np.round(np.concatenate([[0], np.cumsum(weights) / weights.sum()]) * n).astype(int)
    formats = [*rng.permutation(FORMATS).tolist(), *rng.choice(FORMATS, count - 4).tolist()]
    return [
        BatchFile(f"export-{night:%Y%m%d}-{k:03d}.{fmt}", fmt, int(bounds[k]), int(bounds[k + 1]))
        for k, fmt in enumerate(formats)
    ]


def _free_row(
    batch: BatchFile, usable: npt.NDArray[np.bool_], rng: np.random.Generator
) -> int | None:
    for _ in range(200):
        row = int(rng.integers(batch.start, batch.end))
        if usable[row]:
            usable[row] = False
            return row
    return None


def plan_defects(
    recipe: pl.DataFrame, files: list[BatchFile], rng: np.random.Generator
) -> tuple[dict[int, tuple[str, int, str | None]], Counter[str]]:
    """row -> (defect name, variant, duplicated id), and the expected quarantine counts."""
    usable = (
        (recipe["pii_form"].to_numpy() < 0)
        & (recipe["decoy_form"].to_numpy() < 0)
        & ~recipe["feedback_name"].to_numpy()
    )
    plan: dict[int, tuple[str, int, str | None]] = {}
    reasons: Counter[str] = Counter()
    night_prefix = ""
    for name, count in malformed.defect_counts(recipe.height, rng).items():
        defect = malformed.BY_NAME[name]
        allowed = [
            f
            for k, f in enumerate(files)
            if f.fmt in defect.formats and (k > 0 or name != "duplicate_id")
        ]
        for i in range(count):
            batch = allowed[int(rng.integers(0, len(allowed)))]
            row = _free_row(batch, usable, rng)
            if row is None:
                continue
            dup: str | None = None
            if name == "duplicate_id":
                original = _free_row(files[0], usable, rng)
                if original is None:
                    usable[row] = True
                    continue
                dup = night_prefix + str(original)
            plan[row] = (name, i, dup)
            reasons[defect.reason] += 1
    return plan, reasons


def write_night(
    *,
    ctx: NightContext,
    night_index: int,
    n: int,
    seed: int,
    with_malformed: bool,
    night_dir: Path,
    truth_dir: Path,
) -> NightSummary:
    inst = ctx.institution
    rng = np.random.default_rng([seed, inst.index, night_index, 0])
    recipe = plan_night(
        n=n,
        night=ctx.night,
        n_students=inst.students.height,
        ability=_abilities(seed, inst.index, inst.students.height),
        table=ctx.table,
        n_openers=ctx.phrases.opener_counts,
        n_fillers=ctx.phrases.filler_counts,
        rng=rng,
    )
    files = plan_files(n, ctx.night, rng)
    defects, reasons = plan_defects(recipe, files, rng) if with_malformed else ({}, Counter())
    pii_parts: list[pl.DataFrame] = []
    decoy_parts: list[pl.DataFrame] = []
    file_truth: list[dict[str, object]] = []
    for k, batch in enumerate(files):
        part_rng = np.random.default_rng([seed, inst.index, night_index, 1, k])
        records, pii, decoys = materialise(recipe[batch.start : batch.end], ctx, part_rng)
        pii_parts.append(pii)
        decoy_parts.append(decoys)
        local = {
            row - batch.start: spec
            for row, spec in defects.items()
            if batch.start <= row < batch.end
        }
        data = _serialise(records, batch, local, ctx.night, first_jsonl=k == _first_jsonl(files))
        writer.write_file(night_dir / batch.name, data)
        file_truth.append(
            {
                "name": batch.name,
                "format": batch.fmt,
                "landed": batch.end - batch.start,
                "quarantined": len(local),
            }
        )
    unreadable = _write_unreadable(night_dir, ctx.night, len(files), rng) if with_malformed else []
    for name in unreadable:
        reasons[QuarantineReason.UNREADABLE_FILE] += 1
        file_truth.append(
            {"name": name, "format": name.split(".", 1)[1], "landed": 1, "quarantined": 1}
        )

    landed = n + len(unreadable)
    quarantined = sum(reasons.values())
    pii_all = pl.concat(pii_parts).sort("row", "field").drop("row")
    decoy_all = pl.concat(decoy_parts).sort("row").drop("row")
    truth_dir.mkdir(parents=True, exist_ok=True)
    expected = {
        "institution_id": inst.institution_id,
        "night": ctx.night.isoformat(),
        "landed": landed,
        "accepted": landed - quarantined,
        "expected_quarantine": dict(sorted(reasons.items())),
        "files": file_truth,
    }
    (truth_dir / "expected.json").write_text(
        json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    )
    pii_all.write_parquet(truth_dir / "planted_pii.parquet", statistics=False)
    decoy_all.write_parquet(truth_dir / "decoys.parquet", statistics=False)
    return NightSummary(
        inst.institution_id,
        ctx.night,
        landed,
        landed - quarantined,
        quarantined,
        len(file_truth),
        pii_all.height,
        decoy_all.height,
    )


def _abilities(seed: int, index: int, n_students: int) -> npt.NDArray[np.float64]:
    """A student's ability is fixed across nights, so good students stay good."""
    return np.random.default_rng([seed, index, 99]).beta(2.2, 1.6, n_students)


def _first_jsonl(files: list[BatchFile]) -> int:
    return next(k for k, f in enumerate(files) if f.fmt == "jsonl")


def _serialise(
    records: pl.DataFrame,
    batch: BatchFile,
    defects: dict[int, tuple[str, int, str | None]],
    night: date,
    *,
    first_jsonl: bool,
) -> bytes:
    if batch.fmt == "parquet":
        return writer.parquet_bytes(records)
    frame = writer.text_frame(records)
    if batch.fmt == "csv":
        # An empty CSV cell is null, so a deliberately empty answer would read as a missing one.
        frame = frame.with_columns(pl.col("answer_text").replace("", "NA"))
    sub_prefix = f"sub-{night:%Y%m%d}-"
    lines: dict[int, bytes] = {}
    for pos, (name, variant, dup) in defects.items():
        rec = frame.row(pos, named=True)
        rec.pop("extra")
        rec.pop("row")
        dup_id = None if dup is None else sub_prefix + f"{int(dup):07d}"
        make = malformed.csv_line if batch.fmt == "csv" else malformed.json_line
        lines[pos] = make(rec, name, variant=variant, duplicate_of=dup_id)
    if batch.fmt == "csv":
        return writer.csv_bytes(frame, lines)
    data = writer.jsonl_bytes(frame, lines, blank_lines=first_jsonl)
    return writer.gzip_bytes(data) if batch.fmt == "jsonl.gz" else data


def _write_unreadable(
    night_dir: Path, night: date, first_index: int, rng: np.random.Generator
) -> list[str]:
    gz = f"export-{night:%Y%m%d}-{first_index:03d}.jsonl.gz"
    pq = f"export-{night:%Y%m%d}-{first_index + 1:03d}.parquet"
    payload = b"\n".join(
        json.dumps({"submission_id": f"lost-{i}", "answer_text": "lost in transfer"}).encode()
        for i in range(50)
    )
    writer.write_file(night_dir / gz, writer.truncated_gzip(payload))
    writer.write_file(night_dir / pq, writer.garbage_parquet(rng))
    return [gz, pq]
