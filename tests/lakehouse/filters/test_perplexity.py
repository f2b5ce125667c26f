"""The perplexity step: versioned per-language models, head/tail buckets, unjudged languages."""

import polars as pl

from lakehouse.filters.perplexity import (
    PerplexityStep,
    load_perplexity_models,
    train_perplexity_models,
)
from tests.lakehouse.filters.model_texts import GOOD, POOR


def test_perplexity_step_buckets_and_unjudged_languages(make_frame, tmp_path):
    frame = make_frame(GOOD + POOR, grades=[9.0] * 60 + [1.0] * 60).with_columns(
        language_detected=pl.lit("en")
    )
    written = train_perplexity_models(frame=frame, model_dir=tmp_path)
    assert set(written) == {"en"} and written["en"].name == "v0001"
    assert train_perplexity_models(frame=frame, model_dir=tmp_path)["en"].name == "v0002"
    models = load_perplexity_models(model_dir=tmp_path)
    test = make_frame(
        [
            "TCP guarantees reliable ordered delivery using sequence numbers.",
            "qzx vvk jjq wpt xq",
            "कुछ",
        ]
    )
    test = test.with_columns(language_detected=pl.Series(["en", "en", "hi"]))
    out = PerplexityStep(models=models).apply(test)
    assert out["perplexity_bucket"].to_list() == ["head", "tail", None]
    assert out["perplexity_pass"].to_list() == [True, False, True]
    assert out["perplexity_judged"].to_list() == [True, True, False]
