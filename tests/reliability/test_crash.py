"""Crash tests (issue #9, part 2): `lakehouse run` killed with SIGKILL at random points of the
materialisation, again and again on the same home.

After every kill, each published partition of every table is either absent or whole and equal to
an uninterrupted run's (no mix of old and new files, nothing half-written where the hive glob
looks; staging leftovers live only under `.staging/`). After the last kill a plain re-run must
succeed (the Dagster run storage a kill leaves behind included) and give the same lake and dedup
index as a run that was never interrupted.

The runs skip the publish step (`--no-publish`): the exports and the warehouse are built aside
and swapped in whole, which `tests/lakehouse/exports` and `tests/warehouse` cover; here it would
only double each run's time.

`LAKEHOUSE_CRASH_KILLS` (default 3) sets how many kills; `LAKEHOUSE_CRASH_SEED` the seed of the
kill times.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.reliability.lake_snapshot import (
    LAKEHOUSE,
    assert_partitions_match,
    cli_env,
    copy_home,
    generate,
    hive_files,
    run,
    snapshot,
)

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("LAKEHOUSE_CRASH_KILLS", "3"))
SEED = int(os.environ.get("LAKEHOUSE_CRASH_SEED", "9"))


def _dagster_touched(root: Path, since: float) -> bool:
    """Whether the run opened its Dagster instance (run storage written after `since`): the
    moment materialisation starts, after the CLI's imports, whose duration varies most."""
    storage = root / ".dagster"
    if not storage.is_dir():
        return False
    return any(
        f.stat().st_mtime > since
        for f in storage.rglob("*")
        if f.is_file() and f.name != "dagster.yaml"
    )


def _start(root: Path) -> tuple[subprocess.Popen[bytes], float]:
    """Start a run; returns it once its Dagster instance is open, with that moment."""
    since = time.time()
    proc = subprocess.Popen(
        [*LAKEHOUSE, "run", "--home", str(root), "--no-publish"],
        env=cli_env(root),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while proc.poll() is None and not _dagster_touched(root, since):
        time.sleep(0.02)
    return proc, time.monotonic()


def _timed_reference_run(root: Path) -> float:
    """Run uninterrupted; returns the seconds from opening Dagster to the end of the run."""
    proc, opened = _start(root)
    assert proc.wait() == 0
    return time.monotonic() - opened


def _run_and_kill(root: Path, delay: float) -> bool:
    """Start a run and SIGKILL it `delay` seconds into materialisation; False if it had
    already finished."""
    proc, opened = _start(root)
    try:
        proc.wait(timeout=max(delay - (time.monotonic() - opened), 0.01))
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True
    return False


def test_runs_killed_at_random_points_leave_whole_partitions_and_rerun_identically(
    tmp_path: Path,
) -> None:
    generated = tmp_path / "generated"
    # several institutions and nights, so cross-institution dedup precedence is exercised too
    # (a re-run used to keep other documents than the first run: issue 13)
    args = ["--institutions", "2", "--nights", "2", "--submissions", "60", "--clean"]
    args += ["--seed", "5"]
    generate(generated, *args)
    reference_root, crashed_root = tmp_path / "reference", tmp_path / "crashed"
    copy_home(generated, reference_root)
    copy_home(generated, crashed_root)

    window = _timed_reference_run(reference_root)
    reference = snapshot(reference_root)
    assert reference.partitions

    # kill times spread evenly (with seeded jitter) over the materialisation of an uninterrupted
    # run, from the moment the run opens its Dagster instance
    rng = random.Random(SEED)
    delays = [window * (k + rng.random()) / KILLS for k in range(KILLS)]
    rng.shuffle(delays)
    killed = 0
    for delay in delays:
        killed += _run_and_kill(crashed_root, delay)
        state = snapshot(crashed_root)
        assert_partitions_match(state, reference, complete=False)
        # readers glob the hive layout: staging leftovers are never part of it
        assert not [f for f in hive_files(crashed_root) if ".staging" in f]
        assert all(".staging" in f.parts for f in state.staging_files)
    # on a loaded machine a run may be faster than the reference and end before its kill time
    assert killed >= KILLS // 2, f"only {killed} of {KILLS} runs were killed: timing is off"

    rerun = run(crashed_root, "--no-publish")
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    assert rerun.stdout.count(": ok in") == 4, rerun.stdout[-3000:]
    assert_partitions_match(snapshot(crashed_root), reference, complete=True)
    # and a plain re-run of a complete home changes nothing either
    again = run(crashed_root, "--no-publish")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert_partitions_match(snapshot(crashed_root), reference, complete=True)
