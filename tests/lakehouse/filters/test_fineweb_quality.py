"""The FineWeb rule family: line rules only on answers with several lines, newline ratio always."""

from lakehouse.filters.language import LanguageStep
from lakehouse.filters.text_metrics import TextMetricParams, TextMetricsStep


def _run(make_frame, texts, params=None):
    frame = LanguageStep().apply(make_frame(texts))
    return TextMetricsStep(params=params or TextMetricParams()).apply(frame)


def test_short_unpunctuated_lines_fail_only_with_enough_lines(make_frame):
    many = "\n".join(["tcp reliable", "udp fast", "ports numbers", "window size"])
    one = "TCP is reliable, UDP is not."
    out = _run(make_frame, [many, one])
    assert out["text_metrics_lines"].to_list() == [4, 1]
    assert out["text_metrics_short_line_ratio"][0] == 1.0
    assert {"fineweb_line_punct", "fineweb_short_lines"} <= set(out["text_metrics_failed"][0])
    assert out["text_metrics_short_line_ratio"][1] == 1.0
    assert not any(r.startswith("fineweb_") for r in out["text_metrics_failed"][1])


def test_duplicated_lines_and_newlines(make_frame):
    dup = "\n".join(["The sender waits for every single acknowledgement."] * 3)
    out = _run(make_frame, [dup])
    assert out["text_metrics_char_dup_ratio"][0] > 0.6
    assert "fineweb_char_dup" in out["text_metrics_failed"][0]
    # 2 newlines for 21 words
    assert abs(out["text_metrics_newline_ratio"][0] - 2 / 21) < 1e-9
    off = _run(make_frame, [dup], TextMetricParams(fineweb_max_char_dup_ratio=None))
    assert "fineweb_char_dup" not in off["text_metrics_failed"][0]
