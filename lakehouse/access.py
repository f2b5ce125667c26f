"""Who may read what on disk: two roles (README, "Roles and access").

The pipeline's own account owns everything it writes and keeps it private (no group or other
access): bronze and quarantine (raw ids, names, raw answers), every other lake table, the
models, the dedup index, the audit, Dagster's instance, dbt's work folder and the pseudonym key.
Analysts and trainers read two things only, the warehouse file and the export releases, through
a group (`LAKEHOUSE_ANALYSTS_GROUP`, a group name or id; by default the pipeline account's own
group) that gets read access to them and passage through the home folder, and nothing else.

Privacy is the default, not a step to remember: a run sets the process umask to 077, so every
file and folder any step creates (Ray workers and dbt included: they inherit it) is private, and
only the two published outputs are opened to the group, before they are renamed into place.
"""

from __future__ import annotations

import grp
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from lakehouse.home import LakehouseHome

ANALYSTS_GROUP_VARIABLE: Final = "LAKEHOUSE_ANALYSTS_GROUP"
PRIVATE_UMASK: Final = 0o077
PRIVATE_DIR_MODE: Final = 0o700
PRIVATE_FILE_MODE: Final = 0o600
SHARED_DIR_MODE: Final = 0o750
SHARED_FILE_MODE: Final = 0o640
HOME_DIR_MODE: Final = 0o710
"""The home folder: the analysts' group may pass through it to the warehouse and the exports,
not list it."""
PRIVATE_FOLDERS: Final = ("lake", "models", "index", ".secrets", ".dagster", ".warehouse", ".runs")


class AnalystsGroupError(ValueError):
    """`LAKEHOUSE_ANALYSTS_GROUP` names no group this account can give files to."""


def analysts_gid(environ: Mapping[str, str] = os.environ) -> int | None:
    """The analysts' group id from `LAKEHOUSE_ANALYSTS_GROUP`; None: keep the files' own group."""
    value = environ.get(ANALYSTS_GROUP_VARIABLE, "").strip()
    if not value:
        return None
    try:
        return int(value) if value.isdigit() else grp.getgrnam(value).gr_gid
    except KeyError:
        raise AnalystsGroupError(
            f"{ANALYSTS_GROUP_VARIABLE}={value!r}: no such group on this machine"
        ) from None


def private_by_default() -> None:
    """Make everything this process (and its children) creates from now on private to its account."""
    os.umask(PRIVATE_UMASK)


def _own(path: Path) -> bool:
    return path.lstat().st_uid == os.geteuid()


def _set(path: Path, mode: int, gid: int | None) -> None:
    """chmod/chgrp `path` if this account owns it (another account's folder is left as it is)."""
    if path.is_symlink() or not _own(path):
        return
    if gid is not None and path.lstat().st_gid != gid:
        try:
            os.chown(path, -1, gid)
        except PermissionError as exc:
            raise AnalystsGroupError(
                f"{ANALYSTS_GROUP_VARIABLE}: cannot give {path} to group {gid}; "
                "the pipeline account must be a member of the analysts' group"
            ) from exc
    if stat.S_IMODE(path.lstat().st_mode) != mode:
        os.chmod(path, mode)


def share_with_analysts(
    path: Path, *, recursive: bool = True, environ: Mapping[str, str] = os.environ
) -> None:
    """Give the analysts' group read access to a published output (a file, or a folder and, if
    `recursive`, all it holds), before it is renamed into place."""
    gid = analysts_gid(environ)
    if path.is_dir() and not path.is_symlink():
        _set(path, SHARED_DIR_MODE, gid)
        for folder, dirs, files in os.walk(path) if recursive else ():
            for name in dirs:
                _set(Path(folder) / name, SHARED_DIR_MODE, gid)
            for name in files:
                _set(Path(folder) / name, SHARED_FILE_MODE, gid)
    else:
        _set(path, SHARED_FILE_MODE, gid)


def secure_home(home: LakehouseHome, *, environ: Mapping[str, str] = os.environ) -> None:
    """Set up a home for a run: private umask, private folders, and the analysts' way in.

    Idempotent and cheap (a few stat calls): every run does it, so a home made before this
    existed, or loosened by hand, is put back. `landing/` belongs to whoever delivers the exports
    and is left alone; the pipeline never writes there.
    """
    private_by_default()
    gid = analysts_gid(environ)
    home.root.mkdir(parents=True, exist_ok=True)
    _set(home.root, HOME_DIR_MODE, gid)
    for name in PRIVATE_FOLDERS:
        folder = home.root / name
        if folder.is_dir():
            _set(folder, PRIVATE_DIR_MODE, None)
    secrets = home.root / ".secrets"
    if secrets.is_dir():
        for key_file in secrets.iterdir():
            if key_file.is_file():
                _set(key_file, PRIVATE_FILE_MODE, None)
    home.exports.mkdir(exist_ok=True)
    _set(home.exports, SHARED_DIR_MODE, gid)
    for dataset in home.exports.iterdir():
        if dataset.is_dir() and not dataset.is_symlink():
            _set(dataset, SHARED_DIR_MODE, gid)
