"""The non-answer step: empty, placeholder and refusal answers in every language the chain keeps,
restated questions, per-institution lists, and precision/recall on SAF's real answers."""

from __future__ import annotations

import polars as pl
import pytest

from lakehouse.filters import build_default_chain
from lakehouse.filters.defaults import chain_config_for
from lakehouse.filters.non_answer import (
    NonAnswerParams,
    NonAnswerStep,
    is_empty_answer_note,
    non_answer_kind,
)
from lakehouse.institution_config import InstitutionConfig
from tests.shared_data import SAF, require

QUESTION = "Explain the difference between TCP and UDP."


def _kinds(texts: list[str | None], params: NonAnswerParams | None = None) -> list[str | None]:
    frame = pl.DataFrame(
        {"answer_text": texts, "question_text": [QUESTION] * len(texts)},
        schema={"answer_text": pl.String, "question_text": pl.String},
    )
    return (
        NonAnswerStep(params=params or NonAnswerParams()).apply(frame)["non_answer_kind"].to_list()
    )


NON_ANSWERS = {
    "en": [
        "No response.",
        "No submission.",
        "N/A",
        "n.a.",
        "not attempted",
        "Not answered!",
        "I don't know, sir.",
        "idk",
        "No idea",
        "Please give marks",
    ],
    "hi": ["पता नहीं", "मुझे नहीं पता।", "उत्तर नहीं", "मुझे नहीं पता\nमुझे नहीं पता"],
    "hi-Latn": ["pata nahi", "Mujhe nahi pata sir"],
    "kn": ["ಗೊತ್ತಿಲ್ಲ", "ನನಗೆ ಗೊತ್ತಿಲ್ಲ", "gottilla", "Gothilla sir"],
    "ta": ["தெரியாது", "எனக்கு தெரியாது", "பதில் இல்லை", "theriyadhu"],
    "te": ["తెలియదు", "నాకు తెలియదు.", "teliyadu"],
    "bn": ["জানি না", "আমি জানি না।", "উত্তর নেই"],
    "mr": ["मला माहित नाही", "माहीत नाही"],
    "gu": ["મને ખબર નથી", "ખબર નથી"],
    "ml": ["അറിയില്ല", "എനിക്ക് അറിയില്ല"],
    "pa": ["ਪਤਾ ਨਹੀਂ", "ਮੈਨੂੰ ਨਹੀਂ ਪਤਾ"],
    "ur": ["پتہ نہیں", "مجھے نہیں پتہ"],
}
REAL_ANSWERS = {
    "en": [
        "TCP",
        "TCP is reliable and ordered; UDP is not.",
        "No, because UDP has no handshake.",
        "Yes",
        "19.6",
    ],
    "hi": ["TCP एक भरोसेमंद प्रोटोकॉल है।", "नहीं, UDP में हैंडशेक नहीं होता।"],
    "hi-Latn": ["TCP reliable hai aur UDP nahi hai"],
    "kn": ["TCP ವಿಶ್ವಾಸಾರ್ಹ ಪ್ರೋಟೋಕಾಲ್ ಆಗಿದೆ."],
    "ta": ["TCP நம்பகமான நெறிமுறை ஆகும்."],
    "te": ["TCP నమ్మదగిన ప్రోటోకాల్."],
    "bn": ["TCP একটি নির্ভরযোগ্য প্রোটোকল।"],
    "ur": ["TCP ایک قابل اعتماد پروٹوکول ہے۔"],
}


@pytest.mark.parametrize("language", sorted(NON_ANSWERS))
def test_non_answers_in_every_language(language: str) -> None:
    kinds = _kinds(NON_ANSWERS[language])
    assert all(k in {"placeholder", "refusal"} for k in kinds), list(
        zip(NON_ANSWERS[language], kinds, strict=True)
    )


@pytest.mark.parametrize("language", sorted(REAL_ANSWERS))
def test_real_answers_pass(language: str) -> None:
    assert _kinds(REAL_ANSWERS[language]) == [None] * len(REAL_ANSWERS[language])


def test_kinds_empty_placeholder_refusal_restated() -> None:
    texts = [
        None,
        "",
        "  - ",
        "...",
        "No response.",
        "I don't know",
        QUESTION.upper(),
        "difference between TCP and UDP",
        "UDP, TCP",
    ]
    assert _kinds(texts) == [
        "empty",
        "empty",
        "empty",
        "empty",
        "placeholder",
        "refusal",
        "restated_question",
        "restated_question",
        None,  # two words of the question: too short to call a restatement
    ]
    assert _kinds(["difference between TCP and UDP"], NonAnswerParams(restated_min_words=None)) == [
        None
    ]


