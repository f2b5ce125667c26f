"""Paragraph, MinHash and exact dedup against the persistent index, first seen wins.

"First" is a fixed order, not the order in which partitions happen to be processed: entries of
an earlier (night, institution) precede a later one's, and within a partition the row order. So
re-running any night gives the same answer, and a night never matches its own earlier run (the
index entries of the partitions being processed are excluded, then replaced by `record`).

Homework scoping: many students answer one question alike. Every step marks near-identical
answers as duplicates for pretraining; MinHash also writes `minhash_dedup_cluster` (the first
seen member's `institution_id/submission_id`) and `minhash_dedup_scope` (`same_question` when the
first seen copy answers the same question, else `cross_question`), so preference data can keep one
answer per cluster and still keep the distinct answers to a question. `copy_clusters` lists
clusters spanning different students of one assignment, for teachers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from rensa import RMinHash

from lakehouse.filters.dedup_index import ENTRY_SCHEMA, DedupIndex, partitions_of, ranked_before
from lakehouse.filters.hashing import mix, segment_hashes, shingle_hashes, stable_word_hashes
from lakehouse.filters.step import TEXT_COLUMN, pass_column, require_columns
from lakehouse.filters.text_units import paragraphs, words

INFO_COLUMNS = (
    "submission_id",
    "student_pseudonym",
    "assignment_id",
    "question_id",
    "institution_id",
)


def _pointer(institution: str, submission: str) -> pl.Expr:
    """`<institution>/<submission>`: submission ids repeat across institutions."""
    return pl.concat_str([pl.col(institution), pl.col(submission)], separator="/")


def _flat_words(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Stable hash of every word, and the index of the text it belongs to."""
    flat = (
        pl.DataFrame({"t": texts})
        .select(w=words(pl.col("t").fill_null("")))
        .with_row_index("doc")
        .explode("w", keep_nulls=False, empty_as_null=False)
    )
    return stable_word_hashes(flat["w"]), flat["doc"].to_numpy().astype(np.int64)


def exact_hashes(texts: pl.Series) -> pl.Series:
    """Hash of the normalised text (lower-cased words, punctuation and spacing ignored);
    null for a text without words."""
    hashes, doc = _flat_words(texts)
    out = segment_hashes(hashes, doc, texts.len())
    empty = np.bincount(doc, minlength=texts.len()) == 0
    hashes_series = pl.Series("exact_hash", out, dtype=pl.UInt64)
    return pl.select(pl.when(~pl.Series(empty)).then(hashes_series)).to_series().alias("exact_hash")


def paragraph_hashes(texts: pl.Series, *, min_words: int) -> pl.DataFrame:
    """(doc, hash, chars) per paragraph with at least `min_words` words."""
    paras = (
        pl.DataFrame({"t": texts})
        .select(p=paragraphs(pl.col("t").fill_null("")))
        .with_row_index("doc")
        .explode("p", keep_nulls=False, empty_as_null=False)
        .with_row_index("para")
    )
    hashes, para = _flat_words(paras["p"])
    n_words = np.bincount(para, minlength=paras.height)
    out = paras.with_columns(
        hash=pl.Series(segment_hashes(hashes, para, paras.height), dtype=pl.UInt64),
        chars=pl.col("p").str.len_chars(),
        n_words=pl.Series(n_words),
    )
    return out.filter(pl.col("n_words") >= min_words).select("doc", "hash", "chars")


def band_keys(texts: pl.Series, *, ngram: int, bands: int, rows: int, seed: int) -> pl.Series:
    """MinHash LSH band keys per text (rensa signatures of word n-gram shingles), null for a
    text without words."""
    hashes, doc = _flat_words(texts)
    flat, offsets = shingle_hashes(hashes, doc, texts.len(), ngram)
    matrix = RMinHash.digest_matrix_from_flat_token_hashes(flat, offsets, bands * rows, seed)
    sig = np.array(matrix.to_rows(), dtype=np.uint64).reshape(texts.len(), bands, rows)
    key = np.zeros((texts.len(), bands), dtype=np.uint64)
    for r in range(rows):
        key = mix(key * np.uint64(0x100000001B3) + sig[:, :, r])
    key = mix(key + np.arange(bands, dtype=np.uint64))  # a band's key never meets another band's
    empty = np.diff(offsets.astype(np.int64)) == 0
    keys = pl.Series("band_keys", key).cast(pl.List(pl.UInt64))
    return pl.select(pl.when(~pl.Series(empty)).then(keys)).to_series().alias("band_keys")


def _union(frame: pl.DataFrame, history: pl.DataFrame, key: str) -> pl.DataFrame:
    """History + tonight rows with a global precedence `rank` (night, institution, row)."""
    tonight = frame.select(
        *INFO_COLUMNS, "night", pl.col(key), _seq=pl.int_range(pl.len()), _tonight=pl.lit(True)
    )
    past = history.select(
        *INFO_COLUMNS, "night", pl.col(key), _seq=pl.lit(-1, pl.Int64), _tonight=pl.lit(False)
    )
    union = pl.concat([past, tonight.with_columns(pl.col("_seq").cast(pl.Int64))])
    return union.sort("night", "institution_id", "_seq").with_row_index("rank")


