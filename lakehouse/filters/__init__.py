"""Yi's filter chain over scrubbed answers (shared/DESIGN.md, "The filter chain").

Build the default chain for an institution with `build_default_chain(model_dir=..., index_dir=...)`,
run it with `chain.run(frame)`, then record the night in the dedup index with
`DedupIndex(index_dir).record(entries=index_entries(result.documents))` once the outputs are written.
"""

from lakehouse.filters.chain import Chain, ChainResult
from lakehouse.filters.dedup import copy_clusters, index_entries
from lakehouse.filters.dedup_index import DedupIndex
from lakehouse.filters.defaults import ChainConfig, build_default_chain, train_models
from lakehouse.filters.step import Step

__all__ = [
    "Chain",
    "ChainConfig",
    "ChainResult",
    "DedupIndex",
    "Step",
    "build_default_chain",
    "copy_clusters",
    "index_entries",
    "train_models",
]
