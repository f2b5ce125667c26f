"""How a suite carries what the runner needs besides its expectations.

A gate is one `ExpectationSuite` whose `meta` says how to run and report it, and whose every
expectation's `meta` names it and says where it applies:

- suite meta: `gate` (the check name), `examples` (`provenance`: example rows show only
  submission_id, source_file and source_line, for layers holding raw text and raw ids;
  `scrubbed`: they also show pseudonyms and the failing column's value, re-redacted), `sample_rows`
  and `redact_patterns` (regexes masked in every example value shown);
- expectation meta: `name` (unique in the suite, e.g. `no_phone:answer_text`), `scope` (`rows`:
  over the frame; `partition`: over a one-row frame of partition metrics passed to the runner) and
  `full_scan` (never sampled: PII, consent and uniqueness).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite
    from great_expectations.expectations import Expectation

ExamplePolicy = Literal["provenance", "scrubbed"]
Scope = Literal["rows", "partition"]

PROVENANCE_EXAMPLE_COLUMNS: Final[tuple[str, ...]] = ("submission_id", "source_file", "source_line")
SCRUBBED_EXAMPLE_COLUMNS: Final[tuple[str, ...]] = (
    "submission_id",
    "id",
    "student_pseudonym",
    "grader_pseudonym",
)


def expect(
    kind: type[Expectation],
    *,
    name: str,
    full_scan: bool = False,
    scope: Scope = "rows",
    **kwargs: Any,
) -> Expectation:
    """An expectation tagged with its name and where it applies (see the module docstring)."""
    return kind(**kwargs, meta={"name": name, "scope": scope, "full_scan": full_scan})


def make_suite(
    *,
    gate: str,
    examples: ExamplePolicy,
    expectations: Sequence[Expectation],
    sample_rows: int | None = None,
    redact_patterns: Sequence[str] = (),
) -> ExpectationSuite:
    import great_expectations as gx

    names = [e.meta["name"] for e in expectations if e.meta]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated or len(names) != len(expectations):
        raise ValueError(f"suite {gate}: every expectation needs a unique name ({duplicated})")
    return gx.ExpectationSuite(
        name=gate,
        expectations=list(expectations),
        meta={
            "gate": gate,
            "examples": examples,
            "sample_rows": sample_rows,
            "redact_patterns": list(redact_patterns),
        },
    )


def expect_unique(column: str) -> Expectation:
    """Uniqueness of `column`: always a full scan (a sample would miss most duplicates)."""
    import great_expectations.expectations as gxe

    return expect(
        gxe.ExpectColumnValuesToBeUnique, name=f"unique:{column}", column=column, full_scan=True
    )
