"""Validate a polars frame against a gate's suite with one ephemeral, offline GX context.

GX is slow to set up (seconds to import, a context, a data source), so the context, its pandas data
source and one whole-dataframe batch definition are built once per process and reused by every
validation; a lock serialises validations, since a GX context is not thread-safe.

Sampling happens only where a suite says so (`sample_rows` in its meta) and only for expectations
not marked `full_scan`: those (PII, consent, uniqueness) always see every row, on a frame of just
the columns they need. Partition-level expectations run on a one-row frame of the metrics given.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
import polars as pl

from expectations.frames import to_pandas
from expectations.gate import PROVENANCE_EXAMPLE_COLUMNS, SCRUBBED_EXAMPLE_COLUMNS, ExamplePolicy
from expectations.gate_result import ExpectationOutcome, GateResult

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite
    from great_expectations.core import ExpectationValidationResult
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.expectations import Expectation

DEFAULT_MAX_EXAMPLES: Final = 5
MAX_VALUE_CHARS: Final = 160
REDACTED: Final = "[REDACTED]"
_COLUMN_KWARGS: Final = ("column", "column_A", "column_B")
_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class _Engine:
    context: AbstractDataContext
    batch_definition: BatchDefinition


_lock = threading.Lock()
_engine: _Engine | None = None


def gx_engine() -> _Engine:
    """The process's GX context and batch definition, built on first use."""
    global _engine  # noqa: PLW0603 - one context per process, by design
    with _lock:
        if _engine is None:
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(
                globally=False, metric_calculations=False
            )
            context.config.analytics_enabled = False
            source = context.data_sources.add_pandas("lakehouse")
            batch_definition = source.add_dataframe_asset(
                "frame"
            ).add_batch_definition_whole_dataframe("whole")
            _engine = _Engine(context=context, batch_definition=batch_definition)
        return _engine


def _meta(expectation: Expectation) -> dict[str, Any]:
    return dict(expectation.meta or {})


def _columns_of(expectation: Expectation) -> set[str]:
    kwargs = expectation.configuration.kwargs
    cols = {kwargs[k] for k in _COLUMN_KWARGS if isinstance(kwargs.get(k), str)}
    cols.update(kwargs.get("column_list") or [])
    condition = kwargs.get("row_condition")
    if isinstance(condition, str):
        cols.update(_IDENTIFIER.findall(condition))
    return cols


def _failing_columns(kwargs: Mapping[str, Any]) -> list[str]:
    return [kwargs[k] for k in _COLUMN_KWARGS if isinstance(kwargs.get(k), str)]


