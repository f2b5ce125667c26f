"""A partition's training window in the lake, and the embedding store written beside it.

`embed_partition` stores the MiniLM vectors of a partition's distinct texts in
`silver/text_embeddings` (`lakehouse.reward.embedding_store`), encoding only texts that neither
this partition's previous version nor the institution's earlier nights in the window hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import read_partition, write_partition
from lakehouse.reward.embedding_store import distinct_texts, read_store, store_frame, text_keys
from lakehouse.reward.encoder import TextEncoder
from lakehouse.tables import EMBEDDINGS_TABLE, SCRUBBED_TABLE


def window_files(
    home: LakehouseHome,
    ref: PartitionRef,
    *,
    table: str,
    nights: int,
    institutions: tuple[str, ...],
    tonight: bool = False,
) -> list[Path]:
    """The Parquet files of silver `table` for `institutions` in the `nights` calendar nights
    before `ref.night` (and of `ref.night` itself with `tonight`)."""
    first = ref.night - timedelta(days=nights)
    root = home.table_dir("silver", table)
    return sorted(
        f
        for institution in institutions
        for f in root.glob(f"institution={institution}/night=*/*.parquet")
        if first
        <= date.fromisoformat(f.parent.name.removeprefix("night="))
        <= (ref.night if tonight else ref.night - timedelta(days=1))
    )


def remember_window(
    encoder: TextEncoder,
    home: LakehouseHome,
    ref: PartitionRef,
    *,
    nights: int,
    institutions: tuple[str, ...],
    tonight: bool = False,
) -> None:
    files = window_files(
        home, ref, table=EMBEDDINGS_TABLE, nights=nights, institutions=institutions, tonight=tonight
    )
    encoder.remember(*read_store(files, encoder_fingerprint=encoder.fingerprint))


@dataclass(frozen=True)
class EmbeddedPartition:
    """What `embed_partition` stored: distinct texts, and how many of them the model encoded."""

    path: Path
    texts: int
    encoded: int


def embed_partition(
    *, home: LakehouseHome, ref: PartitionRef, encoder: TextEncoder, history_nights: int = 28
) -> EmbeddedPartition:
    """Store the vectors of the partition's distinct texts (`text_embeddings`), replacing its
    previous version atomically. Texts that this partition's previous version or the
    institution's nights of the window already hold are copied, the rest encoded; texts no longer
    in the partition (an erased student's answers) are not carried over."""
    remember_window(
        encoder,
        home,
        ref,
        nights=history_nights,
        institutions=(ref.institution_id,),
        tonight=True,
    )
    scrubbed = read_partition(home, "silver", SCRUBBED_TABLE, ref)
    texts = distinct_texts(scrubbed)
    before = encoder.texts_encoded
    vectors = encoder.encode(texts)
    rows = store_frame(
        keys=text_keys(texts), vectors=vectors, encoder_fingerprint=encoder.fingerprint
    )
    path = write_partition(home, "silver", EMBEDDINGS_TABLE, ref, rows)
    return EmbeddedPartition(path=path, texts=len(texts), encoded=encoder.texts_encoded - before)
