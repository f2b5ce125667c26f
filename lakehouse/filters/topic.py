"""Topic labels from course and assignment ids, and an optional exclusion of topics."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lakehouse.filters.step import pass_column


@dataclass(frozen=True)
class TopicParams:
    course_topics: tuple[tuple[str, str], ...] = ()
    """(course_id prefix, topic) pairs, first match wins; unmatched courses use the course id."""
    excluded_topics: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TopicStep:
    """Columns `topic` (label), `topic_assignment` (course/assignment), `topic_pass`."""

    params: TopicParams = TopicParams()
    name: str = "topic"

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        course = pl.col("course_id").cast(pl.String)
        label: pl.Expr = course
        for prefix, topic in reversed(self.params.course_topics):
            label = pl.when(course.str.starts_with(prefix)).then(pl.lit(topic)).otherwise(label)
        excluded = pl.Series(sorted(self.params.excluded_topics), dtype=pl.String)
        return frame.with_columns(
            topic=label,
            topic_assignment=pl.concat_str([course, pl.col("assignment_id")], separator="/"),
        ).with_columns(
            (~pl.col("topic").is_in(excluded).fill_null(False)).alias(pass_column(self.name))
        )
