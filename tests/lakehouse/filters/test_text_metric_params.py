"""Text-metric thresholds: the published set and the zero-safe ratio the families share."""

import polars as pl

from lakehouse.filters.text_metric_params import TextMetricParams, ratio


def test_published_thresholds_are_the_papers():
    published = TextMetricParams.published()
    assert (published.min_doc_words, published.min_stop_words, published.c4_min_sentences) == (
        50,
        2,
        5,
    )
    assert published.c4_curly_bracket and published.fineweb_min_lines == 1
    assert published.max_avg_word_length_by_language == ()
    # the homework defaults differ only where the docstrings say so
    assert TextMetricParams().min_doc_words == 5


def test_ratio_counts_an_empty_denominator_as_one():
    frame = pl.DataFrame({"num": [0, 3, 2], "den": [0, 6, 0]})
    assert frame.select(r=ratio(pl.col("num"), pl.col("den")))["r"].to_list() == [0.0, 0.5, 2.0]
