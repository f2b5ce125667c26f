"""The C4 rule family: which lines' sentences count, overlong words, lorem ipsum, curly brackets."""

import polars as pl

from lakehouse.filters.c4_quality import C4Quality, c4_line_ok
from lakehouse.filters.language import LanguageStep
from lakehouse.filters.text_metrics import TextMetricParams, TextMetricsStep


def _run(make_frame, texts, params=None):
    frame = LanguageStep().apply(make_frame(texts))
    return TextMetricsStep(params=params or TextMetricParams()).apply(frame)


def test_policy_and_javascript_lines_do_not_count_as_sentences():
    lines = pl.DataFrame(
        {
            "l": [
                [
                    "TCP waits for each acknowledgement.",
                    "This site uses cookies to work.",
                    "Please enable JavaScript to see it.",
                    "Too short.",
                    "no terminal punctuation here at all",
                ]
            ]
        }
    )
    ok = lines.select(pl.col("l").list.eval(c4_line_ok(TextMetricParams())))["l"][0].to_list()
    assert ok == [True, False, False, False, False]
    keep_policy = TextMetricParams(c4_javascript_and_policy_lines=False)
    ok = lines.select(pl.col("l").list.eval(c4_line_ok(keep_policy)))["l"][0].to_list()
    assert ok == [True, True, True, False, False]


def test_c4_rules_fail_on_their_cases(make_frame):
    out = _run(
        make_frame,
        [
            "The protocol is reliable and ordered. " + "a" * 1001 + ".",
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit sed do.",
            "The set {1, 2, 3} has three elements in it here.",
        ],
    )
    failed = out["text_metrics_failed"].to_list()
    assert "c4_max_word_length" in failed[0]
    assert out["text_metrics_max_word_length"][0] == 1002
    assert "c4_lorem_ipsum" in failed[1]
    # curly brackets are off by default (homework holds code and set notation), on as published
    assert out["text_metrics_curly_bracket"][2]
    assert not any(r.startswith("c4_") for r in failed[2])
    published = _run(
        make_frame, ["The set {1, 2, 3} has three elements."], TextMetricParams.published()
    )
    assert "c4_curly_bracket" in published["text_metrics_failed"][0]
    assert out["text_metrics_c4_pass"].to_list() == [False, False, True]


def test_sentences_count_danda_as_an_end(make_frame):
    out = _run(make_frame, ["यह एक अच्छा उत्तर है। इसमें दो वाक्य हैं।"])
    assert out["text_metrics_c4_sentences"][0] == 2
    assert C4Quality().family == "c4"
