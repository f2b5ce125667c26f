"""`lakehouse generate`: write a realistic sample landing zone (and the institutions' settings)."""

from __future__ import annotations

import argparse
import json
import time
from datetime import timedelta
from pathlib import Path

import polars as pl

from lakehouse.home import LakehouseHome
from lakehouse.institution_config import InstitutionConfig, write_institution_config
from lakehouse.markdown import print_table
from orchestration.cli_common import UsageError


def _make_home(path: Path) -> None:
    """Create the home folder (the first thing `generate` writes), or say why it cannot be."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"--home {path} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write to --home {path}: {exc.strerror}") from None


def cmd_generate(args: argparse.Namespace) -> int:
    from lakehouse.generate import generate_home
    from lakehouse.generate.night import MIN_MALFORMED_ROWS

    if not args.clean and args.submissions < MIN_MALFORMED_ROWS:
        raise UsageError(
            f"--submissions {args.submissions} is too few: with malformed input (the default) "
            f"every night carries one record of each defect, so it needs at least "
            f"{MIN_MALFORMED_ROWS}; add --clean (no malformed input) for fewer"
        )
    try:
        args.start_night + timedelta(days=args.nights - 1)
    except OverflowError:
        raise UsageError(
            f"--start-night {args.start_night} plus --nights {args.nights} runs past year 9999"
        ) from None
    home = LakehouseHome.from_env(args.home)
    _make_home(home.root)
    started = time.perf_counter()
    summary = generate_home(
        home=home.root,
        institutions=args.institutions,
        nights=args.nights,
        submissions_per_night=args.submissions,
        seed=args.seed,
        start_night=args.start_night,
        malformed=not args.clean,
    )
    print(
        f"generated a sample landing zone in {home.landing} in {time.perf_counter() - started:.1f}s"
    )
    print_table(
        pl.DataFrame(
            [
                {
                    "institution_id": p.institution_id,
                    "night": p.night,
                    "files": p.files,
                    "landed": p.landed,
                    "malformed": p.quarantined,
                    "planted_pii": p.planted_pii,
                }
                for p in summary.partitions
            ]
        )
    )
    for inst in sorted({p.institution_id for p in summary.partitions}):
        truth = json.loads((home.root / "_truth" / inst / "institution.json").read_text())
        write_institution_config(
            home, inst, InstitutionConfig(roll_number_patterns=(truth["roll_number_regex"],))
        )
    print(f"institution settings (roll-number formats): {home.root / 'config' / 'institutions'}")
    print(f"truth for tests and benchmarks: {home.root / '_truth'} (not part of the landing zone)")
    return 0
