"""The DuckDB connection for untrusted input opens only the files it is given."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from lakehouse.readers import SourceFile, UnreadableFileError, file_sha256, read_batch_file
from lakehouse.readers.sandbox import sandboxed_connection
from tests.conftest import REF


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    allowed = tmp_path / "landed.csv"
    allowed.write_text("a\n1\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    return allowed, secret


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT content FROM read_text('{secret}')",
        "SELECT * FROM read_csv('{secret}')",
        "SELECT * FROM sniff_csv('{secret}')",
        "SELECT * FROM glob('{secret}')",
        "SELECT content FROM read_text('{allowed}/../secret.txt')",
        "COPY (SELECT 1) TO '{allowed}.out'",
        "ATTACH '{allowed}.db'",
        "SET enable_external_access = true",
        "SET allowed_directories = ['/']",
        "INSTALL httpfs",
    ],
)
def test_everything_but_the_given_file_is_refused(files: tuple[Path, Path], sql: str) -> None:
    allowed, secret = files
    con = sandboxed_connection(allowed_paths=[allowed])
    try:
        assert con.sql("SELECT * FROM read_csv(?)", params=[str(allowed)]).fetchall() == [(1,)]
        with pytest.raises(duckdb.Error):
            con.execute(sql.format(secret=secret, allowed=allowed))
    finally:
        con.close()


def test_a_symlinked_batch_file_is_unreadable(night_dir: Path, files: tuple[Path, Path]) -> None:
    _, secret = files
    link = night_dir / "batch.jsonl"
    link.symlink_to(secret)
    src = SourceFile(link, link.name, REF.institution_id, REF.night, file_sha256(link))

    with pytest.raises(UnreadableFileError, match="symbolic link"):
        list(read_batch_file(src))
