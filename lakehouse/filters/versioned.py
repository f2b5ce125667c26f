"""Versioned model folders: `<folder>/v0001/`, `<folder>/v0002/`, ...; the highest is current."""

from __future__ import annotations

import re
from pathlib import Path

_VERSION = re.compile(r"^v(\d{4,})$")


def _versions(folder: Path) -> list[tuple[int, Path]]:
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _VERSION.match(p.name))]
    return sorted(found)


def latest_version(folder: Path) -> Path | None:
    """The newest complete version folder (one holding its metadata file), or None."""
    complete = [p for _, p in _versions(folder) if any(p.glob("*.json"))]
    return complete[-1] if complete else None


def next_version(folder: Path) -> Path:
    """A new, not yet existing version folder path under `folder`."""
    versions = _versions(folder)
    number = versions[-1][0] + 1 if versions else 1
    return folder / f"v{number:04d}"
