"""Real institutions' data, end to end (issue 13): `../shared/data`'s real sets laid out as four
institutions over three nights (`lakehouse.generate.real`) beside a generated institution with
the contract's consent, erasure and malformed cases, run through `lakehouse run` as an operator
would.

No partition fails; none is blocked but the one night whose only file is torn (planted here);
every ledger reconciles; the exports publish; FLORES sentences reach `fct_documents` with their
detected language. (That a plain re-run, or a run killed and run again, changes nothing is
`tests/reliability/test_crash.py`'s, on several institutions and nights; an analyst reading the
warehouse through a run is `tests/orchestration/test_erasure.py`'s.)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from lakehouse.exports.scope import release_scope
from lakehouse.generate.real import flores_truth, lay_out_real_data
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import read_partition
from tests.reliability.lake_snapshot import generate, run
from tests.shared_data import FLORES, GAP, PRESIDIO_SMALL, SAF, SHARED_DATA, require

pytestmark = pytest.mark.slow

FLORES_PER_LANGUAGE = 30
TORN = PartitionRef("real_pii", date(2026, 1, 8))


def _lay_out(root: Path) -> LakehouseHome:
    for path in (SAF, FLORES, GAP, PRESIDIO_SMALL):
        require(path)
    # the generator's institution: consent cases (withdrawn, pending, minors), an erasure
    # request and every kind of malformed record, below the bronze gate's quarantine bound
    generate(root, "--institutions", "1", "--nights", "3", "--submissions", "150", "--seed", "11")
    home = LakehouseHome(root)
    lay_out_real_data(
        data_dir=SHARED_DATA,
        home=home,
        nights=3,
        saf_rows=300,
        gap_rows=90,
        flores_per_language=FLORES_PER_LANGUAGE,
    )
    torn = home.night_dir(TORN)
    torn.mkdir(parents=True)
    (torn / "export.jsonl").write_bytes(b'{"submission_id": "x", "answer_text": "\xff\xfe')
    return home


def _exports(home: LakehouseHome) -> dict[str, str]:
    return {
        latest.parent.name: latest.read_text().strip()
        for latest in sorted((home.root / "exports").glob("*/LATEST"))
    }


def test_real_institutions_run_clean(tmp_path: Path) -> None:
    home = _lay_out(tmp_path / "home")
    landed = home.landed_partitions()
    assert {r.institution_id for r in landed} == {
        "inst_000",
        "real_flores",
        "real_gap",
        "real_pii",
        "real_saf",
    }

    first = run(home.root)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]

    # blocked or failed partitions are left out of the release, with the reason
    scope = release_scope(home)
    assert set(scope.excluded) == {TORN}, scope.excluded
    verdicts = pl.read_parquet(
        home.table_dir("gold", "quality_results")
        / "gate=bronze"
        / f"institution={TORN.institution_id}"
        / f"night={TORN.night.isoformat()}",
        hive_partitioning=False,
    )
    assert verdicts.filter(~pl.col("success"))["expectation"].to_list() == [
        "quarantine_rate_below_bound"
    ]
    assert set(scope.included) == set(landed) - {TORN}
    for ref in scope.included:
        ledger = read_partition(home, "gold", "partition_ledger", ref).row(0, named=True)
        assert ledger["reconciles"] is True, (str(ref), ledger)
        assert ledger["scrubbed"] > 0 and ledger["kept"] > 0, (str(ref), ledger)

    exports = _exports(home)
    assert set(exports) == {"pretrain", "sft", "preference", "reward", "critique"}

    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        docs = con.execute(
            "select submission_id, language_detected from fct_documents "
            "where institution_id = 'real_flores'"
        ).pl()
        reconciles = con.execute(
            "select bool_and(reconciles) from mart_partition_ledger"
        ).fetchone()
    assert reconciles == (True,)
    truth = flores_truth(SHARED_DATA, per_language=FLORES_PER_LANGUAGE)
    joined = docs.join(truth, on="submission_id")
    # consent exclusions aside, every sentence reaches the warehouse
    assert joined.height >= 0.85 * truth.height
    accuracy = (joined["language_detected"] == joined["language"]).mean()
    assert accuracy is not None and accuracy >= 0.99, joined.filter(
        pl.col("language_detected") != pl.col("language")
    )
    assert set(joined["language"]) == set(truth["language"])  # all 11 languages
