"""What every `lakehouse` command shares: the usage-error type and argument types, the home and
partition selection checks, and the Dagster UI command line."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from lakehouse.home import INSTITUTION_ID, NIGHT_FOLDER, LakehouseHome, PartitionRef


class UsageError(Exception):
    """A mistake in the command line or its environment: reported as one `error:` line, rc 2."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a mistake as one line (no usage block) and lets `main` return 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see `{self.prog} --help`)")


def night_arg(text: str) -> date:
    """A night as the landing zone names it: `YYYY-MM-DD`, a real calendar date."""
    if not NIGHT_FOLDER.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a night: write it as YYYY-MM-DD, e.g. 2026-01-05"
        )
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a calendar date ({exc}): write it as YYYY-MM-DD, e.g. 2026-01-05"
        ) from None


def count_arg(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
            shown = repr(text)
        else:
            shown = str(value)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{shown} is not a whole number >= {minimum}")
        return value

    return parse


def institution_arg(text: str) -> str:
    if not INSTITUTION_ID.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an institution id (a landing folder name: letters, digits, "
            "'_', '.', '-', starting with a letter or digit, at most 64 characters)"
        )
    return text


def lakehouse_home(args: argparse.Namespace) -> LakehouseHome:
    """The chosen home, which must hold a landing zone."""
    home = LakehouseHome.from_env(args.home)
    if not home.landing.is_dir():
        what = "does not exist" if not home.root.exists() else "has no landing/ folder"
        raise UsageError(
            f"{home.root} is not a lakehouse home ({what}; no landing zone at {home.landing}): "
            "point --home (or $LAKEHOUSE_HOME) at one, or create a sample with "
            "`lakehouse generate --home DIR`"
        )
    return home


def _listed(values: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(values[:limit])
    return f"{shown}, ... ({len(values)} in all)" if len(values) > limit else shown


def select_partitions(
    home: LakehouseHome, institution: str | None, night: date | None
) -> list[PartitionRef]:
    """The landed partitions the selection names; a name that has not landed is a UsageError
    listing what has."""
    refs = home.landed_partitions()
    if not refs:
        raise UsageError(
            f"nothing has landed in {home.landing}: it holds no <institution>/<YYYY-MM-DD>/ folder"
        )
    if institution is not None:
        landed = sorted({r.institution_id for r in refs})
        if institution not in landed:
            raise UsageError(
                f"institution {institution!r} has not landed in {home.landing}; "
                f"landed institutions: {_listed(landed)}"
            )
        refs = [r for r in refs if r.institution_id == institution]
    if night is not None:
        nights = sorted({r.night.isoformat() for r in refs})
        if night.isoformat() not in nights:
            where = f"for {institution}" if institution else "for any institution"
            raise UsageError(
                f"night {night.isoformat()} has not landed {where}; landed nights: "
                f"{_listed(nights)}"
            )
        refs = [r for r in refs if r.night == night]
    return refs


def ui_command(home: LakehouseHome) -> str:
    """The exact command that opens the Dagster UI on `home` (loopback only)."""
    dagster_home = os.environ.get("DAGSTER_HOME") or str(home.root / ".dagster")
    dagster = Path(sys.executable).parent / "dagster"
    return (
        f"LAKEHOUSE_HOME={shlex.quote(str(home.root))} "
        f"DAGSTER_HOME={shlex.quote(dagster_home)} "
        f"{shlex.quote(str(dagster))} dev -m orchestration.definitions -h 127.0.0.1 -p 3000"
    )


def one_line(text: str) -> str:
    return " ".join(text.split())
