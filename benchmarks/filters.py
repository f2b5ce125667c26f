"""Throughput of our filter chain vs DataTrove's filters on the same documents, same run.

    .venv/bin/python benchmarks/filters.py [--docs 20000] [--seed 0]

Documents: answers from the project generator (lakehouse.generate) when it is importable, SAF
answers and FLORES sentences from ../shared/data (beside the project root) when present, plus synthetic junk
(repetition, symbols, lorem ipsum, code), sampled to --docs. Our side runs single-threaded
(POLARS_MAX_THREADS=1, RAYON_NUM_THREADS=1) in a child process so docs/s is per core; DataTrove's
side (pure Python, one core) runs in .venv-bench through benchmarks/filters_datatrove.py.
Agreement compares our rule families, run with the published thresholds, with the DataTrove
filter implementing the same published rules.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
DATA = ROOT / ".." / "shared" / "data"


def junk(rng: random.Random, n: int) -> list[str]:
    words = [
        "the",
        "data",
        "packet",
        "router",
        "network",
        "send",
        "receive",
        "buffer",
        "window",
        "layer",
    ]
    out = []
    for _ in range(n):
        kind = rng.randrange(6)
        if kind == 0:
            out.append(" ".join([rng.choice(words)] * rng.randint(5, 60)))
        elif kind == 1:
            out.append(" ".join("#" * rng.randint(1, 4) for _ in range(rng.randint(5, 40))))
        elif kind == 2:
            out.append(
                "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * rng.randint(1, 5)
            )
        elif kind == 3:
            out.append("for (i = 0; i < n; i++) { sum += a[i]; }\n" * rng.randint(1, 6))
        elif kind == 4:
            line = " ".join(rng.choice(words) for _ in range(8))
            out.append("\n".join([line] * rng.randint(3, 10)))
        else:
            out.append("...\n" * rng.randint(2, 9))
    return out


def generated_answers(tmp: Path, seed: int) -> list[str]:
    try:
        import polars as pl

        from lakehouse.generate import generate_home
    except ImportError:
        return []
    home = tmp / "home"
    generate_home(
        home=home,
        institutions=2,
        nights=2,
        submissions_per_night=400,
        seed=seed,
        malformed=False,
        corpus_dir=DATA if DATA.exists() else None,
    )
    texts: list[str] = []
    for path in sorted((home / "landing").rglob("*")):
        name = path.name
        try:
            if name.endswith((".jsonl", ".jsonl.gz")):
                frame = pl.read_ndjson(path, infer_schema_length=None)
            elif name.endswith(".csv") and path.parent.name[:2].isdigit():
                frame = pl.read_csv(path, infer_schema_length=0)
            elif name.endswith(".parquet"):
                frame = pl.read_parquet(path)
            else:
                continue
        except Exception:
            continue
        if "answer_text" in frame.columns:
            texts.extend(t for t in frame["answer_text"].cast(pl.String).to_list() if t is not None)
    return texts


def build_documents(n_docs: int, seed: int, tmp: Path) -> list[str]:
    import polars as pl

    rng = random.Random(seed)
    pool = generated_answers(tmp, seed)
    if (DATA / "saf_en_train.jsonl").exists():
        saf = pl.read_ndjson(DATA / "saf_en_train.jsonl")
        pool += saf["answer"].to_list() + saf["reference_answer"].unique().to_list()
    if (DATA / "flores200_dev_11lang.tsv").exists():
        flores = pl.read_csv(DATA / "flores200_dev_11lang.tsv", separator="\t", quote_char=None)
        pool += flores["text"].to_list()
    pool += junk(rng, max(len(pool) // 10, 200))
    return [rng.choice(pool) for _ in range(n_docs)]


def run_ours(docs_path: Path, out_dir: Path) -> None:
    """Our side; runs in a child process with one thread."""
    import polars as pl

    from lakehouse.filters.dedup import band_keys
    from lakehouse.filters.repetition import RepetitionStep
    from lakehouse.filters.text_metrics import TextMetricParams, TextMetricsStep

    frame = pl.read_parquet(docs_path).select(answer_text="text", language=pl.lit("en"))
    timings = {}
    heuristics = (TextMetricsStep(params=TextMetricParams.published()), RepetitionStep())
    heuristics[0].apply(frame.head(50))
    start = time.perf_counter()
    out = frame
    for step in heuristics:
        out = step.apply(out)
    timings["heuristics"] = time.perf_counter() - start
    start = time.perf_counter()
    keys = band_keys(frame["answer_text"], ngram=5, bands=14, rows=8, seed=1)
    timings["minhash_signature"] = time.perf_counter() - start
    out.select(
        ours_gopher_quality="text_metrics_gopher_pass",
        ours_gopher_repetition="repetition_pass",
        ours_c4="text_metrics_c4_pass",
        ours_fineweb="text_metrics_fineweb_pass",
        words="text_metrics_words",
    ).write_parquet(out_dir / "ours_decisions.parquet")
    (out_dir / "ours_timings.json").write_text(
        json.dumps({"seconds": timings, "docs": frame.height, "minhash_signed": keys.count()})
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ours-only", nargs=2, metavar=("DOCS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ours_only:
        run_ours(Path(args.ours_only[0]), Path(args.ours_only[1]))
        return
    import polars as pl

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        texts = build_documents(args.docs, args.seed, tmp)
        docs_path = tmp / "docs.parquet"
        pl.DataFrame({"text": texts}).write_parquet(docs_path)
        env = {**os.environ, "POLARS_MAX_THREADS": "1", "RAYON_NUM_THREADS": "1"}
        subprocess.run(
            [sys.executable, __file__, "--ours-only", str(docs_path), str(tmp)],
            check=True,
            env=env,
            cwd=ROOT,
        )
        if not BENCH_PYTHON.exists():
            sys.exit(
                f"{BENCH_PYTHON} is missing: python3 -m venv .venv-bench && "
                ".venv-bench/bin/pip install datatrove polars spacy regex tokenizers nltk"
            )
        subprocess.run(
            [
                str(BENCH_PYTHON),
                str(ROOT / "benchmarks" / "filters_datatrove.py"),
                str(docs_path),
                str(tmp),
            ],
            check=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        ours = json.loads((tmp / "ours_timings.json").read_text())
        theirs = json.loads((tmp / "datatrove_timings.json").read_text())
        decisions = pl.concat(
            [
                pl.read_parquet(tmp / "ours_decisions.parquet"),
                pl.read_parquet(tmp / "datatrove_decisions.parquet"),
            ],
            how="horizontal",
        )
    n = len(texts)
    dt_heuristics = sum(
        theirs["seconds"][k] for k in ("gopher_repetition", "gopher_quality", "c4", "fineweb")
    )
    rows = [
        (
            "heuristics (Gopher quality+repetition, C4, FineWeb)",
            n / ours["seconds"]["heuristics"],
            n / dt_heuristics,
        ),
        (
            "MinHash signatures (5-gram, 14x8)",
            n / ours["seconds"]["minhash_signature"],
            n / theirs["seconds"]["minhash_signature"],
        ),
    ]
    print(f"\n{n} documents, one core each side\n")
    print(f"{'stage':<55}{'ours docs/s/core':>18}{'DataTrove':>12}{'ratio':>8}")
    for name, a, b in rows:
        print(f"{name:<55}{a:>18,.0f}{b:>12,.0f}{a / b:>7.1f}x")
    print(
        "\nper DataTrove filter (docs/s/core):",
        {k: round(n / v) for k, v in theirs["seconds"].items()},
    )
    print("\nagreement of keep/drop decisions (published thresholds on both sides)")
    total_agree = 0
    for family in ("gopher_quality", "gopher_repetition", "c4", "fineweb"):
        agree = float((decisions[f"ours_{family}"] == decisions[f"dt_{family}"]).mean() or 0.0)
        total_agree += agree
        kept_ours = float(decisions[f"ours_{family}"].mean() or 0.0)
        kept_dt = float(decisions[f"dt_{family}"].mean() or 0.0)
        print(
            f"  {family:<20} agreement {agree:6.1%}   kept: ours {kept_ours:6.1%}  DataTrove {kept_dt:6.1%}"
        )
    print(f"  {'all four':<20} agreement {total_agree / 4:6.1%}")
    # DataTrove's top-n-gram rule counts the most common n-gram even when it occurs once, so it
    # drops most short answers as "repetitive"; ours needs a repeat. On documents of >= 50 words
    # (Gopher's own floor) the two definitions coincide far more often:
    long_docs = decisions.filter(pl.col("words") >= 50)
    print(f"\nagreement on the {long_docs.height} documents of >= 50 words")
    for family in ("gopher_quality", "gopher_repetition", "c4", "fineweb"):
        agree = float((long_docs[f"ours_{family}"] == long_docs[f"dt_{family}"]).mean() or 0.0)
        print(f"  {family:<20} agreement {agree:6.1%}")


if __name__ == "__main__":
    main()
