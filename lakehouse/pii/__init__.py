"""PII scrubbing for Indian homework: Presidio offline, Presidio's and India's identifiers (one shared
definition each, `lakehouse.pii.identifiers`, also used by the silver gate), roster names, off-roster
names (`lakehouse.pii.names`), residual scan.

Public API:
    PiiConfig, DEFAULT_CONFIG                      configuration (lakehouse.pii.config)
    build_engine, get_engine, PiiEngine            the offline Presidio analyzer (lakehouse.pii.engine)
    Roster, load_roster                            roster names and their variants (lakehouse.pii.roster)
    scrub_frame, ScrubResult                       scrubbing a polars frame (lakehouse.pii.scrub)
    residual_scan, ResidualReport                  what is left after scrubbing (lakehouse.pii.residual)
    ENTITY_TYPES, placeholder                      entity types and their `<TYPE>` placeholders

Scrub before pseudonymising ids: the roster's `person_id` is the raw `student_id`.
"""

from lakehouse.pii import _offline  # noqa: F401  (first: keeps tldextract offline before presidio)
from lakehouse.pii.config import DEFAULT_CONFIG, DEFAULT_TEXT_COLUMNS, PiiConfig
from lakehouse.pii.engine import PiiEngine, build_engine, get_engine
from lakehouse.pii.patterns import ENTITY_TYPES, placeholder
from lakehouse.pii.residual import RESIDUAL_TYPES, ResidualReport, residual_scan
from lakehouse.pii.roster import Roster, load_roster
from lakehouse.pii.scrub import ScrubResult, scrub_frame

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_TEXT_COLUMNS",
    "ENTITY_TYPES",
    "RESIDUAL_TYPES",
    "PiiConfig",
    "PiiEngine",
    "ResidualReport",
    "Roster",
    "ScrubResult",
    "build_engine",
    "get_engine",
    "load_roster",
    "placeholder",
    "residual_scan",
    "scrub_frame",
]
