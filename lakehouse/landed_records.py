"""How many records a landed night holds, counted as bronze counts them (before it has run)."""

from __future__ import annotations

from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.readers import SourceFile, UnreadableFileError, batch_files, read_batch_file


def count_landed_records(home: LakehouseHome, ref: PartitionRef) -> int:
    """The ledger's `landed` for a partition that has not run: every record the bronze readers
    yield (a torn or undecodable line is a record, a blank line is not) and one per file that
    cannot be read at all. Reads the night's files once, holding one chunk at a time."""
    total = 0
    for path in batch_files(home.night_dir(ref)):
        src = SourceFile(path, path.name, ref.institution_id, ref.night, sha256="")
        rows = 0
        try:
            for frame in read_batch_file(src):
                rows += frame.height
        except UnreadableFileError:
            rows = 1
        total += rows
    return total
