"""The Ray adapter gives what scrub_frame gives (one local Ray, started once)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from lakehouse.pii import PiiConfig, Roster, scrub_frame


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    import ray

    started = not ray.is_initialized()
    if started:
        tmp = Path("/tmp") / f"ray-{os.getpid()}"  # short: Ray's socket paths have a length limit
        ray.init(num_cpus=1, include_dashboard=False, _temp_dir=str(tmp), log_to_driver=False)
    yield
    if started:
        ray.shutdown()


@pytest.mark.slow
def test_ray_matches_scrub_frame(local_ray: None, tmp_path: Path) -> None:
    from ray_jobs.scrub import scrub_frame_on_ray

    roster = Roster.from_frame(
        pl.DataFrame(
            {
                "person_id": ["S1", "S2"],
                "role": ["student"] * 2,
                "full_name": ["Meena Iyer", "Ravi Das"],
            }
        )
    )
    n = 300
    frame = pl.DataFrame(
        {
            "submission_id": [f"s{i}" for i in range(n)],
            "student_id": ["S1" if i % 2 else "S2" for i in range(n)],
            "answer_text": [
                f"Meena Iyer says hi, 98765 4{i:04d}" if i % 3 == 0 else f"Plain answer {i}"
                for i in range(n)
            ],
            "feedback": ["Good, Ravi." if i % 5 == 0 else None for i in range(n)],
        }
    )
    config = PiiConfig(cache_dir=tmp_path)
    on_ray = scrub_frame_on_ray(
        frame, roster=roster, config=config, actors=1, batch_size=64, actor_cpus=0.5
    )
    local = scrub_frame(frame, roster=roster, config=config)
    assert on_ray.frame.equals(local.frame)
    assert on_ray.counts == local.counts
    assert on_ray.counts["PHONE"] == 100
