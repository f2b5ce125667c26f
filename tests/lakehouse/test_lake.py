"""Atomic partition writes: a failed or crashed write never leaves half a partition visible."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest

from lakehouse import atomic
from lakehouse.home import LakehouseHome
from lakehouse.lake import (
    partition_transaction,
    read_partition,
    recover_partition,
    table_glob,
    write_partition,
)
from tests.conftest import REF

OLD = pl.DataFrame({"x": [1, 2, 3]})
NEW = pl.DataFrame({"x": [4, 5]})


def test_write_then_replace(home: LakehouseHome) -> None:
    write_partition(home, "silver", "t", REF, OLD)
    write_partition(home, "silver", "t", REF, NEW)
    assert read_partition(home, "silver", "t", REF).equals(NEW)
    assert pl.read_parquet(table_glob(home, "silver", "t")).equals(NEW)


def test_an_error_inside_the_transaction_keeps_the_old_partition(home: LakehouseHome) -> None:
    write_partition(home, "silver", "t", REF, OLD)
    with pytest.raises(RuntimeError), partition_transaction(home, REF, [("silver", "t")]) as staged:
        staged["t"].write(NEW, "part-00000.parquet")
        staged["t"].write(NEW, "part-00001.parquet")
        raise RuntimeError("disk full")
    assert read_partition(home, "silver", "t", REF).equals(OLD)
    assert not list((home.table_dir("silver", "t") / ".staging").iterdir())


def test_a_killed_writer_leaves_the_old_partition_and_a_rerun_cleans_up(
    home: LakehouseHome, tmp_path: Path
) -> None:
    write_partition(home, "silver", "t", REF, OLD)
    script = textwrap.dedent(
        f"""
        import os, signal, polars as pl
        from datetime import date
        from lakehouse.home import LakehouseHome, PartitionRef
        from lakehouse.lake import partition_transaction
        home = LakehouseHome({str(home.root)!r})
        with partition_transaction(home, PartitionRef("inst_test", date(2026, 1, 5)), [("silver", "t")]) as s:
            s["t"].write(pl.DataFrame({{"x": [4, 5]}}))
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], check=False, cwd=Path.cwd())
    assert proc.returncode == -9
    staging = home.table_dir("silver", "t") / ".staging"
    assert len(list(staging.iterdir())) == 1, "the killed writer's staging folder is left behind"
    assert pl.read_parquet(table_glob(home, "silver", "t")).equals(OLD)
    write_partition(home, "silver", "t", REF, NEW)
    assert read_partition(home, "silver", "t", REF).equals(NEW)
    assert not list(staging.iterdir())


def test_fallback_without_exchange_recovers_from_a_crash_between_renames(
    home: LakehouseHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_partition(home, "silver", "t", REF, OLD)
    monkeypatch.setattr(atomic, "exchange", lambda a, b: False)
    real_rename = os.rename
    calls = {"n": 0}

    def crash_on_second_rename(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("power cut")
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic.os, "rename", crash_on_second_rename)
    with pytest.raises(KeyboardInterrupt):
        write_partition(home, "silver", "t", REF, NEW)
    monkeypatch.setattr(atomic.os, "rename", real_rename)
    assert not home.partition_dir("silver", "t", REF).exists()
    recover_partition(home, "silver", "t", REF)
    assert read_partition(home, "silver", "t", REF).equals(OLD)


def test_reading_an_unwritten_partition_names_the_asset(home: LakehouseHome) -> None:
    with pytest.raises(FileNotFoundError, match="materialise `t` for it first"):
        read_partition(home, "silver", "t", REF)
