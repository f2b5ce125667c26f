"""The Presidio pass of the scrubber: the analyzer (registry, roll numbers, the roster variants the
pre-filter found in each document) over spaCy's batched NLP artifacts, the anonymizer's typed
placeholders, then the shared identifiers again until the text is a fixed point.

Without NER (`PiiEngine.ner` False, the default) no recogniser reads the NLP artifacts: the
identifiers check their context over a character window and the roster recogniser is a regex. So
the analyzer gets one empty `NlpArtifacts` instead of spaCy's tokens: tokenising every analysed
document cost a third of the scrubber's time on real text (`benchmarks/pii.py --real`) for nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from presidio_analyzer import EntityRecognizer
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_anonymizer.entities import ConflictResolutionStrategy, OperatorConfig
from spacy.tokens import Doc

from lakehouse.pii import patterns as p
from lakehouse.pii.config import PiiConfig
from lakehouse.pii.detect import mask
from lakehouse.pii.engine import PiiEngine
from lakehouse.pii.identifiers import (
    IDENTIFIERS,
    Identifier,
    find_all,
)
from lakehouse.pii.recognizers import roll_number_recognizer, roster_recognizer

_OPERATORS = {
    "DEFAULT": OperatorConfig("replace", {"new_value": "<PII>"}),
    **{e: OperatorConfig("replace", {"new_value": p.placeholder(e)}) for e in p.ENTITY_TYPES},
}


def analyze_and_anonymize(
    texts: Sequence[str],
    names: Sequence[Sequence[str] | None],
    *,
    engine: PiiEngine,
    config: PiiConfig,
    candidates: Sequence[Sequence[str]] | None = None,
) -> tuple[list[str], list[list[str]]]:
    """Run Presidio over `texts` (spaCy `pipe` in batches); `names[i]` are the roster variants
    the pre-filter found in `texts[i]`; `candidates[i]`, if given, the entity types whose
    `Identifier.candidates` match `texts[i]` (the analyzer asks only their recognisers: the others
    find nothing there by construction; NER's PERSON is always asked). Returns the anonymized texts and the entity types replaced
    in each."""
    analyzer, anonymizer = engine.analyzer, engine.anonymizer
    base = sorted(set(analyzer.get_supported_entities(language=engine.language)))
    roll = (
        roll_number_recognizer(config.roll_number_patterns) if config.roll_number_patterns else None
    )
    identifiers = [*IDENTIFIERS, *([roll.identifier] if roll is not None else [])]
    artifacts = _artifacts(texts, engine=engine, batch_size=config.batch_size)
    out_texts: list[str] = []
    out_entities: list[list[str]] = []
    hits: Sequence[Sequence[str] | None] = [None] * len(texts)
    if candidates is not None:
        hits = candidates
    for (text, nlp_artifacts), doc_names, doc_hits in zip(artifacts, names, hits, strict=True):
        ad_hoc: list[EntityRecognizer] = []
        entities = list(base) if doc_hits is None else _asked(base, doc_hits, ner=engine.ner)
        if roll is not None and (doc_hits is None or p.ROLL_NUMBER in doc_hits):
            ad_hoc.append(roll)
            entities.append(p.ROLL_NUMBER)
        if doc_names:
            ad_hoc.append(roster_recognizer(frozenset(doc_names)))
            if p.PERSON not in entities:
                entities.append(p.PERSON)
        if not entities:  # Presidio reads an empty list as "every entity"
            out_texts.append(text)
            out_entities.append([])
            continue
        results = analyzer.analyze(
            text=text,
            language=engine.language,
            entities=entities,
            nlp_artifacts=nlp_artifacts,
            ad_hoc_recognizers=ad_hoc or None,
        )
        if not results:
            out_texts.append(text)
            out_entities.append([])
            continue
        anonymized = anonymizer.anonymize(
            text=text,
            analyzer_results=results,  # type: ignore[arg-type]
            operators=_OPERATORS,
            conflict_resolution=ConflictResolutionStrategy.REMOVE_INTERSECTIONS,
            merge_entities_with_spaces=False,
        )
        scrubbed, more = until_clean(anonymized.text or "", identifiers)
        out_texts.append(scrubbed)
        out_entities.append([item.entity_type for item in anonymized.items] + more)
    return out_texts, out_entities


def _asked(base: Sequence[str], hits: Sequence[str], *, ner: bool) -> list[str]:
    """The registry's entity types to ask for in a document with these candidate `hits`."""
    wanted = set(hits) | ({p.PERSON} if ner else set())
    return [entity for entity in base if entity in wanted]


def _artifacts(
    texts: Sequence[str], *, engine: PiiEngine, batch_size: int
) -> Iterable[tuple[str, NlpArtifacts]]:
    """spaCy's artifacts where NER runs; else one empty set for every text (see the module doc)."""
    nlp_engine = engine.analyzer.nlp_engine
    if engine.ner:
        return nlp_engine.process_batch(
            texts=list(texts), language=engine.language, batch_size=batch_size
        )
    vocab = nlp_engine.nlp[engine.language].vocab  # type: ignore[attr-defined]
    empty = NlpArtifacts(
        entities=[],
        tokens=Doc(vocab, words=[]),
        tokens_indices=[],
        lemmas=[],
        nlp_engine=nlp_engine,
        language=engine.language,
    )
    return ((text, empty) for text in texts)


_MAX_PASSES: Final = 3


def until_clean(text: str, identifiers: Sequence[Identifier]) -> tuple[str, list[str]]:
    """Replace what the identifiers find in already anonymized `text`, until they find nothing.

    A placeholder is shorter or longer than the value it replaced, which moves a value into or out
    of a context word's window ("born ... <DATE_OF_BIRTH>, Salem - May 16, 2012"): the gate and
    the residual scan look at the scrubbed text, so the scrubber's output must be a fixed point.
    """
    entities: list[str] = []
    for _ in range(_MAX_PASSES):
        found = find_all(text, identifiers)
        if not found:
            break
        text = mask(text, found)
        entities += [entity for entity, _ in found]
    return text, entities
