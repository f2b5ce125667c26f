"""The generated history's nights, shared by the reward tests (a module, since conftest is not
importable by name when several test folders have one)."""

from __future__ import annotations

from datetime import date, timedelta

START = date(2026, 1, 5)
NIGHTS = 4
CUTOFF = START + timedelta(days=NIGHTS - 1)
"""Nights START..CUTOFF-1 train (the last of them held out for metrics); CUTOFF is scored."""
