import numpy as np
import polars as pl

from lakehouse.filters.doc_quality import (
    QualityModel,
    QualityStep,
    load_quality_model,
    train_quality_model,
)
from lakehouse.filters.ngram_lm import NgramModel
from lakehouse.filters.perplexity import (
    PerplexityStep,
    load_perplexity_models,
    train_perplexity_models,
)

GOOD = [
    f"TCP guarantees reliable ordered delivery using sequence numbers and acknowledgements {i}."
    for i in range(30)
] + [
    f"The UDP header is eight bytes long and carries ports, length and checksum {i}."
    for i in range(30)
]
POOR = [f"idk {i}" for i in range(30)] + [f"no answer lol {i}" for i in range(30)]


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


def test_quality_classifier_separates_grades_and_scores_ungraded(make_frame, tmp_path):
    frame = make_frame(GOOD + POOR, grades=[9.0] * 60 + [1.0] * 60)
    path = train_quality_model(frame=frame, model_dir=tmp_path)
    assert path is not None
    model = load_quality_model(model_dir=tmp_path)
    assert isinstance(model, QualityModel)
    out = QualityStep(model=model).apply(
        make_frame(["TCP uses sequence numbers and acknowledgements.", "idk lol"])
    )
    assert out["quality_score"][0] > 0.5 > out["quality_score"][1]
    assert out["quality_pass"].to_list()[0] is True


def test_quality_without_enough_grades_passes_unjudged(make_frame):
    assert QualityModel.train(frame=make_frame(["a", "b"], grades=[9.0, 1.0])) is None
    out = QualityStep(model=None).apply(make_frame(["anything"]))
    assert out["quality_judged"].to_list() == [False]
    assert out["quality_pass"].to_list() == [True]
