"""The lake's table names: the one place that spells them.

Every stage, asset, check, benchmark and export imports the name it reads or writes from here, so a
table is renamed in one line and a typo is an import error rather than an empty read.
"""

from __future__ import annotations

from typing import Final

# bronze
RAW_TABLE: Final = "raw_submissions"
QUARANTINE_TABLE: Final = "quarantine"
CONSENTED_TABLE: Final = "consented_submissions"
# silver
SCRUBBED_TABLE: Final = "scrubbed_submissions"
CURATED_TABLE: Final = "curated_documents"
FUNNEL_TABLE: Final = "filter_funnel"
CLUSTERS_TABLE: Final = "copy_clusters"
EMBEDDINGS_TABLE: Final = "text_embeddings"
# gold
REWARD_TABLE: Final = "reward_scores"
COUNTS_TABLE: Final = "partition_counts"
LEDGER_TABLE: Final = "partition_ledger"
QUALITY_RESULTS_TABLE: Final = "quality_results"
EXPORT_QUALITY_TABLE: Final = "export_quality"
