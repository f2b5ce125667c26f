"""Bronze ingestion throughput and peak memory at growing night sizes.

Generates one institution x one night of N submissions (with the generator's malformed input),
then ingests it in a fresh subprocess so that peak RSS is the ingestion's own. Prints a table.

    .venv/bin/python benchmarks/ingest.py                 # 10k, 100k, 1M
    .venv/bin/python benchmarks/ingest.py --sizes 10000   # one size
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

from lakehouse.generate import generate_home
from lakehouse.markdown import print_table

INGEST = """
import json, resource, sys, time
from datetime import date
from lakehouse.stages.bronze import bronze_partition
from lakehouse.home import LakehouseHome, PartitionRef
home = LakehouseHome(sys.argv[1])
ref = PartitionRef("inst_000", date.fromisoformat(sys.argv[2]))
started = time.perf_counter()
result = bronze_partition(home=home, ref=ref)
seconds = time.perf_counter() - started
print(json.dumps({
    "landed": result.landed, "accepted": result.accepted, "quarantined": result.quarantined,
    "bytes": result.bytes_read, "files": sum(result.files_by_format.values()),
    "seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def measure(size: int, workdir: Path) -> dict[str, float | int]:
    home = workdir / f"n{size}"
    night = date(2026, 1, 5)
    started = time.perf_counter()
    generate_home(home=home, institutions=1, nights=1, submissions_per_night=size, seed=1)
    generated = time.perf_counter() - started
    out = subprocess.run(
        [sys.executable, "-c", INGEST, str(home), night.isoformat()],
        check=True,
        capture_output=True,
        text=True,
    )
    row = json.loads(out.stdout.strip().splitlines()[-1])
    row["generate_s"] = generated
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        for size in args.sizes:
            r = measure(size, Path(tmp))
            rows.append(
                {
                    "submissions": size,
                    "landed": r["landed"],
                    "quarantined": r["quarantined"],
                    "files": r["files"],
                    "input_MB": round(r["bytes"] / 1e6, 1),
                    "ingest_s": round(r["seconds"], 2),
                    "records_per_s": int(r["landed"] / r["seconds"]),
                    "MB_per_s": round(r["bytes"] / 1e6 / r["seconds"], 1),
                    "peak_rss_MB": int(r["peak_rss_mb"]),
                    "generate_s": round(r["generate_s"], 1),
                }
            )
            print(f"done {size}", file=sys.stderr, flush=True)
    print_table(pl.DataFrame(rows))


if __name__ == "__main__":
    main()
