from lakehouse.filters.correction import CorrectionStep


def test_corrections_are_applied_and_recorded(make_frame):
    out = CorrectionStep().apply(
        make_frame(
            [
                "Itâ€™s <b>bold</b> &amp; <PERSON> called <PHONE>",
                "  spaced   out \n\n\n\n text ",
                "नमस्ते दुनिया".encode().decode("latin-1"),
                "e\u0301t\u00e9",
                "clean text.",
            ]
        )
    )
    assert out["answer_text"].to_list() == [
        "It’s bold & <PERSON> called <PHONE>",
        "spaced out\n\ntext",
        "नमस्ते दुनिया",
        "été",
        "clean text.",
    ]
    changes = out["correction_changes"].to_list()
    assert set(changes[0]) >= {"mojibake", "html"}
    assert changes[1] == ["whitespace"]
    assert changes[2] == ["mojibake"]
    assert changes[3] == ["nfc"]
    assert changes[4] == []
    assert out["answer_text_original"][4] is None
    assert out["answer_text_original"][1] == "  spaced   out \n\n\n\n text "
    assert all(out["correction_pass"])


def test_maths_with_angle_brackets_is_not_markup(make_frame):
    out = CorrectionStep().apply(make_frame(["if a < b and b > c then a < c"]))
    assert out["answer_text"][0] == "if a < b and b > c then a < c"
