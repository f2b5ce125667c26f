"""Copy clusters leave minors out by default (issue 16): on a generated home with minors, the
minors' pseudonyms are excluded unless the institution opts in, and a cluster that only a minor
made with one other student disappears."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from lakehouse.consent import load_consent
from lakehouse.filters.copies import copy_clusters
from lakehouse.generate.landing import generate_home
from lakehouse.home import LakehouseHome
from lakehouse.institution_config import (
    InstitutionConfig,
    load_institution_config,
    write_institution_config,
)
from lakehouse.pseudonym import pseudonymise_series
from lakehouse.rights import copy_detection_exclusions
from tests.lakehouse.filters.test_dedup import A, C, run

KEY = b"k" * 32


def test_minors_are_left_out_of_copy_detection_unless_opted_in(
    make_frame: Callable[..., pl.DataFrame], tmp_path: Path
) -> None:
    generate_home(home=tmp_path, institutions=1, nights=1, submissions_per_night=50, seed=3)
    home = LakehouseHome(tmp_path)
    consent = load_consent(home.consent_csv("inst_000"))
    minors = consent.filter(pl.col("is_minor"))["student_id"]
    adults = consent.filter(~pl.col("is_minor"))["student_id"]
    assert minors.len() and adults.len() >= 3, "the generator writes minors and adults"
    minor = pseudonymise_series(minors, institution_id="inst_000", key=KEY)
    adult = pseudonymise_series(adults, institution_id="inst_000", key=KEY)
    left_out = copy_detection_exclusions(home, "inst_000", key=KEY)
    assert sorted(left_out) == sorted(minor.to_list())

    # one minor copies an adult; two adults copy each other
    students = [minor[0], adult[0], adult[1], adult[2]]
    docs = run(make_frame([A, A, C, C], students=students, institution="inst_000"), None)
    assert copy_clusters(documents=docs).height == 2
    clusters = copy_clusters(documents=docs, exclude_students=left_out)
    assert clusters["students"].to_list() == [sorted([adult[1], adult[2]])]

    settings = load_institution_config(home, "inst_000")
    write_institution_config(
        home,
        "inst_000",
        InstitutionConfig(**{**settings.model_dump(), "copy_detection_includes_minors": True}),
    )
    assert copy_detection_exclusions(home, "inst_000", key=KEY) == []
