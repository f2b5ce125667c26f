"""The grade predictor's features: MiniLM embeddings plus script-independent lexical overlap.

Per answer, with `a`, `q`, `r` the embeddings of answer, question and reference answer:
`a`, `a*q`, `a*r` (what the answer says, and how it relates to the question and the reference),
then scalar features: cos(a, q), cos(a, r), whether there is a reference, character n-gram
overlap of the answer with the reference and the question (cosine, recall, precision), lengths,
and features that relate the answer to its question and reference in ways that do not depend on
which question it is: coverage of the reference's key terms (its words that the question does
not already say), the share of the answer's words found in the reference and of those found in
neither, how much closer the answer is to the reference than the question itself is. A head fitted
on the scalar features alone (`SCALAR_FEATURES`) carries over to questions never graded before;
the embedding products learn what good answers to known questions look like. MiniLM's vocabulary is English: Kannada comes out as [UNK] and Devanagari or Tamil as
single characters, so for half of our courses the lexical overlap is what carries the signal.
Everything is computed on whole columns (matrix products, sparse element-wise operations).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from lakehouse.reward.encoder import TextEncoder

FEATURE_SET: Final = "minilm-qar-lex-v2"
"""Names the feature layout below; a saved head is only valid for the layout it was fitted on."""

TEXT_COLUMNS: Final[tuple[str, ...]] = ("question_text", "answer_text", "reference_answer")

SCALAR_FEATURES: Final[tuple[str, ...]] = (
    "cos_answer_question",
    "cos_answer_reference",
    "has_reference",
    "lex_cos_answer_reference",
    "lex_recall_reference",
    "lex_precision_reference",
    "lex_cos_answer_question",
    "lex_recall_question",
    "log_chars_answer",
    "log_chars_reference",
    "log_length_ratio",
    "answer_empty",
    "key_term_recall",
    "word_precision_reference",
    "word_novel_share",
    "log_words_answer",
    "cos_question_reference",
    "cos_gain_over_question",
    "cos_reference_minus_question",
)

_STOPWORDS: Final = tuple(
    "the a an of to in is are and or for on by with as be that this it from at its which can not "  # noqa: SIM905
    "no if than then there their they them these those was were has have had will would should "
    "could may might do does did i we you he she".split()
)
"""English function words left out of the word-level features (other scripts have none here)."""


def require_text_columns(frame: pl.DataFrame) -> None:
    missing = [c for c in TEXT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"the grade predictor needs columns {missing} that the frame lacks (has "
            f"{frame.columns}); score `scrubbed_submissions` rows"
        )


def text_column(frame: pl.DataFrame, name: str) -> list[str]:
    """A text column as Python strings, null as the empty string."""
    return frame.get_column(name).cast(pl.String).fill_null("").to_list()


def feature_width(dim: int) -> int:
    return 3 * dim + len(SCALAR_FEATURES)


def build_features(frame: pl.DataFrame, *, encoder: TextEncoder, lexical_bits: int) -> np.ndarray:
    """(rows, 3*dim + len(SCALAR_FEATURES)) float32 feature matrix of `frame`."""
    require_text_columns(frame)
    question = text_column(frame, "question_text")
    answer = text_column(frame, "answer_text")
    reference = text_column(frame, "reference_answer")
    emb_q = encoder.encode(question)
    emb_a = encoder.encode(answer)
    emb_r = encoder.encode(reference)
    lexical = _lexical_features(
        answer=answer, question=question, reference=reference, bits=lexical_bits
    )
    chars_a = frame.get_column("answer_text").fill_null("").str.len_chars().to_numpy()
    chars_r = frame.get_column("reference_answer").fill_null("").str.len_chars().to_numpy()
    has_ref = (chars_r > 0).astype(np.float32)
    log_a = np.log1p(chars_a.astype(np.float64))
    log_r = np.log1p(chars_r.astype(np.float64))
    cos_aq = np.einsum("ij,ij->i", emb_a, emb_q)
    cos_ar = np.einsum("ij,ij->i", emb_a, emb_r)
    cos_qr = np.einsum("ij,ij->i", emb_q, emb_r)
    scalars = np.column_stack(
        [
            cos_aq,
            cos_ar,
            has_ref,
            lexical,
            log_a,
            log_r,
            np.where(has_ref > 0, log_a - log_r, 0.0),
            (chars_a == 0).astype(np.float32),
            _word_features(frame),
            cos_qr,
            cos_ar - cos_qr,
            cos_ar - cos_aq,
        ]
    ).astype(np.float32)
    return np.hstack([emb_a, emb_a * emb_q, emb_a * emb_r, scalars]).astype(np.float32)


def _word_features(frame: pl.DataFrame) -> np.ndarray:
    """(rows, 4) word-level overlap, on whole columns: recall of the reference's key terms (its
    distinct words that the question lacks), share of the answer's words in the reference, share
    in neither question nor reference, log distinct words of the answer. Zero where undefined."""

    def words(column: str) -> pl.Expr:
        return (
            pl.col(column)
            .cast(pl.String)
            .fill_null("")
            .str.to_lowercase()
            .str.extract_all(r"\w\w+")
            .list.eval(pl.element().filter(~pl.element().is_in(_STOPWORDS)))
            .list.unique()
        )

    def share(num: pl.Expr, den: pl.Expr) -> pl.Expr:
        return pl.when(den > 0).then(num / den).otherwise(0.0)

    sets = frame.select(
        words("answer_text").alias("a"),
        words("question_text").alias("q"),
        words("reference_answer").alias("r"),
    ).with_columns(pl.col("r").list.set_difference("q").alias("key"))
    out = sets.select(
        share(pl.col("key").list.set_intersection("a").list.len(), pl.col("key").list.len()).alias(
            "key_term_recall"
        ),
        share(pl.col("a").list.set_intersection("r").list.len(), pl.col("a").list.len()).alias(
            "word_precision_reference"
        ),
        share(
            pl.col("a").list.set_difference(pl.col("q").list.concat("r")).list.len(),
            pl.col("a").list.len(),
        ).alias("word_novel_share"),
        pl.col("a").list.len().cast(pl.Float64).log1p().alias("log_words_answer"),
    )
    return out.to_numpy().astype(np.float64)


def _lexical_features(
    *, answer: list[str], question: list[str], reference: list[str], bits: int
) -> np.ndarray:
    """(rows, 5): character 2-4-gram cosine, recall and precision of the answer against the
    reference, cosine and recall against the question. Zero where a side is empty."""
    vectoriser = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 4),
        n_features=1 << bits,
        alternate_sign=False,
        norm=None,
        lowercase=True,
        dtype=np.float32,
    )
    a = _transform_distinct(vectoriser, answer)
    q = _transform_distinct(vectoriser, question)
    r = _transform_distinct(vectoriser, reference)
    cos_ar, recall_r, precision_r = _overlap(a, r)
    cos_aq, recall_q, _ = _overlap(a, q)
    return np.column_stack([cos_ar, recall_r, precision_r, cos_aq, recall_q])


def _transform_distinct(vectoriser: HashingVectorizer, texts: list[str]) -> sparse.csr_matrix:
    """Vectorise distinct texts once and expand to rows (questions repeat for every student)."""
    distinct, inverse = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
    matrix = vectoriser.transform(distinct.tolist()).tocsr()
    return matrix[inverse.reshape(-1)]


def _overlap(
    x: sparse.csr_matrix, y: sparse.csr_matrix
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise cosine, recall (share of y's n-grams in x) and precision (share of x's in y)."""
    dot = np.asarray(x.multiply(y).sum(axis=1)).ravel()
    shared = np.asarray(x.minimum(y).sum(axis=1)).ravel()
    x_mass = np.asarray(x.sum(axis=1)).ravel()
    y_mass = np.asarray(y.sum(axis=1)).ravel()
    x_norm = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    y_norm = np.sqrt(np.asarray(y.multiply(y).sum(axis=1)).ravel())
    cosine = _safe_divide(dot, x_norm * y_norm)
    return cosine, _safe_divide(shared, y_mass), _safe_divide(shared, x_mass)


def _safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros_like(num, dtype=np.float64), where=den > 0)
