"""Versioned model folders: the newest complete version is current; a new one is numbered next."""

from lakehouse.filters.versioned import latest_version, next_version


def test_latest_is_the_newest_complete_version(tmp_path):
    assert latest_version(tmp_path / "absent") is None
    assert next_version(tmp_path) == tmp_path / "v0001"
    for name in ("v0001", "v0002", "v0003", "notes"):
        (tmp_path / name).mkdir()
    (tmp_path / "v0001" / "model.json").write_text("{}")
    (tmp_path / "v0002" / "model.json").write_text("{}")
    # v0003 has no metadata yet (a training that did not finish): not current
    assert latest_version(tmp_path) == tmp_path / "v0002"
    assert next_version(tmp_path) == tmp_path / "v0004"
