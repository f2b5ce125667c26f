"""DuckDB connections for untrusted input: they can open only the files they are given.

Landed files come from outside. Whatever SQL ends up running on their content, the connection
cannot read another file (`read_text('/etc/passwd')`), write one (`COPY ... TO`), attach a database,
load an extension or turn these settings back on: `allowed_paths` lists the only files it may
open, `enable_external_access = false` closes everything else and `lock_configuration` freezes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb


def sandboxed_connection(*, allowed_paths: Sequence[Path] = ()) -> duckdb.DuckDBPyConnection:
    """An in-memory connection that may read only `allowed_paths` (none by default)."""
    con = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    try:
        if allowed_paths:
            con.execute("SET allowed_paths = ?", [[str(p) for p in allowed_paths]])
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con
