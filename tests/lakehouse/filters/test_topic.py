"""The topic step: topics from course ids, excluded topics dropped."""

import polars as pl

from lakehouse.filters.topic import TopicParams, TopicStep


def test_topics_from_course_ids(make_frame):
    frame = make_frame(["x", "y"]).with_columns(course_id=pl.Series(["cs101", "bio2"]))
    out = TopicStep(
        params=TopicParams(
            course_topics=(("cs", "computing"),), excluded_topics=frozenset({"bio2"})
        )
    ).apply(frame)
    assert out["topic"].to_list() == ["computing", "bio2"]
    assert out["topic_pass"].to_list() == [True, False]
    assert out["topic_assignment"][0] == "cs101/a1"
