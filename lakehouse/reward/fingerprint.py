"""Content fingerprints of model folders, so a version id names exactly the weights that scored."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_CHUNK = 1 << 22


@cache
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    del size, mtime_ns  # part of the cache key only: a rewritten file is hashed again
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of one file, cached per process while its size and mtime stay the same."""
    stat = path.stat()
    return _file_digest(path.resolve(), stat.st_size, stat.st_mtime_ns)


def folder_fingerprint(folder: Path) -> str:
    """SHA-256 over the relative names and contents of every file under `folder` (sorted), hidden
    files and caches excluded. Renaming or copying the folder keeps its fingerprint."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        digest.update(rel.as_posix().encode())
        digest.update(b"\0")
        digest.update(file_digest(path).encode())
    return digest.hexdigest()
