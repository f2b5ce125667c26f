"""The default chain: its steps in STEP_ORDER, and per-institution settings reaching its steps."""

import polars as pl

from lakehouse.filters.defaults import (
    STEP_ORDER,
    ChainConfig,
    build_default_chain,
    chain_config_for,
)
from lakehouse.filters.non_answer import NonAnswerStep
from lakehouse.institution_config import InstitutionConfig


def test_default_chain_runs_in_the_documented_step_order() -> None:
    assert build_default_chain(model_dir=None, index_dir=None).step_names == STEP_ORDER


def test_institution_phrases_change_what_the_chain_drops(make_frame) -> None:
    settings = InstitutionConfig(
        non_answer_phrases=("Not submitted by student",), non_answer_allowed_phrases=("Na",)
    )
    config = chain_config_for(settings)
    assert isinstance(config, ChainConfig)
    chain = build_default_chain(model_dir=None, index_dir=None, config=config)
    first = chain.steps[0]
    assert isinstance(first, NonAnswerStep)
    out = first.apply(make_frame(["Not submitted by student.", "Na", "N/A"]))
    assert out["non_answer_kind"].to_list() == ["placeholder", None, "placeholder"]
    default = (
        build_default_chain(model_dir=None, index_dir=None)
        .steps[0]
        .apply(make_frame(["Not submitted by student.", "Na"]))
    )
    assert default["non_answer_kind"].to_list() == [None, "placeholder"]
    assert pl.Series(STEP_ORDER).is_unique().all()
