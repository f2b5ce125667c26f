"""The grade predictor's features: MiniLM embeddings plus script-independent lexical overlap.

Per answer, with `a`, `q`, `r` the embeddings of answer, question and reference answer:
`a`, `a*q`, `a*r` (what the answer says, and how it relates to the question and the reference),
then scalar features: cos(a, q), cos(a, r), whether there is a reference, character n-gram
overlap of the answer with the reference and the question (cosine, recall, precision), and
lengths. MiniLM's vocabulary is English: Kannada comes out as [UNK] and Devanagari or Tamil as
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

FEATURE_SET: Final = "minilm-qar-lex-v1"
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
)


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
    scalars = np.column_stack(
        [
            np.einsum("ij,ij->i", emb_a, emb_q),
            np.einsum("ij,ij->i", emb_a, emb_r),
            has_ref,
            lexical,
            log_a,
            log_r,
            np.where(has_ref > 0, log_a - log_r, 0.0),
            (chars_a == 0).astype(np.float32),
        ]
    ).astype(np.float32)
    return np.hstack([emb_a, emb_a * emb_q, emb_a * emb_r, scalars]).astype(np.float32)


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