def _history(
    index: DedupIndex | None, frame: pl.DataFrame, key: str, keys: pl.Series
) -> pl.DataFrame:
    """History entries sharing a key with tonight (read lazily: only compact key columns)."""
    if index is None:
        return pl.DataFrame(schema=ENTRY_SCHEMA)
    lazy = index.entries(exclude=partitions_of(frame)).filter(ranked_before(frame))
    wanted = pl.DataFrame({key: keys}).unique().lazy()
    if ENTRY_SCHEMA[key] == pl.List(pl.UInt64()):
        hits = (
            lazy.explode(key)
            .join(wanted, on=key, how="semi")
            .select("submission_id", "institution_id")
            .unique()
        )
        return lazy.join(hits, on=["submission_id", "institution_id"], how="semi").collect()
    return lazy.join(wanted, on=key, how="semi").collect()


def _first_seen(union: pl.DataFrame, key: str) -> pl.DataFrame:
    """For each tonight row: rank of the earliest row sharing any of its keys (own rank if none)."""
    exploded = (
        union.select("rank", key).explode(key, keep_nulls=False, empty_as_null=False)
        if (isinstance(union.schema[key], pl.List))
        else union.select("rank", key).drop_nulls(key)
    )
    first = exploded.with_columns(_first=pl.col("rank").min().over(key))
    return first.group_by("rank").agg(pl.col("_first").min())


@dataclass(frozen=True)
class ExactDedupStep:
    """Columns `exact_dedup_hash`, `exact_dedup_duplicate_of` (`<institution>/<submission>` of
    the first copy),
    `exact_dedup_pass`."""

    index: DedupIndex | None = None
    name: str = "exact_dedup"

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        require_columns(frame, step=self.name, columns=(*INFO_COLUMNS, "night", TEXT_COLUMN))
        frame = frame.with_columns(exact_hash=exact_hashes(frame[TEXT_COLUMN]))
        history = _history(self.index, frame, "exact_hash", frame["exact_hash"].drop_nulls())
        dup_of = _duplicate_of(_union(frame, history, "exact_hash"), "exact_hash")
        return (
            frame.rename({"exact_hash": f"{self.name}_hash"})
            .with_columns(
                **{f"{self.name}_duplicate_of": dup_of["dup_pointer"]},
            )
            .with_columns(
                pl.col(f"{self.name}_duplicate_of").is_null().alias(pass_column(self.name))
            )
        )


def _duplicate_of(union: pl.DataFrame, key: str) -> pl.DataFrame:
    """Per tonight row (in frame order): the first seen row it duplicates, if any."""
    first = _first_seen(union, key)
    ranked = union.join(first, on="rank", how="left").with_columns(
        _first=pl.col("_first").fill_null(pl.col("rank"))
    )
    lookup = union.select(
        pl.col("rank").alias("_first"),
        dup_pointer=_pointer("institution_id", "submission_id"),
        dup_submission="submission_id",
        dup_institution="institution_id",
        dup_question="question_id",
        dup_assignment="assignment_id",
        dup_student="student_pseudonym",
        dup_tonight="_tonight",
    )
    out = (
        ranked.filter("_tonight")
        .sort("_seq")
        .join(lookup, on="_first", how="left", maintain_order="left")
    )
    is_dup = pl.col("_first") < pl.col("rank")
    return out.with_columns(
        [pl.when(is_dup).then(pl.col(c)).alias(c) for c in lookup.columns if c.startswith("dup_")]
    )


@dataclass(frozen=True)
class ParagraphDedupParams:
    min_words: int = 5
    """Shorter paragraphs ("Answer:", "Ans 2.") are not deduplicated."""
    max_dup_char_fraction: float = 0.5


@dataclass(frozen=True)
class ParagraphDedupStep:
    """Columns `paragraph_dedup_hashes`, `paragraph_dedup_char_fraction` (share of characters in
    paragraphs seen earlier), `paragraph_dedup_pass`."""

    index: DedupIndex | None = None
    params: ParagraphDedupParams = ParagraphDedupParams()
    name: str = "paragraph_dedup"

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        require_columns(frame, step=self.name, columns=(*INFO_COLUMNS, "night", TEXT_COLUMN))
        paras = paragraph_hashes(frame[TEXT_COLUMN], min_words=self.params.min_words)
        per_doc = paras.group_by("doc").agg(pl.col("hash").alias("paragraph_hashes"))
        frame = frame.with_row_index("_doc").join(
            per_doc, left_on="_doc", right_on="doc", how="left", maintain_order="left"
        )
        history = _history(self.index, frame, "paragraph_hashes", paras["hash"])
        union = _union(frame, history, "paragraph_hashes")
        # a paragraph is a repeat when an earlier row (not the same document) holds its hash
        flat = (
            union.select("rank", "_tonight", "_seq", h="paragraph_hashes")
            .explode("h", keep_nulls=False, empty_as_null=False)
            .with_columns(_first=pl.col("rank").min().over("h"))
        )
        repeated = (
            flat.filter(pl.col("_tonight") & (pl.col("_first") < pl.col("rank")))
            .select(doc=pl.col("_seq").cast(pl.UInt32), hash="h")
            .unique()
        )
        dup_chars = (
            paras.join(repeated, on=["doc", "hash"], how="semi")
            .group_by("doc")
            .agg(pl.col("chars").sum())
        )
        total = paras.group_by("doc").agg(pl.col("chars").sum().alias("_total"))
        n = self.name
        return (
            frame.join(dup_chars, left_on="_doc", right_on="doc", how="left", maintain_order="left")
            .join(total, left_on="_doc", right_on="doc", how="left", maintain_order="left")
            .with_columns(
                **{
                    f"{n}_char_fraction": (
                        pl.col("chars").fill_null(0) / pl.col("_total")
                    ).fill_null(0.0),
                }
            )
            .with_columns(
                (pl.col(f"{n}_char_fraction") < self.params.max_dup_char_fraction).alias(
                    pass_column(n)
                )
            )
            .rename({"paragraph_hashes": f"{n}_hashes"})
            .drop("_doc", "chars", "_total")
        )


