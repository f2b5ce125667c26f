"""The character/word n-gram language model: fluent text scores lower, and it round-trips."""

import numpy as np
import polars as pl

from lakehouse.filters.ngram_lm import NgramModel
from tests.lakehouse.filters.model_texts import GOOD


def test_ngram_model_scores_fluent_text_lower_and_round_trips(tmp_path):
    model = NgramModel.train(texts=pl.Series(GOOD))
    ppl = model.perplexities(pl.Series(["TCP guarantees reliable delivery.", "zq xj vvk qpw", ""]))
    assert ppl[0] < ppl[1]
    assert np.isnan(ppl[2])
    loaded = NgramModel.load(path=model.save(path=tmp_path / "m"))
    assert loaded.model_id == model.model_id
    np.testing.assert_allclose(
        loaded.perplexities(pl.Series(GOOD[:3])), model.perplexities(pl.Series(GOOD[:3]))
    )


def test_word_level_model(tmp_path):
    model = NgramModel.train(texts=pl.Series(GOOD), unit="word", order=3)
    ppl = model.perplexities(
        pl.Series(["TCP guarantees reliable ordered delivery", "banana purple sky"])
    )
    assert ppl[0] < ppl[1]
