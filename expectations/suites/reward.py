"""The reward gate, over `reward_scores`: every score in range, the model version recorded, and
(partition metric) enough of the night's scrubbed answers scored."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from expectations.gate import expect, expect_unique, make_suite
from expectations.thresholds import RewardThresholds

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

GATE: Final = "reward"
COVERAGE: Final = "coverage"
"""The partition metric the runner must be given (`metrics={COVERAGE: ...}`)."""


def reward_coverage(*, scored: int, scrubbed: int) -> float:
    """scored rows / scrubbed rows; 1 for a night with nothing to score."""
    return scored / scrubbed if scrubbed else 1.0


def reward_suite(*, thresholds: RewardThresholds) -> ExpectationSuite:
    import great_expectations.expectations as gxe

    exps = [
        expect(gxe.ExpectColumnToExist, name=f"column:{column}", column=column)
        for column in ("submission_id", "rm_score", "rm_model_version")
    ]
    exps += [
        expect(gxe.ExpectColumnValuesToNotBeNull, name="not_null:rm_score", column="rm_score"),
        expect(
            gxe.ExpectColumnValuesToBeBetween,
            name="rm_score_in_range",
            column="rm_score",
            min_value=0.0,
            max_value=1.0,
        ),
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            name="not_null:rm_model_version",
            column="rm_model_version",
        ),
        expect_unique("submission_id"),
        expect(
            gxe.ExpectColumnMinToBeBetween,
            name="coverage_at_least_bound",
            column=COVERAGE,
            scope="partition",
            min_value=thresholds.min_coverage,
        ),
    ]
    return make_suite(
        gate=GATE, examples="scrubbed", expectations=exps, sample_rows=thresholds.sample_rows
    )
