"""The safety step: a word-boundary-aware, multi-script blocklist."""

from lakehouse.filters.safety import SafetyParams, SafetyStep


def test_blocklist_is_word_boundary_aware_and_multiscript(make_frame):
    out = SafetyStep().apply(
        make_frame(
            ["The class assessment passed.", "you are a bastard", "तुम हरामी हो", "tum chutiya ho"]
        )
    )
    assert out["safety_pass"].to_list() == [True, False, False, False]
    assert out["safety_terms"][2].to_list() == ["हरामी"]


def test_custom_blocklist(make_frame):
    out = SafetyStep(params=SafetyParams(blocklist=frozenset({"cheat"}))).apply(
        make_frame(["I cheat", "bastard"])
    )
    assert out["safety_pass"].to_list() == [False, True]
