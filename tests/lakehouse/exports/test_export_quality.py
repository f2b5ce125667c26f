"""The quality report of a dataset and the card's quality section, on SAF's real answers laid out
as one institution and on hand-made answers."""

from __future__ import annotations

import polars as pl

from lakehouse.exports import ExportConfig, build_release
from lakehouse.exports.quality import (
    gate_metrics,
    margin_histogram,
    quality_report,
    render_quality,
)
from tests.lakehouse.exports.conftest import (
    answer,
    chain_curated,
    saf_silver,
    silver,
    write_lake,
)


def _preference(rows: list[tuple[str, str, float, float]], non_answer_pair=None) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "prompt": ["Explain TCP."] * len(rows),
            "chosen": [r[0] for r in rows],
            "rejected": [r[1] for r in rows],
            "chosen_grade": [r[2] for r in rows],
            "rejected_grade": [r[3] for r in rows],
            "metadata": [
                {
                    "institution_id": "inst_a",
                    "course_id": "CS101",
                    "question_id": f"Q{i % 2}",
                    "language": "en" if i % 3 else "hi",
                    "non_answer_pair": None if non_answer_pair is None else non_answer_pair[i],
                }
                for i in range(len(rows))
            ],
        }
    )


def test_report_counts_trivial_pairs_margins_and_duplicates() -> None:
    frame = _preference(
        [
            ("TCP is reliable and ordered.", "No response.", 1.0, 0.0),
            ("TCP is reliable and ordered.", "TCP is reliable, and ordered!", 0.9, 0.6),
            ("Flow control and retransmission.", "UDP.", 0.8, 0.25),
            ("मुझे नहीं पता", "Nothing here that is right.", 0.5, 0.2),
            ("Handshake then data.", "Lost packets are ignored.", 0.75, 0.1),
            ("Congestion window grows.", "It is about routers.", 0.7, 0.1),
        ],
        non_answer_pair=[True, False, False, False, False, True],  # the exporter's own label
    )
    report = quality_report("preference", frame)
    assert report.trivial_rows == 3  # two judged from the text, one labelled by the exporter
    assert report.near_duplicate_rows == 1
    assert report.questions == 2 and report.rows_per_question == (3, 3.0, 3)
    margins = dict(report.margin_histogram)
    # 1.0, 0.3 (0.9 - 0.6 in floating point is 0.30000000000000004), 0.55, 0.3, 0.65, 0.6
    assert margins["0.9-1.0"] == 1 and margins["0.3-0.4"] == 2 and margins["0.5-0.6"] == 1
    assert margins["0.6-0.7"] == 2 and sum(margins.values()) == 6
    assert dict(report.languages) == {"en": 4, "hi": 2}
    assert gate_metrics("preference", frame) == {"trivial_share": 0.5}
    text = render_quality(report)
    assert "trivial pairs (a non-answer as chosen or rejected): 3 (50.0%)" in text
    assert "| 0.9-1.0 | 1 |" in text and "| hi | 2 (33.3%) |" in text


def test_margin_histogram_edges() -> None:
    hist = dict(margin_histogram(pl.Series([0.2, 0.3, 0.7 - 0.5, 1.0, 0.0])))
    assert hist["0.2-0.3"] == 2 and hist["0.3-0.4"] == 1 and hist["0.9-1.0"] == 1
    assert hist["0.0-0.1"] == 1


def test_card_has_a_quality_section_from_the_data(home) -> None:
    frame = silver(
        [answer(i, grade=g) for i, g in enumerate([10.0, 9.0, 8.0, 3.0, 2.0, 1.0])]
        + [answer(9, grade=0.0, answer_text="No submission.", feedback="The response is empty.")]
    )
    refs = write_lake(home, frame)
    result = build_release(home, refs)
    for dataset, item in result.datasets.items():
        card = item.card.read_text()
        assert "## Quality" in card and "Lengths in characters:" in card, dataset
        assert "Language mix:" in card
    preference = result.datasets["preference"].card.read_text()
    assert "trivial pairs (a non-answer as chosen or rejected): 0 (0.0%)" in preference
    assert "Grade margin" in preference
    assert "pairs with one are excluded" in preference
    reward = result.datasets["reward"].card.read_text()
    assert "rows whose response is a non-answer: 1 (14.3%)" in reward


def test_saf_release_quality(home) -> None:
    """SAF's real answers through the default chain and a release: what the demo card shows."""
    frame = saf_silver(graders=3)
    refs = write_lake(home, frame, curated_frame=chain_curated(frame))
    result = build_release(home, refs, ExportConfig())
    preference = result.datasets["preference"]
    card = preference.card.read_text()
    assert "trivial pairs (a non-answer as chosen or rejected): 0 (0.0%)" in card
    assert preference.rows > 700
    pretrain_card = result.datasets["pretrain"].card.read_text()
    assert "| filter chain: non_answer | 168 |" in pretrain_card
