from lakehouse.filters.safety import SafetyParams, SafetyStep
from lakehouse.filters.topic import TopicParams, TopicStep


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


def test_topics_from_course_ids(make_frame):
    frame = make_frame(["x", "y"]).with_columns(
        course_id=__import__("polars").Series(["cs101", "bio2"])
    )
    out = TopicStep(
        params=TopicParams(
            course_topics=(("cs", "computing"),), excluded_topics=frozenset({"bio2"})
        )
    ).apply(frame)
    assert out["topic"].to_list() == ["computing", "bio2"]
    assert out["topic_pass"].to_list() == [True, False]
    assert out["topic_assignment"][0] == "cs101/a1"
