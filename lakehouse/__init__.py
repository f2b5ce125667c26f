"""The homework lakehouse's pure domain library.

Nothing here imports Dagster or Ray: a Ray worker, a test or a notebook can use any step alone.
"""

__version__ = "0.1.0"
