import contextlib
import datetime as dt

from lakehouse.filters.dedup import (
    ExactDedupStep,
    MinHashDedupStep,
    ParagraphDedupStep,
    copy_clusters,
    index_entries,
)
from lakehouse.filters.dedup_index import DedupIndex

A = "The transmission control protocol provides reliable ordered delivery of a stream of bytes between hosts."
B = "UDP is connectionless and gives no guarantee of delivery, ordering or duplicate protection at all."
C = "Routing tables map destination prefixes to next hops and are filled by routing protocols like OSPF."
NIGHT1 = dt.date(2024, 1, 1)
NIGHT2 = dt.date(2024, 1, 2)


def run(frame, index):
    for step in (
        ParagraphDedupStep(index=index),
        MinHashDedupStep(index=index),
        ExactDedupStep(index=index),
    ):
        frame = step.apply(frame)
    return frame


def test_within_a_night_first_seen_wins_and_clusters_form(make_frame):
    out = run(
        make_frame([A, B, A + " Indeed.", A.upper()], students=["s1", "s2", "s3", "s4"]), None
    )
    assert out["minhash_dedup_pass"].to_list() == [True, True, False, False]
    assert out["exact_dedup_pass"].to_list() == [True, True, True, False]
    assert out["minhash_dedup_cluster"].to_list()[2:] == ["inst_a/inst_a-2024-01-01-0"] * 2
    assert out["minhash_dedup_scope"].to_list() == [None, None, "same_question", "same_question"]
    clusters = copy_clusters(documents=out)
    assert clusters.height == 1
    assert clusters["students"][0].to_list() == ["s1", "s3", "s4"]


def test_across_nights_and_institutions_with_rerun_and_erasure(make_frame, tmp_path):
    index = DedupIndex(tmp_path / "index")
    first = run(make_frame([A, B], institution="inst_a", night=NIGHT1), index)
    assert all(first["exact_dedup_pass"])
    index.record(entries=index_entries(first))
    # re-running the same night: its own entries are replaced, never matched
    rerun = run(make_frame([A, B], institution="inst_a", night=NIGHT1), index)
    assert (
        all(rerun["exact_dedup_pass"])
        and all(rerun["minhash_dedup_pass"])
        and all(rerun["paragraph_dedup_pass"])
    )
    assert index.record(entries=index_entries(rerun)) == 2
    assert index.entries().collect().height == 2
    # the second copy, in another institution on a later night, is caught
    second = run(make_frame([B.lower(), C], institution="inst_b", night=NIGHT2), index)
    assert second["exact_dedup_pass"].to_list() == [False, True]
    assert second["minhash_dedup_pass"].to_list() == [False, True]
    assert second["exact_dedup_duplicate_of"][0] == "inst_a/inst_a-2024-01-01-1"
    assert second["minhash_dedup_duplicate_of"][0] == "inst_a/inst_a-2024-01-01-1"
    assert (
        second["minhash_dedup_scope"][0] == "cross_question"
        or second["minhash_dedup_scope"][0] == "same_question"
    )
    index.record(entries=index_entries(second))
    # erasure removes the student everywhere, history included
    removed = index.erase(student_pseudonyms=["stu1"])
    assert removed == 2  # inst_a's stu1 (B) and inst_b's stu1 (C)
    assert "stu1" not in index.entries().collect()["student_pseudonym"].to_list()
    for version in range(1, index.current_version()):
        with contextlib.suppress(FileNotFoundError):  # versions holding stu1 are deleted
            assert (
                "stu1"
                not in index.entries(version=version).collect()["student_pseudonym"].to_list()
            )
    # C was only ever written by the erased student: it no longer counts as seen
    again = run(make_frame([C, A], institution="inst_c", night=NIGHT2), index)
    assert again["exact_dedup_pass"].to_list() == [True, False]


def test_paragraph_dedup_scores_share_of_repeated_paragraphs(make_frame):
    out = ParagraphDedupStep().apply(
        make_frame([A + "\n\n" + B, C + "\n\n" + B, "Short.\n\nShort."])
    )
    fractions = out["paragraph_dedup_char_fraction"].to_list()
    assert fractions[0] == 0.0
    assert 0.3 < fractions[1] < 0.7
    assert fractions[2] == 0.0  # paragraphs under min_words are ignored


def test_copy_clusters_name_only_the_institutions_own_submissions(make_frame, tmp_path):
    """110 `mart_copy_clusters` rows named another institution's submissions (issue 16): a
    partition's clusters list its own members and count the other institutions' copies."""
    index = DedupIndex(tmp_path / "index")
    first = run(make_frame([A, A, C], institution="inst_a", night=NIGHT1), index)
    index.record(entries=index_entries(first))
    second = run(
        make_frame([A, A.lower(), B], institution="inst_b", night=NIGHT2, students=["x", "y", "z"]),
        index,
    )
    clusters = copy_clusters(documents=second, index=index)
    assert clusters["institution_id"].to_list() == ["inst_b"]
    assert clusters["members"][0].to_list() == ["inst_b-2024-01-02-0", "inst_b-2024-01-02-1"]
    assert clusters["students"][0].to_list() == ["x", "y"]
    assert clusters["other_institution_members"].to_list() == [2]
