"""A model folder as bytes: how a model reaches Ray workers without a shared filesystem."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """A model folder's files as bytes (relative path -> content): what travels to the actors
    through Ray's object store instead of a path they may not be able to read."""

    files: dict[str, bytes]

    @classmethod
    def read(cls, folder: Path) -> ModelFiles:
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder} is not a model folder")
        return cls(
            {
                str(p.relative_to(folder)): p.read_bytes()
                for p in sorted(folder.rglob("*"))
                if p.is_file() and not p.relative_to(folder).parts[0].startswith(".")
            }
        )

    def write(self, folder: Path) -> Path:
        for name, content in self.files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        return folder
