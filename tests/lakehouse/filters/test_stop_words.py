"""Stop-word lists: Gopher's English list as published, one list per kept language."""

from lakehouse.filters.stop_words import STOP_WORDS, stop_word_table


def test_table_has_one_row_per_distinct_language_word():
    table = stop_word_table()
    assert table.columns == ["language", "word"]
    assert table.height == len({(lang, w) for lang, ws in STOP_WORDS.items() for w in ws})
    english = set(table.filter(table["language"] == "en")["word"])
    assert english == {"the", "be", "to", "of", "and", "that", "have", "with"}


def test_custom_lists_replace_the_defaults():
    table = stop_word_table(stop_words={"xx": ("a", "a", "b")})
    assert sorted(table.rows()) == [("xx", "a"), ("xx", "b")]
