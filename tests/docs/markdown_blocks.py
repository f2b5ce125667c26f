"""Reading the documentation the way a user does: its fenced code blocks and its links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
USER_DOCS = (
    ROOT / "README.md",
    ROOT / "dbt_project" / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
)
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@dataclass(frozen=True)
class Block:
    language: str
    text: str


def code_blocks(markdown: str, *languages: str) -> list[Block]:
    """Fenced blocks in document order, only those of `languages` when given."""
    blocks = [Block(m.group(1), m.group(2)) for m in FENCE.finditer(markdown)]
    return [b for b in blocks if not languages or b.language in languages]


def shell_commands(block: Block, program: str) -> list[str]:
    """The lines of a shell block that call `program` (comments after `#` dropped)."""
    code = (raw.split("  #", 1)[0].strip() for raw in block.text.splitlines())
    return [line for line in code if line.startswith(program + " ")]


def local_links(markdown: str) -> list[str]:
    """Relative link targets (no URLs, no anchors)."""
    return [t for t in LINK.findall(markdown) if "://" not in t and not t.startswith("mailto:")]
