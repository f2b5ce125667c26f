from lakehouse.filters.language import LanguageStep
from lakehouse.filters.text_metrics import TextMetricParams, TextMetricsStep

GOOD = "TCP is reliable and connection oriented. The sender waits for an acknowledgement of each segment."


def run(make_frame, texts, params=None):
    frame = LanguageStep().apply(make_frame(texts))
    return TextMetricsStep(params=params or TextMetricParams()).apply(frame)


def test_good_short_answer_passes(make_frame):
    out = run(make_frame, [GOOD])
    assert out["text_metrics_pass"].to_list() == [True]
    assert out["text_metrics_failed"].to_list() == [[]]


def test_rules_fail_on_their_cases(make_frame):
    out = run(
        make_frame,
        [
            "yes",
            "### ### ### #### ## ### ### ## hash tags everywhere. #### ###",
            "lorem ipsum dolor sit amet, consectetur adipiscing elit.",
            "1 2 3 4 5 6 7 8 9 10 11 12 13.",
            "no punctuation at all in this answer here",
        ],
    )
    failed = out["text_metrics_failed"].to_list()
    assert "gopher_min_words" in failed[0]
    assert "gopher_symbol_ratio" in failed[1]
    assert "c4_lorem_ipsum" in failed[2]
    assert "gopher_alpha_words" in failed[3]
    assert "c4_min_sentences" in failed[4]
    assert not any(out["text_metrics_pass"])


def test_published_thresholds_are_stricter(make_frame):
    out = run(make_frame, [GOOD], TextMetricParams.published())
    assert "gopher_min_words" in out["text_metrics_failed"][0]


def test_indian_scripts_pass_with_unicode_words(flores, make_frame):
    out = run(make_frame, flores["text"].to_list())
    by_lang = (
        out.with_columns(lang=flores["lang"])
        .group_by("lang")
        .agg(out_pass=out["text_metrics_gopher_pass"].implode().list.first())
    )
    # Gopher rules (word length, alpha ratio, stop words) pass on >= 95% of every language's text
    gopher = (
        out.with_columns(lang=flores["lang"])
        .group_by("lang")
        .agg(rate=__import__("polars").col("text_metrics_gopher_pass").mean())
    )
    assert gopher["rate"].min() >= 0.95, gopher
    assert by_lang.height == 11
    # Devanagari words are whole (vowel signs and viramas are not word breaks)
    hindi = out.filter(flores["lang"] == "hi")
    assert hindi["text_metrics_avg_word_length"].mean() > 3


def test_stop_words_counted_per_language(make_frame):
    text = " ".join(["यह एक उत्तर है और इसमें कुछ शब्द हैं"] * 4) + "।"
    out = run(make_frame, [text])
    assert out["language_detected"][0] == "hi"
    assert out["text_metrics_stop_words"][0] >= 8
