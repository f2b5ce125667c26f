"""Reading the institution's reference files (consent, erasure requests, roster) safely."""

from __future__ import annotations

from pathlib import Path

import polars as pl


class ReferenceFileError(ValueError):
    """A consent, erasure or roster file that cannot be used; the message says which and why."""


def read_reference_csv(path: Path, required: tuple[str, ...], what: str) -> pl.DataFrame:
    try:
        text = path.read_bytes().decode("utf-8-sig")
        frame = pl.read_csv(text.encode(), infer_schema=False)
    except (OSError, UnicodeDecodeError, pl.exceptions.PolarsError) as exc:
        raise ReferenceFileError(
            f"cannot read the {what} file {path}: {type(exc).__name__}. "
            "Fix or replace the file (UTF-8 CSV with a header row), then re-run the partition."
        ) from exc
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ReferenceFileError(
            f"the {what} file {path} lacks the column(s) {', '.join(missing)}; "
            f"expected a header with {', '.join(required)}"
        )
    return frame
