from lakehouse.filters.repetition import RepetitionStep


def test_repetitive_documents_fail_and_prose_passes(make_frame):
    out = RepetitionStep().apply(
        make_frame(
            [
                "The sender retransmits a segment when its timer expires before the acknowledgement.",
                "buy now buy now buy now buy now buy now buy now buy now",
                "same line here\nsame line here\nsame line here\nanother one",
                "",
            ]
        )
    )
    assert out["repetition_pass"].to_list() == [True, False, False, True]
    assert "top_2gram" in out["repetition_failed"][1]
    assert "dup_lines" in out["repetition_failed"][2]
    assert out["repetition_dup_5gram_char_fraction"][1] == 1.0


def test_repetition_in_devanagari(make_frame):
    out = RepetitionStep().apply(make_frame(["यह उत्तर सही है " * 8]))
    assert out["repetition_pass"].to_list() == [False]
