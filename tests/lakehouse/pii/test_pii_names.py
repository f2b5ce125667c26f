"""Off-roster person names: found in answers and feedback, kept where the homework is about them,
measured on GAP's real Wikipedia snippets."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lakehouse.pii import PiiConfig, PiiEngine, scrub_frame
from lakehouse.pii import names as n
from tests.shared_data import GAP, require

pytestmark = pytest.mark.skipif(not n.model_available(), reason="NER model not installed")


@pytest.fixture(scope="module")
def config(pii_config: PiiConfig) -> PiiConfig:
    from dataclasses import replace

    return replace(pii_config, names="on")


def test_off_roster_names_are_replaced_in_answers_and_feedback(
    config: PiiConfig, pii_engine: PiiEngine
) -> None:
    f = pl.DataFrame(
        {
            "question_text": ["Write a letter to your neighbour."],
            "answer_text": [
                "Dear Julieta S Almeida, my uncle Ramesh Iyer says hello. Julieta, come!"
            ],
            "feedback": ["Nice letter to Mrs Almeida."],
        }
    )
    out = scrub_frame(f, config=config, engine=pii_engine, author_column=None)
    text = " ".join(str(v) for v in out.frame.row(0))
    for leaked in ("Julieta", "Almeida", "Ramesh", "Iyer"):
        assert leaked not in text
    assert out.counts["PERSON"] >= 3


def test_names_the_question_or_reference_mention_are_kept_and_counted(
    config: PiiConfig, pii_engine: PiiEngine
) -> None:
    f = pl.DataFrame(
        {
            "question_text": ["What did Isaac Newton discover?", "Who led the Salt March?"],
            "reference_answer": [None, "Mahatma Gandhi led it in 1930."],
            "answer_text": [
                "Newton discovered gravity, my friend Kiran Rao told me.",
                "Gandhi led the march.",
            ],
        }
    )
    out = scrub_frame(f, config=config, engine=pii_engine, author_column=None)
    answers = out.frame.get_column("answer_text").to_list()
    assert "Newton" in answers[0] and "Kiran" not in answers[0]
    assert answers[1] == "Gandhi led the march."
    assert out.kept_names >= 1
    assert (
        out.frame.get_column("question_text").to_list() == f.get_column("question_text").to_list()
    )


def test_gap_names_are_mostly_removed() -> None:
    """Real Wikipedia snippets, names A and B labelled by GAP: measured residual 0.077 on all 2,000
    (`benchmarks/pii.py --real`; NER alone 0.169); here the first 300, which must stay below 0.1."""
    gap = pl.read_csv(require(GAP), separator="\t", quote_char=None).head(300)
    texts = gap.get_column("Text").to_list()
    found = n.find_names(texts)
    left = total = 0
    for row, text, spans in zip(gap.iter_rows(named=True), texts, found, strict=True):
        out = n.replace_spans(text, spans.spans, "<PERSON>")
        for key in ("A", "B"):
            total += 1
            left += row[key] in out
    assert left / total < 0.1


def test_course_vocabulary_is_not_taken_for_names() -> None:
    """SAF's real networking answers: the small model tags sentence-initial terms as people; a
    word the same texts also write in lower case is not a name."""
    texts = [
        "Bridge learns the ports. A bridge forwards frames.",
        "Sender waits for the ack; the sender retransmits after N=10 timeouts.",
        "Dijkstra's algorithm finds shortest paths, Julieta Almeida said.",
    ]
    found = n.find_names(texts)
    replaced = [n.replace_spans(t, f.spans, "<PERSON>") for t, f in zip(texts, found, strict=True)]
    assert replaced[0] == texts[0]
    assert replaced[1] == texts[1]
    assert "Julieta" not in replaced[2]


def test_a_model_whose_weights_differ_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "model"
    fake.write_bytes(b"not the pinned weights")
    monkeypatch.setattr(n, "_weights_path", lambda: fake)
    with pytest.raises(RuntimeError, match="sha256"):
        n.load_ner.__wrapped__()


def test_later_mentions_follow_the_first_whole_words_and_possessives_only() -> None:
    """`_mentions` finds a name part where a word starts and ends (a possessive allowed), the
    longest part first, as the regex alternation it replaced did; never inside another word."""
    text = "Telford's car; Telfordshire; O'Brien's hat, O'Brienx; Ann-Marie and Ann met Anna."
    found = [text[a:b] for a, b in n._mentions(text, {"Telford", "O'Brien", "Ann", "Ann-Marie"})]
    assert found == ["Telford", "O'Brien", "Ann-Marie", "Ann"]
    assert n._mentions(text, set()) == []


def test_ner_sees_a_few_words_around_first_mentions_the_gazetteer_leaves() -> None:
    """`_windows`: context around the first mention of a candidate word only, none around a word
    the gazetteer takes by itself, none at all in a text without candidates."""
    candidate = n._name_candidate(use_gazetteer=False)
    assert n._windows("the quick brown fox jumps over the lazy dog " * 3, candidate, set()) == []
    filler = "and then the committee went over all of the documents again and again, slowly. "
    text = f"Golonka arrived. {filler}{filler}Golonka left."
    spans = n._windows(text, candidate, set())
    assert len(spans) == 1 and spans[0][0] == 0 and spans[0][1] < len(text) // 2
    later = text.rindex("Golonka")
    assert n._windows(text, candidate, {0})[0][0] > len(text) // 2  # NER sees the next mention
    assert n._windows(text, candidate, {0, later}) == []
    whole = "Golonka met Telford."
    assert n._windows(whole, candidate, set()) == [(0, len(whole))]
