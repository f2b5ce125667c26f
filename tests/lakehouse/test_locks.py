"""The one lock: exclusive between processes, a timeout that says who holds it, and never left
held by a process that was killed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lakehouse.locks import LockTimeoutError, exclusive_lock

HOLDER = """
import sys, time
from pathlib import Path
from lakehouse.locks import exclusive_lock
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
