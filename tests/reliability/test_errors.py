"""Clear errors (issue #9, part 5): a missing landing folder, an unreadable consent file, a missing
or too-short pseudonymisation key and a full disk during a lake write each give one actionable
message (the CLI: a non-zero exit and one `error:` line on stderr, no stack trace) and leave
nothing half-written where readers look (the published partition unchanged, no staging files).

The full disk is the one simulated component: the staged Parquet writer of lakehouse/lake.py
writes part of its file and then fails with ENOSPC, as a real full disk would.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import polars as pl
import pytest

from lakehouse.home import LakehouseHome
from lakehouse.lake import LakeWriteError, StagedPartition, table_glob
from lakehouse.reference import ReferenceFileError
from lakehouse.stages.bronze import LandingFolderMissingError, bronze_partition
from lakehouse.stages.consent import consent_partition
from orchestration.cli import main
from tests.conftest import REF, WriteJsonl, record, write_consent

KEY = "test-only-pseudonym-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def _isolated_dagster_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)


def _one_error_line(stderr: str) -> str:
    """The single `error:` line of a failed command; no stack trace anywhere."""
    assert "Traceback" not in stderr and "Stack Trace" not in stderr, stderr[-2000:]
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, stderr[-2000:]
    return errors[0]


def _visible(home: LakehouseHome) -> dict[str, bytes]:
    """Every Parquet file a hive-globbing reader sees, with its bytes."""
    lake = home.lake
    files = sorted(lake.glob("*/*/institution=*/night=*/*.parquet")) if lake.is_dir() else []
    files += sorted(lake.glob("*/*/*/institution=*/night=*/*.parquet")) if lake.is_dir() else []
    return {str(f.relative_to(lake)): f.read_bytes() for f in files}


def _staging_files(home: LakehouseHome) -> list[Path]:
    if not home.lake.is_dir():
        return []
    return [f for f in home.lake.rglob("*") if f.is_file() and ".staging" in f.parts]


def _generated(tmp_path: Path) -> Path:
    root = tmp_path / "home"
    args = ["--institutions", "1", "--nights", "1", "--submissions", "150", "--seed", "2"]
    assert main(["generate", "--home", str(root), *args]) == 0
    return root


# --- a missing landing folder --------------------------------------------------------------------


def test_run_on_a_home_without_landing_is_one_actionable_error(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "nothing"
    assert main(["run", "--home", str(root)]) == 2
    line = _one_error_line(capfd.readouterr().err)
    assert "no landing zone" in line and "lakehouse generate" in line
    assert not (root / "lake").exists()


def test_run_of_a_night_that_never_landed_is_one_actionable_error(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "home"
    (root / "landing" / "inst_000" / "2026-01-05").mkdir(parents=True)
    assert main(["run", "--home", str(root), "--night", "2030-01-01"]) == 2
    line = _one_error_line(capfd.readouterr().err)
    assert "night 2030-01-01 has not landed" in line and "landed nights: 2026-01-05" in line
    assert not (root / "lake").exists()


def test_ingesting_a_missing_night_folder_names_the_folder_and_writes_nothing(
    home: LakehouseHome,
) -> None:
    with pytest.raises(LandingFolderMissingError) as raised:
        bronze_partition(home=home, ref=REF)
    message = str(raised.value)
    assert str(home.night_dir(REF)) in message and "\n" not in message
    assert not home.lake.exists()


# --- an unreadable consent file ------------------------------------------------------------------


def _break_consent(home: LakehouseHome, how: str) -> None:
    path = home.consent_csv(REF.institution_id)
    if how == "garbage bytes":
        path.write_bytes(b"\xff\xfe\x00garbage\x81\x00")
    elif how == "wrong columns":
        path.write_text("id,consent\nstu-000,yes\n")
    elif how == "a folder":
        path.unlink()
        path.mkdir()
    elif how == "permission denied":
        path.chmod(0)


@pytest.mark.parametrize(
    ("how", "says"),
    [
        ("garbage bytes", "UnicodeDecodeError"),
        ("wrong columns", "lacks the column(s) student_id, status"),
        ("a folder", "IsADirectoryError"),
        pytest.param(
            "permission denied",
            "PermissionError",
            marks=pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file"),
        ),
    ],
)
def test_an_unreadable_consent_file_is_one_clear_error_and_keeps_the_published_partition(
    home: LakehouseHome, write_jsonl: WriteJsonl, how: str, says: str
) -> None:
    write_jsonl("batch.jsonl", [record(i) for i in range(6)])
    write_consent(home, [f"stu-{i:03d},granted,false,false,2026-01-01T00:00:00Z" for i in range(7)])
    bronze_partition(home=home, ref=REF)
    consent_partition(home=home, ref=REF)
    before = _visible(home)

    _break_consent(home, how)
    try:
        with pytest.raises(ReferenceFileError) as raised:
            consent_partition(home=home, ref=REF)
    finally:
        home.consent_csv(REF.institution_id).chmod(0o644)
    message = str(raised.value)
    assert "consent file" in message and says in message and "\n" not in message
    assert str(home.consent_csv(REF.institution_id)) in message
    assert _visible(home) == before
    assert _staging_files(home) == []


def test_run_with_a_garbage_consent_file_prints_one_error_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    root = _generated(tmp_path)
    (root / "landing" / "inst_000" / "consent.csv").write_bytes(b"\xff\xfe\x00garbage\x81")
    capfd.readouterr()
    assert main(["run", "--home", str(root)]) == 1
    captured = capfd.readouterr()
    line = _one_error_line(captured.err)
    assert line.startswith("error: inst_000/2026-01-05: consented_submissions:")
    assert "the consent file" in line and "Fix or replace the file" in line
    assert "inst_000/2026-01-05: failed" in captured.out
    home = LakehouseHome(root)
    assert (
        not home.table_dir("bronze", "consented_submissions")
        .joinpath("institution=inst_000")
        .exists()
    )
    assert _staging_files(home) == []


# --- a missing or too short key ------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "   ", "too-short-key"])
def test_run_without_a_usable_key_is_one_actionable_error_and_writes_nothing(
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    key: str | None,
) -> None:
    root = tmp_path / "home"
    (root / "landing" / "inst_000" / "2026-01-05").mkdir(parents=True)
    monkeypatch.delenv("LAKEHOUSE_PSEUDONYM_KEY_FILE", raising=False)
    if key is None:
        monkeypatch.delenv("LAKEHOUSE_PSEUDONYM_KEY", raising=False)
    else:
        monkeypatch.setenv("LAKEHOUSE_PSEUDONYM_KEY", key)
    assert main(["run", "--home", str(root)]) == 2
    line = _one_error_line(capfd.readouterr().err)
    assert "LAKEHOUSE_PSEUDONYM_KEY" in line and "32" in line
    if key and key.strip():
        assert key not in line
    assert not (root / "lake").exists()


def test_an_unreadable_key_file_is_one_actionable_error(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "home"
    (root / "landing" / "inst_000" / "2026-01-05").mkdir(parents=True)
    monkeypatch.delenv("LAKEHOUSE_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("LAKEHOUSE_PSEUDONYM_KEY_FILE", str(tmp_path / "no-such-key"))
    assert main(["run", "--home", str(root)]) == 2
    line = _one_error_line(capfd.readouterr().err)
    assert "LAKEHOUSE_PSEUDONYM_KEY_FILE" in line and "No such file" in line


# --- a full disk ---------------------------------------------------------------------------------


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The staged Parquet writer writes half a file, then the disk is full."""

    def write(self: StagedPartition, frame: pl.DataFrame, name: str = "part-00000.parquet") -> Path:
        target = self.file(name)
        with open(target, "wb") as fh:
            fh.write(b"PAR1" + b"\x00" * 100)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(StagedPartition, "write", write)


