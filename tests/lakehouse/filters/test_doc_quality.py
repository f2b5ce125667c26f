"""The quality classifier trained on grades: it separates good from poor answers, and without
enough grades the step passes every document unjudged."""

from lakehouse.filters.doc_quality import (
    QualityModel,
    QualityStep,
    load_quality_model,
    train_quality_model,
)
from tests.lakehouse.filters.model_texts import GOOD, POOR


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
