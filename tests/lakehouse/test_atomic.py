"""Atomic writes and the one lock: a staged file or folder is all or nothing; the lock is exclusive
between processes, its timeout says who holds it, and a killed holder never leaves it held."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lakehouse.atomic import (
    LockTimeoutError,
    atomic_dir,
    atomic_file,
    exclusive_lock,
    write_text_atomic,
)

HOLDER = """
import sys, time
from pathlib import Path
from lakehouse.atomic import exclusive_lock
with exclusive_lock(Path(sys.argv[1])):
    Path(sys.argv[2]).write_text("held")
    time.sleep(60)
"""


def _hold(lock: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    held = tmp_path / "held"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock), str(held)])
    deadline = time.monotonic() + 30
    while not held.exists():
        assert time.monotonic() < deadline, "the holder never took the lock"
        time.sleep(0.05)
    return proc


def test_a_held_lock_times_out_and_a_killed_holder_releases_it(tmp_path: Path) -> None:
    lock = tmp_path / "sub" / ".writer.lock"
    holder = _hold(lock, tmp_path)
    try:
        with (
            pytest.raises(LockTimeoutError, match="a warehouse build holds"),
            exclusive_lock(lock, timeout_s=0.5, holder="a warehouse build"),
        ):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    with exclusive_lock(lock, timeout_s=5):  # the kernel dropped the dead holder's lock
        assert lock.exists()
    assert lock.exists(), "the lock file stays, so a waiter never locks an unlinked file"


def test_atomic_file_replaces_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "record.json"
    write_text_atomic(target, "old")
    with pytest.raises(RuntimeError, match="killed"), atomic_file(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["record.json"]
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o600


def test_atomic_dir_swaps_a_folder_in_and_cleans_what_a_failed_write_left(tmp_path: Path) -> None:
    final = tmp_path / "models" / "before=2026-01-05"
    with atomic_dir(final) as staged:
        (staged / "sub").mkdir()
        (staged / "sub" / "weights.bin").write_bytes(b"v1")
    assert (final / "sub" / "weights.bin").read_bytes() == b"v1"
    with pytest.raises(RuntimeError), atomic_dir(final) as staged:
        (staged / "weights.bin").write_bytes(b"half")
        raise RuntimeError("killed mid-write")
    assert sorted(p.name for p in final.iterdir()) == ["sub"]
    assert not list((final.parent / ".staging").iterdir())
    with atomic_dir(final, replace=False) as staged:
        (staged / "other.bin").write_bytes(b"v2")
    assert sorted(p.name for p in final.iterdir()) == ["sub"], "replace=False keeps the first"
    with atomic_dir(final) as staged:
        (staged / "other.bin").write_bytes(b"v2")
    assert sorted(p.name for p in final.iterdir()) == ["other.bin"]
