"""The exports gate, over one dataset's frame: the dataset's exact schema, no empty text, and
preference pairs whose chosen answer was graded higher than the rejected one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from expectations.gate import expect, expect_unique, make_suite
from expectations.patterns import PII_PATTERNS
from expectations.thresholds import ExportsThresholds
from lakehouse.exports.config import Dataset
from lakehouse.exports.datasets import EXPORT_COLUMNS

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

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
    return make_suite(
        gate=gate_name(dataset),
        examples="scrubbed",
        expectations=exps,
        sample_rows=thresholds.sample_rows,
        redact_patterns=list(PII_PATTERNS.values()),
    )
