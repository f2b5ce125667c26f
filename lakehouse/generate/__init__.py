"""Realistic synthetic landing zones: graded homework in five scripts, planted PII, every defect.

`generate_home` writes `landing/` exactly as shared/CONTRACT.md describes, and `_truth/` beside it
with what the pipeline should find (counts, quarantine reasons, planted personal data, decoys).
"""

from lakehouse.generate.landing import GenerationSummary, generate_home, truth_root
from lakehouse.generate.night import NightSummary

__all__ = ["GenerationSummary", "NightSummary", "generate_home", "truth_root"]
