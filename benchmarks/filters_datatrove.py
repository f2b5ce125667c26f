"""DataTrove's side of benchmarks/filters.py; runs in .venv-bench (datatrove is not a project
dependency). Reads documents from Parquet, writes decisions (Parquet) and timings (JSON).

Usage: .venv-bench/bin/python benchmarks/filters_datatrove.py DOCS.parquet OUT_DIR
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from datatrove.data import Document
from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature
from datatrove.pipeline.filters import (
    C4QualityFilter,
    FineWebQualityFilter,
    GopherQualityFilter,
    GopherRepetitionFilter,
)


def main(docs_path: Path, out_dir: Path) -> None:
    frame = pl.read_parquet(docs_path)
    texts = frame["text"].to_list()
    filters = {
        "gopher_repetition": GopherRepetitionFilter(),
        "gopher_quality": GopherQualityFilter(),
        "c4": C4QualityFilter(),
        "fineweb": FineWebQualityFilter(),
    }
    decisions: dict[str, list[bool]] = {}
    timings: dict[str, float] = {}
    for name, step in filters.items():
        step.filter(Document(text="warm up the tokenizer.", id="w"))
        start = time.perf_counter()
        keep = []
        for i, text in enumerate(texts):
            result = step.filter(Document(text=text, id=str(i)))
            keep.append(bool(result[0] if isinstance(result, tuple) else result))
        timings[name] = time.perf_counter() - start
        decisions[name] = keep
    # MinHash signature stage: shingles + signatures per document (its writing to disk left out)
    with tempfile.TemporaryDirectory() as tmp:
        signer = MinhashDedupSignature(output_folder=tmp, config=MinhashConfig())
        signer.get_signature(signer.get_shingles("warm up the tokenizer and hash parameters now"))
        start = time.perf_counter()
        signed = 0
        for text in texts:
            shingles = signer.get_shingles(text)
            if len(shingles):
                signer.get_signature(shingles)
                signed += 1
        timings["minhash_signature"] = time.perf_counter() - start
    out_dir.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({f"dt_{k}": np.array(v) for k, v in decisions.items()}).write_parquet(
        out_dir / "datatrove_decisions.parquet"
    )
    (out_dir / "datatrove_timings.json").write_text(
        json.dumps({"seconds": timings, "docs": len(texts), "minhash_signed": signed})
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
