"""Dagster software-defined assets: each reads its inputs, calls `lakehouse`, writes, and
returns metadata. No domain logic lives here."""
