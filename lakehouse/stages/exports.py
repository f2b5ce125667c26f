"""The exports stage: one release of every training dataset over every partition that passed all
its gates (`lakehouse.exports` builds it; this stage decides the scope and reports).

Unlike the per-partition stages its entry point covers the whole home:
`exports_release(home=, config=, gate=)`. `gate(dataset, frame)` is the caller's quality gate,
asked before anything of a dataset is written (the asset injects the Great Expectations exports
gate). The outcome carries the metadata of each dataset's asset and of the contributions table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lakehouse.exports import (
    CONTRIBUTIONS_TABLE,
    DATASETS,
    Dataset,
    ExportConfig,
    ReleaseResult,
    build_release,
    summary_table,
)
from lakehouse.exports.release import ReleaseGate
from lakehouse.exports.scope import ReleaseScope, release_scope
from lakehouse.home import LakehouseHome
from lakehouse.markdown import Markdown, markdown_table

EXPORT_ASSETS: Final[dict[Dataset, str]] = {d: f"{d}_export" for d in DATASETS}
CONTRIBUTIONS_ASSET: Final = CONTRIBUTIONS_TABLE
NOTHING_PASSED: Final = "no partition has passed every gate yet"


@dataclass(frozen=True)
class ExportsOutcome:
    """The scope of the release and the release itself (None: no partition passed its gates)."""

    home: LakehouseHome
    scope: ReleaseScope
    release: ReleaseResult | None

    def dataset_metadata(self) -> dict[Dataset, dict[str, object]]:
        """Per published dataset, what its asset records."""
        release = self.release
        if release is None:
            return {}
        return {
            dataset: {
                "release_id": item.release_id,
                "dagster/row_count": item.rows,
                "tokens": item.tokens,
                "shards": item.shards,
                "contributors": item.contributors,
                "partitions": len(release.refs),
                "partitions_left_out": len(self.scope.excluded),
                "erased_students_excluded": release.erased_students,
                "reward_model_versions": release.rm_versions,
                "funnel": Markdown(markdown_table(item.funnel)),
                "card": item.card,
                "path": item.path,
            }
            for dataset, item in release.datasets.items()
        }

    def contributions_metadata(self) -> dict[str, object]:
        """What the contributions asset records."""
        if self.release is None:
            return {"release_id": "none", "partitions": 0}
        return {
            "release_id": self.release.release_id,
            "partitions": len(self.release.refs),
            "contributors_by_dataset": {
                d: item.contributors for d, item in self.release.datasets.items()
            },
            "path": self.home.table_dir("gold", CONTRIBUTIONS_TABLE),
        }

    def summary(self) -> str:
        """The release id and its per-dataset summary as a Markdown table (for the run log)."""
        if self.release is None:
            return NOTHING_PASSED
        table = markdown_table(summary_table(self.release))
        return f"export release {self.release.release_id}\n{table}"


def exports_release(
    *, home: LakehouseHome, config: ExportConfig, gate: ReleaseGate | None = None
) -> ExportsOutcome:
    """Build and publish the release over every partition that passed all its gates (nothing when
    none has); each dataset is published only if `gate` accepts it."""
    scope = release_scope(home)
    if not scope.included:
        return ExportsOutcome(home, scope, None)
    return ExportsOutcome(home, scope, build_release(home, scope.included, config, gate=gate))
