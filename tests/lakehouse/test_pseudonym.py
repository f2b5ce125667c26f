from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lakehouse.pseudonym import (
    KEY_ENV,
    KEY_FILE_ENV,
    PseudonymKeyError,
    load_key,
    pseudonym,
    pseudonymise_columns,
    pseudonymise_series,
)

KEY = b"k" * 32


def test_missing_key_is_an_actionable_error() -> None:
    with pytest.raises(PseudonymKeyError, match=KEY_ENV) as err:
        load_key(environ={})
    assert KEY_FILE_ENV in str(err.value)


def test_short_key_is_rejected_without_echoing_it() -> None:
    with pytest.raises(PseudonymKeyError, match="at least 32") as err:
        load_key(environ={KEY_ENV: "hunter2-secret"})
    assert "hunter2" not in str(err.value)


def test_key_from_env_or_file(tmp_path: Path) -> None:
    assert load_key(environ={KEY_ENV: "a" * 40}) == b"a" * 40
    secret = tmp_path / "key"
    secret.write_text("b" * 64 + "\n")
    assert load_key(environ={KEY_FILE_ENV: str(secret)}) == b"b" * 64
    with pytest.raises(PseudonymKeyError, match="cannot read"):
        load_key(environ={KEY_FILE_ENV: str(tmp_path / "absent")})


def test_stable_keyed_and_institution_scoped() -> None:
    a = pseudonym("S001", institution_id="inst_a", key=KEY)
    assert a == pseudonym("S001", institution_id="inst_a", key=KEY)
    assert a.startswith("p_") and len(a) == 34 and "S001" not in a
    assert a != pseudonym("S001", institution_id="inst_b", key=KEY)
    assert a != pseudonym("S001", institution_id="inst_a", key=b"z" * 32)
    assert pseudonym("bc", institution_id="a", key=KEY) != pseudonym(
        "c", institution_id="ab", key=KEY
    )


def test_vectorised_series_and_columns() -> None:
    s = pl.Series("student_id", ["S1", None, "S2", "S1"])
    out = pseudonymise_series(s, institution_id="i", key=KEY)
    assert out.name == "student_id"
    assert out.to_list() == [
        pseudonym("S1", institution_id="i", key=KEY),
        None,
        pseudonym("S2", institution_id="i", key=KEY),
        pseudonym("S1", institution_id="i", key=KEY),
    ]
    frame = pseudonymise_columns(
        pl.DataFrame({"student_id": ["S1"], "grader_id": ["T1"], "x": [1]}),
        institution_id="i",
        key=KEY,
    )
    assert frame.item(0, "grader_id") == pseudonym("T1", institution_id="i", key=KEY)
    assert frame.item(0, "x") == 1
    with pytest.raises(PseudonymKeyError):
        pseudonymise_series(s, institution_id="i", key=b"short")
