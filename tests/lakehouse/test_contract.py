"""The landing contract: fields, schemas and reason labels the readers, bronze and gates share."""

from __future__ import annotations

from lakehouse.contract import (
    BRONZE_SCHEMA,
    CONTRACT_FIELDS,
    ID_FIELDS,
    OPTIONAL_FIELDS,
    PROVENANCE_SCHEMA,
    QUARANTINE_SCHEMA,
    REQUIRED_FIELDS,
    QuarantineReason,
    bad_type,
    missing_field,
)


def test_fields_partition_the_contract_and_ids_are_required() -> None:
    assert set(REQUIRED_FIELDS).isdisjoint(OPTIONAL_FIELDS)
    assert CONTRACT_FIELDS == REQUIRED_FIELDS + OPTIONAL_FIELDS
    assert set(ID_FIELDS) <= set(REQUIRED_FIELDS)


def test_bronze_holds_every_contract_field_and_its_provenance() -> None:
    assert set(CONTRACT_FIELDS) <= set(BRONZE_SCHEMA)
    assert set(PROVENANCE_SCHEMA) <= set(BRONZE_SCHEMA)
    assert "reason" in QUARANTINE_SCHEMA and "raw_record" in QUARANTINE_SCHEMA


def test_field_reasons_carry_the_field_name() -> None:
    assert missing_field("answer_text") == "missing_field:answer_text"
    assert bad_type("grade") == "bad_type:grade"
    assert str(QuarantineReason.BAD_TIMESTAMP) == "bad_timestamp"
