"""Atomic writes and locks: the one module that swaps new versions into place and makes processes wait.

Writes. A new version of a file or a folder is built aside, fsynced, and made visible with one
rename, so a reader or a crash sees the whole old version or the whole new one, never a mix:

- `atomic_file(target)`: a hidden temporary file beside the target, then `os.replace`;
- `atomic_dirs([...])` / `atomic_dir(target)`: folders built under a `.staging/` folder beside
  their targets (outside every hive or `before=*` pattern, so globbing readers never see them),
  then swapped in with `renameat2(RENAME_EXCHANGE)`. Where the kernel or filesystem cannot
  exchange, the fallback renames the old folder aside first (`<staging>.old`) and
  `recover_staging` puts it back if a crash struck between the two renames.

`recover_staging` is the one place that cleans what a killed writer left: it runs before every
staged folder write of the same target. `lakehouse.lake.partition_transaction` is these folders
for the lake's partitions.

Locks. `exclusive_lock` is an advisory `flock` (through `filelock`, whose `UnixFileLock` is exactly
that): the kernel drops it when the holder's descriptor closes, so a run killed with SIGKILL never
leaves a lock held and nothing has to clean stale locks up. Used for the builders of a home's
warehouse, the dedup index's writers, the exports' publishers and the creation of the Dagster
instance storage. No other module imports a lock primitive.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from filelock import Timeout, UnixFileLock

STAGING: Final = ".staging"
_OLD_SUFFIX: Final = ".old"
_AT_FDCWD: Final = -100
_RENAME_EXCHANGE: Final = 2
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)


class LockTimeoutError(TimeoutError):
    """Another process held the lock for longer than the caller would wait."""


@contextmanager
def exclusive_lock(
    path: Path, *, timeout_s: float | None = None, holder: str = ""
) -> Iterator[None]:
    """Hold `path` exclusively for the block, waiting at most `timeout_s` (None: for ever).

    `holder` says in the timeout error what the other process is doing (e.g. "a warehouse build
    of this home")."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = UnixFileLock(
        str(path),
        timeout=-1 if timeout_s is None else timeout_s,
        mode=0o600,
        preserve_lock_file=True,  # unlinking it would let a waiter lock a file nobody else sees
    )
    try:
        lock.acquire(poll_interval=0.2)
    except Timeout:
        what = holder or "another process"
        raise LockTimeoutError(f"{what} holds {path} (waited {timeout_s:.0f}s)") from None
    try:
        yield
    finally:
        lock.release()


def fsync_path(path: Path) -> None:
    """Flush a file's data, or a folder's entries (after a rename into it), to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_files(folder: Path) -> None:
    for f in sorted(folder.rglob("*")):
        if f.is_file() and not f.is_symlink():
            fsync_path(f)


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths; False where the platform cannot."""
    if _renameat2 is None:
        return False
    rc = _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_in(staged: Path, final: Path) -> None:
    """Make the staged folder `final`: a rename when there is none yet, else an exchange (or the
    set-aside fallback `recover_staging` can undo); the old version is removed afterwards."""
    final.parent.mkdir(parents=True, exist_ok=True)
    if not final.exists():
        os.rename(staged, final)
    elif exchange(staged, final):
        shutil.rmtree(staged)
    else:
        aside = staged.with_name(staged.name + _OLD_SUFFIX)
        os.rename(final, aside)
        os.rename(staged, final)
        shutil.rmtree(aside)
    fsync_path(final.parent)


@dataclass(frozen=True)
class StagedTarget:
    """Where a folder write stages: `<staging_root>/<prefix><random>`, published as `final`."""

    final: Path
    staging_root: Path
    prefix: str

    @classmethod
    def beside(cls, final: Path) -> StagedTarget:
        """Stage under `.staging/` in the target's parent folder."""
        return cls(final, final.parent / STAGING, f"{final.name}__")


def recover_staging(target: StagedTarget) -> None:
    """Undo what a crash left of an earlier write of `target`.

    Its staging folders are deleted; if the target itself is missing but a folder set aside by the
    non-atomic fallback survives, that old version is put back first.
    """
    if not target.staging_root.is_dir():
        return
    for leftover in sorted(target.staging_root.glob(target.prefix + "*")):
        if leftover.name.endswith(_OLD_SUFFIX) and not target.final.exists():
            target.final.parent.mkdir(parents=True, exist_ok=True)
            os.rename(leftover, target.final)
            continue
        shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def atomic_dirs(targets: Sequence[StagedTarget], *, replace: bool = True) -> Iterator[list[Path]]:
    """Stage a new version of each target folder, then publish them together.

    Yields one empty staging folder per target. Only when the block ends without error are the
    staged files fsynced and the folders swapped into place one after the other (a few renames).
    On error the staged folders are removed and the published versions are untouched. With
    `replace=False` a target that already exists is kept and its staged folder dropped (for
    content-addressed folders that a concurrent writer may publish first).
    """
    staged: list[Path] = []
    try:
        for target in targets:
            recover_staging(target)
            target.staging_root.mkdir(parents=True, exist_ok=True)
            path = target.staging_root / f"{target.prefix}{uuid.uuid4().hex}"
            path.mkdir()
            staged.append(path)
        yield list(staged)
        for path in staged:
            _fsync_files(path)
        for path, target in zip(staged, targets, strict=True):
            if not replace and target.final.exists():
                shutil.rmtree(path)
            else:
                swap_in(path, target.final)
    except BaseException:
        for path in staged:
            shutil.rmtree(path, ignore_errors=True)
        raise


@contextmanager
def atomic_dir(final: Path, *, replace: bool = True) -> Iterator[Path]:
    """Build a folder aside (under `.staging/` beside it) and swap it in as `final` (see
    `atomic_dirs`)."""
    with atomic_dirs([StagedTarget.beside(final)], replace=replace) as (path,):
        yield path


def replace_file(built: Path, final: Path) -> None:
    """Swap a fully written file in as `final` (fsync it, `os.replace`, fsync the folder); for a
    file another process built aside, such as the warehouse's DuckDB build."""
    fsync_path(built)
    os.replace(built, final)
    fsync_path(final.parent)


@contextmanager
def atomic_file(final: Path, *, mode: int = 0o600) -> Iterator[Path]:
    """Write a file through a hidden temporary path beside it, then `os.replace` it in.

    The temporary file is created with `mode` (the caller's writes keep it); it is fsynced before
    the rename and the folder after, and removed if the block fails.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex[:12]}.tmp")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
    try:
        yield tmp
        replace_file(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(final: Path, text: str, *, mode: int = 0o600) -> Path:
    """Replace a small text file (a JSON record, a marker) atomically."""
    with atomic_file(final, mode=mode) as tmp:
        tmp.write_text(text)
    return final