def test_institution_lists_add_and_allow_phrases() -> None:
    texts = ["Na", "Not submitted by student", "NaN"]
    assert _kinds(texts) == ["placeholder", None, "placeholder"]
    chemistry = NonAnswerParams.for_institution(
        extra_phrases=["Not submitted by student"], allowed_phrases=["Na", "NaN"]
    )
    assert _kinds(texts, chemistry) == [None, "placeholder", None]
    settings = InstitutionConfig(
        non_answer_phrases=("Not submitted by student",), non_answer_allowed_phrases=("na",)
    )
    assert chain_config_for(settings).non_answer == NonAnswerParams.for_institution(
        extra_phrases=["Not submitted by student"], allowed_phrases=["na"]
    )


def test_feedback_that_only_says_empty() -> None:
    feedback = pl.Series(
        [
            "The response is empty.",
            "The response is an empty submission.",
            "-",
            None,
            "The response is correct but does not mention flow control.",
            "उत्तर खाली है।",
        ]
    )
    flags = feedback.to_frame("f").select(is_empty_answer_note(pl.col("f"))).to_series()
    assert flags.to_list() == [True, True, True, True, False, True]


def test_chain_drops_non_answers_first_with_a_funnel_row(make_frame) -> None:
    frame = make_frame(
        [
            "No response.",
            "पता नहीं",
            "",
            *[f"TCP retransmits lost segment number {i} after a timeout." for i in range(3)],
        ]
    )
    result = build_default_chain(model_dir=None, index_dir=None).run(frame)
    assert result.documents["drop_reason"].to_list()[:3] == ["non_answer"] * 3
    assert result.documents["non_answer_pass"].to_list() == [False] * 3 + [True] * 3
    first = result.funnel.row(0, named=True)
    assert (first["step"], first["docs_in"], first["dropped"], first["docs_out"]) == (
        "non_answer",
        6,
        3,
        3,
    )


@pytest.fixture(scope="module")
def saf() -> pl.DataFrame:
    return pl.read_ndjson(require(SAF))


# Hand-labelled: every distinct text among SAF's 200 shortest answers, read one by one; these
# are the non-answers (the other short ones, e.g. "Duplex operation" or "The diameter is
# divided by 10", are real, graded attempts).
SAF_NON_ANSWERS = frozenset(
    [
        "",
        "No response.",
        "No response",
        "no response",
        "No submission.",
        "No Submission.",
        "Empty submission.",
        "Empty response.",
    ]
)


def test_precision_and_recall_on_saf(saf: pl.DataFrame) -> None:
    shortest = saf.with_row_index().sort(pl.col("answer").str.len_chars(), "index").head(200)
    rest = saf.with_row_index().join(shortest.select("index"), on="index", how="anti")
    sample = pl.concat([shortest, rest.sample(n=200, seed=21)])
    flagged = sample.select(
        non_answer_kind(pl.col("answer"), question=pl.col("question")).is_not_null()
    ).to_series()
    truth = sample["answer"].is_in(list(SAF_NON_ANSWERS))
    true_pos = int((flagged & truth).sum())
    precision = true_pos / max(int(flagged.sum()), 1)
    recall = true_pos / max(int(truth.sum()), 1)
    assert int(truth.sum()) == 168
    assert precision == 1.0 and recall == 1.0, (precision, recall)
    # the whole file: exactly the hand-labelled texts, nothing else
    everywhere = saf.filter(
        non_answer_kind(pl.col("answer"), question=pl.col("question")).is_not_null()
    )
    assert set(everywhere["answer"]) == SAF_NON_ANSWERS and everywhere.height == 168


def test_generator_junk_answers() -> None:
    """The sample generator's planted non-answers are caught; its short real answers are not."""
    from lakehouse.generate.phrases import REPEATED_LINES, SHORT_ANSWERS

    repeated = ["\n".join([line] * 3) for line in REPEATED_LINES]
    kinds = dict(
        zip(repeated + list(SHORT_ANSWERS), _kinds(repeated + list(SHORT_ANSWERS)), strict=True)
    )
    for text in ("I don't know", "please give marks sir", "मुझे नहीं पता", "ಗೊತ್ತಿಲ್ಲ"):
        assert kinds["\n".join([text] * 3)] == "refusal", text
    # only words of the question ("Explain the difference between TCP and UDP."), repeated
    assert kinds["TCP TCP TCP\nTCP TCP TCP\nTCP TCP TCP"] == "restated_question"
    assert kinds["answer answer answer\nanswer answer answer\nanswer answer answer"] is None
    for text in ("idk", "no idea", "पता नहीं"):
        assert kinds[text] == "refusal", text
    assert kinds["NA"] == "placeholder" and kinds["-"] == "empty" and kinds["?"] == "empty"
    for text in ("yes", "19.6", "TCP", "ok"):
        assert kinds[text] is None, text
