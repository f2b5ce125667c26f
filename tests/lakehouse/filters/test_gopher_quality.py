"""The Gopher rule family on its own: its measures, its rules, and thresholds switched off."""

import polars as pl

from lakehouse.filters.gopher_quality import GopherQuality
from lakehouse.filters.language import LanguageStep
from lakehouse.filters.text_metrics import TextMetricParams, TextMetricsStep


def _run(make_frame, texts, params=None):
    frame = LanguageStep().apply(make_frame(texts))
    return TextMetricsStep(params=params or TextMetricParams()).apply(frame)


def test_rule_names_all_start_with_the_family():
    params = TextMetricParams()
    family = GopherQuality()
    measure = {m: pl.col(m) for m in family.measures(params)}
    assert set(family.rules(params, measure)) == {
        "gopher_min_words",
        "gopher_max_words",
        "gopher_min_avg_word_length",
        "gopher_max_avg_word_length",
        "gopher_symbol_ratio",
        "gopher_bullet_lines",
        "gopher_ellipsis_lines",
        "gopher_alpha_words",
        "gopher_stop_words",
    }


def test_bullet_and_ellipsis_lines_fail_only_gopher(make_frame):
    bullets = "\n".join(f"• point number {i} about the protocol here." for i in range(6))
    ellipses = "\n".join(f"The sender waits for segment number {i}..." for i in range(6))
    out = _run(make_frame, [bullets, ellipses])
    assert out["text_metrics_bullet_lines_ratio"][0] == 1.0
    assert "gopher_bullet_lines" in out["text_metrics_failed"][0]
    assert out["text_metrics_ellipsis_lines_ratio"][1] == 1.0
    assert "gopher_ellipsis_lines" in out["text_metrics_failed"][1]
    assert out["text_metrics_gopher_pass"].to_list() == [False, False]
    assert out["text_metrics_c4_pass"].to_list() == [True, True]


def test_stop_words_judged_only_on_long_answers_with_a_list(make_frame):
    long_no_stops = " ".join(["Protocol segment window"] * 12) + "."
    out = _run(make_frame, [long_no_stops, "Protocol segment window acknowledgement ports."])
    assert out["text_metrics_stop_words_judged"].to_list() == [True, True]
    assert out["text_metrics_stop_words"].to_list() == [0, 0]
    # 36 words without a stop word fail; 5 words are below stop_words_min_doc_words (30)
    assert "gopher_stop_words" in out["text_metrics_failed"][0]
    assert "gopher_stop_words" not in out["text_metrics_failed"][1]


def test_a_threshold_set_to_none_switches_its_rule_off(make_frame):
    out = _run(make_frame, ["yes"], TextMetricParams(min_doc_words=None))
    assert "gopher_min_words" not in out["text_metrics_failed"][0]
    out = _run(make_frame, ["yes"])
    assert "gopher_min_words" in out["text_metrics_failed"][0]


def test_tamil_long_words_pass_under_the_language_limit(make_frame):
    tamil = "தமிழ்நாட்டின் பல்கலைக்கழகங்களில் மாணவர்கள் கணினியியல் பாடங்களைக் கற்கின்றனர்."
    out = _run(make_frame, [tamil])
    assert out["language_detected"][0] == "ta"
    assert out["text_metrics_avg_word_length"][0] > 10
    assert "gopher_max_avg_word_length" not in out["text_metrics_failed"][0]
