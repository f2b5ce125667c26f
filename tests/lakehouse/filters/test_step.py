"""The step shape: pass-column names, the language a step judges by, and the missing-column error."""

import polars as pl
import pytest

from lakehouse.filters.safety import SafetyStep
from lakehouse.filters.step import Step, document_language, pass_column, require_columns


def test_every_step_writes_its_pass_column():
    step = SafetyStep()
    assert isinstance(step, Step)
    out = step.apply(pl.DataFrame({"answer_text": ["fine"]}))
    assert pass_column(step.name) == "safety_pass" and out["safety_pass"].to_list() == [True]


def test_document_language_prefers_detected_then_declared():
    both = pl.DataFrame({"language_detected": ["hi"], "language": ["en"]})
    assert both.select(document_language(both)).item() == "hi"
    declared = pl.DataFrame({"language": ["ta"]})
    assert declared.select(document_language(declared)).item() == "ta"
    neither = pl.DataFrame({"answer_text": ["x"]})
    assert neither.select(document_language(neither)).item() is None


def test_missing_input_columns_name_the_step():
    with pytest.raises(ValueError, match="'perplexity' needs columns \\['language_detected'\\]"):
        require_columns(
            pl.DataFrame({"answer_text": ["x"]}),
            step="perplexity",
            columns=("answer_text", "language_detected"),
        )
