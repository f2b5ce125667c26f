"""The exports gate, over one dataset's frame: the dataset's exact schema, no empty text,
preference pairs whose chosen answer was graded higher than the rejected one, and (issue 21) at
most a small share of rows that teach nothing: preference pairs with a non-answer on a side, SFT
and critique rows whose response is a non-answer. That share is a dataset-level metric
(`export_metrics`, from `lakehouse.exports.quality`) passed to `validate`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from expectations.gate import expect, expect_unique, make_suite
from expectations.patterns import PII_PATTERNS
from expectations.results import write_export_quality
from expectations.thresholds import ExportsThresholds
from lakehouse.exports.config import Dataset
from lakehouse.exports.datasets import EXPORT_COLUMNS
from lakehouse.exports.quality import TRIVIAL_SHARE, gate_metrics

if TYPE_CHECKING:
    import polars as pl
    from great_expectations import ExpectationSuite

    from expectations.gate_result import GateResult
    from lakehouse.home import LakehouseHome

EXPORT_SCHEMAS: Final[dict[Dataset, tuple[str, ...]]] = EXPORT_COLUMNS
"""The gate checks the exact columns the exports library writes (one definition, not two)."""
NON_EMPTY: Final[dict[str, tuple[str, ...]]] = {
    "pretrain": ("id", "text"),
    "sft": ("prompt", "response"),
    "preference": ("prompt", "chosen", "rejected"),
    "reward": ("prompt", "response"),
    "critique": ("prompt", "response", "feedback"),
}
BLANK: Final = r"\A[ \t\r\n]*\Z"
"""Empty or only whitespace (RE2-compatible: pandas rewrites `\\Z` for Arrow)."""


def gate_name(dataset: str) -> str:
    return f"exports_{dataset}"


def trivial_share_bound(dataset: Dataset, thresholds: ExportsThresholds) -> float | None:
    """The dataset's bound on `trivial_share`; None: not bounded (pretrain's documents were
    judged by the chain; in reward a zero for "No response." is a true reward)."""
    if dataset == "preference":
        return thresholds.max_trivial_pair_share
    if dataset in ("sft", "critique"):
        return thresholds.max_non_answer_share
    return None


def export_metrics(*, dataset: Dataset, frame: pl.DataFrame) -> dict[str, float]:
    """The dataset-level values the exports suite checks (`trivial_share`)."""
    return gate_metrics(dataset, frame)


def validate_export(
    *, dataset: Dataset, frame: pl.DataFrame, thresholds: ExportsThresholds
) -> GateResult:
    """Run the dataset's exports gate over its frame, metrics included."""
    from expectations.runner import validate

    return validate(
        frame=frame,
        suite=exports_suite(dataset=dataset, thresholds=thresholds),
        metrics=export_metrics(dataset=dataset, frame=frame),
    )


def exports_suite(*, dataset: Dataset, thresholds: ExportsThresholds) -> ExpectationSuite:
    """The gate is named `exports_<dataset>` so each dataset has its own check and results."""
    import great_expectations.expectations as gxe

    if dataset not in EXPORT_SCHEMAS:
        raise ValueError(f"unknown export dataset {dataset!r}; one of {sorted(EXPORT_SCHEMAS)}")
    exps = [
        expect(
            gxe.ExpectTableColumnsToMatchSet,
            name="schema",
            column_set=list(EXPORT_SCHEMAS[dataset]),
            exact_match=True,
        )
    ]
    for column in NON_EMPTY[dataset]:
        exps += [
            expect(gxe.ExpectColumnValuesToNotBeNull, name=f"not_null:{column}", column=column),
            expect(
                gxe.ExpectColumnValuesToNotMatchRegex,
                name=f"not_empty:{column}",
                column=column,
                regex=BLANK,
            ),
        ]
    if dataset == "pretrain":
        exps.append(expect_unique("id"))
    if dataset == "preference":
        exps.append(
            expect(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB,
                name="chosen_graded_higher",
                column_A="chosen_grade",
                column_B="rejected_grade",
                or_equal=False,
            )
        )
    if dataset == "reward":
        exps += [
            expect(
                gxe.ExpectColumnValuesToBeBetween,
                name=f"{column}_in_range",
                column=column,
                min_value=0.0,
                max_value=1.0,
            )
            for column in ("reward", "rm_score")
        ]
    bound = trivial_share_bound(dataset, thresholds)
    if bound is not None:
        exps.append(
            expect(
                gxe.ExpectColumnMaxToBeBetween,
                name="trivial_share_within_bound",
                column=TRIVIAL_SHARE,
                scope="partition",
                max_value=bound,
            )
        )
    return make_suite(
        gate=gate_name(dataset),
        examples="scrubbed",
        expectations=exps,
        sample_rows=thresholds.sample_rows,
        redact_patterns=list(PII_PATTERNS.values()),
    )


class ExportGates:
    """Every dataset's exports gate as `build_release`'s `gate`: validates each built dataset,
    keeps the verdicts, and records them once the release has its id."""

    def __init__(self, thresholds: ExportsThresholds) -> None:
        self.thresholds = thresholds
        self.verdicts: dict[Dataset, GateResult] = {}

    def __call__(self, dataset: Dataset, frame: pl.DataFrame) -> bool:
        result = validate_export(dataset=dataset, frame=frame, thresholds=self.thresholds)
        self.verdicts[dataset] = result
        return result.passed

    def record(self, *, home: LakehouseHome, release_id: str) -> None:
        """Write each verdict to `lake/gold/export_quality/dataset=<d>/`."""
        for dataset, result in self.verdicts.items():
            write_export_quality(home=home, result=result, dataset=dataset, release_id=release_id)