@dataclass(frozen=True)
class MinHashParams:
    ngram: int = 5
    bands: int = 14
    rows: int = 8
    seed: int = 1
    """FineWeb's defaults: word 5-gram shingles, 14 bands x 8 rows (112 permutations): pairs at
    Jaccard 0.75 are caught ~77% of the time, at 0.85 ~98%."""


@dataclass(frozen=True)
class MinHashDedupStep:
    """Columns `minhash_dedup_band_keys`, `minhash_dedup_duplicate_of`, `minhash_dedup_cluster`,
    `minhash_dedup_scope` (null, `same_question` or `cross_question`), `minhash_dedup_judged`,
    `minhash_dedup_pass`."""

    index: DedupIndex | None = None
    params: MinHashParams = MinHashParams()
    name: str = "minhash_dedup"

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        require_columns(frame, step=self.name, columns=(*INFO_COLUMNS, "night", TEXT_COLUMN))
        p = self.params
        frame = frame.with_columns(
            band_keys=band_keys(
                frame[TEXT_COLUMN], ngram=p.ngram, bands=p.bands, rows=p.rows, seed=p.seed
            )
        )
        history = _history(
            self.index,
            frame,
            "band_keys",
            frame["band_keys"].explode(keep_nulls=False, empty_as_null=False),
        )
        union = _union(frame, history.drop("cluster_id"), "band_keys")
        first = _first_seen(union, "band_keys")
        parent = np.arange(union.height)
        parent[first["rank"].to_numpy()] = first["_first"].to_numpy()
        root = parent.copy()
        while True:  # pointer jumping: each round halves the chains' length
            nxt = root[root]
            if np.array_equal(nxt, root):
                break
            root = nxt
        own_cluster = _pointer("institution_id", "submission_id")
        stored = history.select("institution_id", "submission_id", "cluster_id")
        labelled = union.join(
            stored, on=["institution_id", "submission_id"], how="left", maintain_order="left"
        ).with_columns(cluster_id=pl.col("cluster_id").fill_null(own_cluster))
        labels = labelled["cluster_id"].to_numpy()
        union = union.with_columns(_cluster=pl.Series(labels[root], dtype=pl.String))
        dup = _duplicate_of(union, "band_keys")
        tonight_clusters = union.filter("_tonight").sort("_seq")["_cluster"]
        n = self.name
        scope = (
            pl.when(pl.col("_dup_submission").is_null())
            .then(None)
            .when(
                (pl.col("_dup_question") == pl.col("question_id"))
                & (pl.col("_dup_institution") == pl.col("institution_id"))
            )
            .then(pl.lit("same_question"))
            .otherwise(pl.lit("cross_question"))
        )
        return (
            frame.with_columns(
                _dup_pointer=dup["dup_pointer"],
                _dup_submission=dup["dup_submission"],
                _dup_institution=dup["dup_institution"],
                _dup_question=dup["dup_question"],
            )
            .with_columns(
                **{
                    f"{n}_duplicate_of": pl.col("_dup_pointer"),
                    f"{n}_cluster": pl.lit(tonight_clusters),
                    f"{n}_scope": scope,
                    f"{n}_judged": pl.col("band_keys").is_not_null(),
                }
            )
            .with_columns(pl.col(f"{n}_duplicate_of").is_null().alias(pass_column(n)))
            .rename({"band_keys": f"{n}_band_keys"})
            .drop("_dup_pointer", "_dup_submission", "_dup_institution", "_dup_question")
        )


# moved to their own modules (issue 18: dedup.py under 400 lines); imported here for callers
from lakehouse.filters.copies import copy_clusters  # noqa: E402
from lakehouse.filters.dedup_index import index_entries  # noqa: E402

__all__ = [
    "ExactDedupStep",
    "MinHashDedupStep",
    "MinHashParams",
    "ParagraphDedupParams",
    "ParagraphDedupStep",
    "band_keys",
    "copy_clusters",
    "exact_hashes",
    "index_entries",
    "paragraph_hashes",
]
