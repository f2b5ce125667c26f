"""One module per gate, each a function building the gate's `ExpectationSuite`."""

from expectations.suites.bronze import bronze_suite, quarantine_rate
from expectations.suites.consent import consent_gate_frame, consent_suite
from expectations.suites.curated import curated_suite
from expectations.suites.exports import EXPORT_SCHEMAS, exports_suite
from expectations.suites.reward import reward_coverage, reward_suite
from expectations.suites.silver import (
    SILVER_COLUMNS,
    TEXT_COLUMNS,
    silver_gate_frame,
    silver_suite,
)

__all__ = [
    "EXPORT_SCHEMAS",
    "SILVER_COLUMNS",
    "TEXT_COLUMNS",
    "bronze_suite",
    "consent_gate_frame",
    "consent_suite",
    "curated_suite",
    "exports_suite",
    "quarantine_rate",
    "reward_coverage",
    "reward_suite",
    "silver_gate_frame",
    "silver_suite",
]
