"""The real data sets (../shared/data) laid out as four institutions: every landed record reads
and validates, FLORES' true languages are kept as truth, an erasure request is written."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lakehouse.generate.real import flores_truth, lay_out_real_data
from lakehouse.home import LakehouseHome
from lakehouse.readers import batch_files
from lakehouse.validate import validate
from tests.lakehouse.readers.readers_support import read_all
from tests.shared_data import FLORES, GAP, PRESIDIO_SMALL, SAF, SHARED_DATA, require


def test_real_institutions_land_readable_valid_records(tmp_path: Path) -> None:
    for path in (SAF, FLORES, GAP, PRESIDIO_SMALL):
        require(path)
    home = LakehouseHome(tmp_path / "home")
    made = lay_out_real_data(
        data_dir=SHARED_DATA, home=home, nights=2, gap_rows=40, saf_rows=60, flores_per_language=5
    )
    assert [m.institution_id for m in made] == ["real_saf", "real_flores", "real_gap", "real_pii"]
    for inst in made:
        nights = [
            home.landing / str(r)
            for r in home.landed_partitions()
            if r.institution_id == inst.institution_id
        ]
        assert len(nights) == 2
        files = [f for night in nights for f in batch_files(night)]
        raw = pl.concat([read_all(f) for f in files], how="diagonal_relaxed")
        good, bad = validate(raw)
        assert bad.height == 0, (inst.institution_id, bad["reason"].unique().to_list())
        assert good.height == inst.rows
    saf = made[0]
    assert saf.graded and saf.erased_student is not None
    assert any(home.erasure_dir("real_saf").iterdir())
    truth = flores_truth(SHARED_DATA, per_language=5)
    assert truth.height == made[1].rows and truth["language"].n_unique() == 11