def _render(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        return "nan" if math.isnan(value) else f"{float(value):.6g}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _plain(value: object) -> object:
    """A JSON-friendly Python scalar."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, int | float | bool | str):
        return value
    return str(value)


def _exception_message(result: ExpectationValidationResult) -> str | None:
    info = result.exception_info or {}
    candidates = [info, *(v for v in info.values() if isinstance(v, dict))]
    for item in candidates:
        if item.get("raised_exception"):
            return str(item.get("exception_message") or "exception")[:300]
    return None


def _outcome(result: ExpectationValidationResult, *, sampled: bool) -> ExpectationOutcome:
    config = result.expectation_config
    assert config is not None
    meta = dict(config.meta or {})
    kwargs = config.kwargs
    res = dict(result.result or {})
    error = _exception_message(result)
    unexpected = res.get("unexpected_count")
    elements = res.get("element_count")
    if "observed_value" in res:
        observed = _render(res["observed_value"])
    elif unexpected is not None:
        pct = res.get("unexpected_percent") or 0.0
        observed = f"{unexpected} of {elements} rows ({pct:.2f}%)"
    else:
        observed = f"error: {error}" if error else None
    columns = _failing_columns(kwargs)
    return ExpectationOutcome(
        name=str(meta.get("name", config.type)),
        expectation_type=config.type,
        column=",".join(columns) or None,
        success=bool(result.success) and error is None,
        observed_value=observed,
        unexpected_count=int(unexpected) if unexpected is not None else None,
        element_count=int(elements) if elements is not None else None,
        sampled=sampled,
        error=error,
    )


def _redact(values: pd.Series, patterns: Sequence[str]) -> pd.Series:
    text = values.astype("str")
    for pattern in patterns:
        text = text.str.replace(pattern, REDACTED, regex=True)
    return text.str.slice(0, MAX_VALUE_CHARS)


def _examples(
    result: ExpectationValidationResult,
    frame: pd.DataFrame,
    *,
    policy: ExamplePolicy,
    redact_patterns: Sequence[str],
    max_examples: int,
) -> list[dict[str, object]]:
    """A few offending rows with only the columns the policy allows; values are re-redacted."""
    config = result.expectation_config
    assert config is not None
    index = list((result.result or {}).get("partial_unexpected_index_list") or [])[:max_examples]
    if result.success or not index:
        return []
    safe = PROVENANCE_EXAMPLE_COLUMNS if policy == "provenance" else SCRUBBED_EXAMPLE_COLUMNS
    shown = [c for c in safe if c in frame.columns]
    if policy == "scrubbed":
        shown += [
            c for c in _failing_columns(config.kwargs) if c in frame.columns and c not in shown
        ]
    rows = frame.loc[index, shown].copy()
    if policy == "scrubbed":
        for column in rows.columns:
            if not pd.api.types.is_numeric_dtype(rows[column]):
                rows[column] = _redact(rows[column].where(rows[column].notna()), redact_patterns)
    name = str((config.meta or {}).get("name", config.type))
    return [
        {"expectation": name, "row": int(position)} | {k: _plain(v) for k, v in record.items()}
        for position, record in zip(index, rows.to_dict(orient="records"), strict=True)
    ]


def _suite_of(name: str, expectations: Iterable[Expectation]) -> ExpectationSuite:
    import great_expectations as gx

    return gx.ExpectationSuite(name=name, expectations=list(expectations))


def validate(
    *,
    frame: pl.DataFrame,
    suite: ExpectationSuite,
    metrics: Mapping[str, float] | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int = 0,
) -> GateResult:
    """Run `suite` (built by one of `expectations.suites`) over `frame`.

    `metrics` holds the partition-level values the suite's `partition` expectations check
    (`quarantine_rate` for bronze, `coverage` for reward); a missing one is a programming error.
    Sampling, when the suite's `sample_rows` is below the frame's height, is seeded by `seed`.
    """
    started = time.perf_counter()
    meta = dict(suite.meta or {})
    gate = str(meta.get("gate", suite.name))
    policy: ExamplePolicy = meta.get("examples", "provenance")
    redact_patterns: list[str] = list(meta.get("redact_patterns") or [])
    sample_rows: int | None = meta.get("sample_rows")

    rows = [e for e in suite.expectations if _meta(e).get("scope", "rows") == "rows"]
    partition = [e for e in suite.expectations if _meta(e).get("scope") == "partition"]
    needed = sorted({c for e in partition for c in _columns_of(e)})
    missing = [m for m in needed if metrics is None or m not in metrics]
    if missing:
        raise ValueError(f"the {gate} gate needs the partition metric(s) {', '.join(missing)}")

    height = frame.height
    runs: list[tuple[pd.DataFrame, list[Expectation], bool]] = []
    sampled_rows: int | None = None
    if sample_rows is not None and height > sample_rows:
        full = [e for e in rows if _meta(e).get("full_scan")]
        rest = [e for e in rows if not _meta(e).get("full_scan")]
        picked = np.sort(np.random.default_rng(seed).choice(height, sample_rows, replace=False))
        sample = to_pandas(frame[picked])
        sample.index = pd.Index(picked)
        wanted = {c for e in full for c in _columns_of(e)}
        wanted.update(PROVENANCE_EXAMPLE_COLUMNS, SCRUBBED_EXAMPLE_COLUMNS)
        runs += [
            (to_pandas(frame.select(c for c in frame.columns if c in wanted)), full, False),
            (sample, rest, True),
        ]
        sampled_rows = sample_rows
    else:
        runs.append((to_pandas(frame), rows, False))
    if partition:
        assert metrics is not None
        one_row = pd.DataFrame({m: [float(metrics[m])] for m in needed})
        runs.append((one_row, partition, False))

    engine = gx_engine()
    outcomes: list[ExpectationOutcome] = []
    examples: list[dict[str, object]] = []
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": max_examples}
    for data, expectations, sampled in runs:
        if not expectations:
            continue
        with _lock:
            batch = engine.batch_definition.get_batch(batch_parameters={"dataframe": data})
            validation = batch.validate(_suite_of(gate, expectations), result_format=result_format)
        for result in validation.results:
            outcomes.append(_outcome(result, sampled=sampled))
            examples += _examples(
                result,
                data,
                policy=policy,
                redact_patterns=redact_patterns,
                max_examples=max_examples,
            )
    order = {str(_meta(e).get("name")): i for i, e in enumerate(suite.expectations)}
    outcomes.sort(key=lambda o: order.get(o.name, len(order)))
    return GateResult(
        gate=gate,
        success=all(o.success for o in outcomes),
        expectations=tuple(outcomes),
        examples=tuple(examples),
        example_policy=policy,
        row_count=height,
        sampled_rows=sampled_rows,
        duration_s=round(time.perf_counter() - started, 3),
        evaluated_at=datetime.now(UTC),
    )
