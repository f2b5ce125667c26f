"""The one way the lakehouse makes processes wait for each other: an exclusive lock file.

`exclusive_lock` is an advisory `flock` (through `filelock`, whose `UnixFileLock` is exactly
that): the kernel drops it when the holder's descriptor closes, so a run killed with SIGKILL never
leaves a lock held and nothing has to clean stale locks up. Used for the builders of a home's
warehouse, the dedup index's writers, the exports' publishers and the creation of the Dagster
instance storage.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import Timeout, UnixFileLock


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