def test_a_full_disk_during_a_partition_write_keeps_the_old_partition(
    home: LakehouseHome, write_jsonl: WriteJsonl, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_jsonl("batch.jsonl", [record(i) for i in range(5)])
    bronze_partition(home=home, ref=REF)
    before = _visible(home)
    assert before

    write_jsonl("batch.jsonl", [record(i) for i in range(9)])  # a re-landed night, bigger
    _full_disk(monkeypatch)
    with pytest.raises(LakeWriteError) as raised:
        bronze_partition(home=home, ref=REF)
    message = str(raised.value)
    assert "no space left" in message and str(REF) in message and "re-run" in message
    assert "\n" not in message
    assert _visible(home) == before
    assert _staging_files(home) == []
    assert pl.read_parquet(table_glob(home, "bronze", "raw_submissions")).height == 5


def test_run_on_a_full_disk_prints_one_error_line_and_publishes_nothing(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _generated(tmp_path)
    _full_disk(monkeypatch)
    capfd.readouterr()
    assert main(["run", "--home", str(root)]) == 1
    line = _one_error_line(capfd.readouterr().err)
    assert line.startswith("error: inst_000/2026-01-05: raw_submissions:")
    assert "no space left" in line and "re-run the partition" in line
    home = LakehouseHome(root)
    assert _visible(home) == {}
    assert _staging_files(home) == []
