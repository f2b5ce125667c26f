"""Scale: time, throughput and peak memory of every layer, on generated homes of growing size, and
per night as history grows.

What is measured is the *library's* cost per layer: each layer is one call of the `lakehouse`
function the Dagster asset calls (bronze `bronze_partition`, `consent_partition`,
`silver_partition`, the curate stage's `filter_models` training and `curated_partition`,
`ledger_partition`, `choose_reward_model`, `ray_jobs.score.score_partitions` +
`write_reward_scores`, then release-level `build_release` and `build_warehouse`), run in-process,
without Dagster (no run storage, event log, gates or step subprocesses are counted).

Every layer of every partition runs in a fresh child Python process. Inside it the layer's modules
are imported first, then the call is timed (`time.perf_counter`, and CPU seconds from
`getrusage`), so interpreter start and imports are not counted. Peak memory is the child's
peak resident set size after the call: the high-water mark of that process, which ran
nothing but the imports and this one layer (the imports' own RSS is shown beside it as
`import_MB`). For the warehouse, dbt runs as a subprocess of the child, so its peak is the larger
of the child's and RUSAGE_CHILDREN's. The child's own peak is VmHWM from /proc/self/status, not
`ru_maxrss`, which on Linux starts from the driver's RSS at fork (see `peak_rss_mb`).

Choices (all printed with the tables):

- A home is one institution; `--sizes` are submissions per night landed for it (the generator's
  malformed rows included; bronze quarantines them). Size mode runs the first night of a fresh
  lakehouse: no filter models yet (no earlier night), an empty dedup index, and the reward model
  is the cold-start one, so the history-dependent layers are measured by the nights mode.
- Nights mode (`--nights N --night-size K`): one institution, N consecutive nights of K, each
  night run through every layer in order, then the release-level layers over nights 1..k. The
  places where history could leak into a night's cost: the dedup index (looked up by every
  night), filter models (trained on the `--filter-history` nights before, default 7 as in the
  asset), the reward model (trained on the `--reward-history` calendar nights before, default 28).
  Their input sizes are printed per night. The release layers rebuild over all nights by design.
- Scrubbing runs in process (`lakehouse.pii.scrub_frame`; the asset hands nights of >= 50k rows to
  Ray). Scoring runs `score_partitions` in process (`local_threshold_rows` above the night), i.e.
  the same `RewardScorer` the Ray actors run, without Ray Data's fixed ~3.5 s and so that peak RSS
  is the scorer's own; `--ray-scoring` uses Ray (RSS is then the driver's only).
- Reward scoring with MiniLM on CPU is the slowest layer by far (tens of answers/s on this 2-core
  machine). A night with more scrubbed rows than `--score-sample` (default 2,000) is scored on a
  fixed sample of that many rows (every k-th row in submission_id order), its scores published,
  and the full night's time extrapolated linearly: those rows say `extrapolated`, their seconds
  are sample seconds x rows / sample rows (slightly pessimistic: a whole night repeats each
  question more often than a sample, and a question is encoded once per batch). `--score-sample 0`
  scores everything. Reward-model *training* has no such knob in the library: it encodes every
  graded answer of the window, so the nights mode at 10k is run with the reward layers skipped
  and separately, with them, at a smaller night size.
- `--skip-layers` leaves layers out (later layers needing them then fail and say so).

    .venv/bin/python benchmarks/scale.py            # 10k and 100k one night; 4 nights x 1k
    .venv/bin/python benchmarks/scale.py --sizes 1000000 --nights 0          # 1M, one night
    .venv/bin/python benchmarks/scale.py --sizes --nights 6 --night-size 10000 \
        --skip-layers reward_model reward_score     # history growth without the MiniLM layers
    .venv/bin/python benchmarks/scale.py --sizes --nights 5 --night-size 1000   # reward training
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from lakehouse.markdown import print_table as show_table
from lakehouse.tables import CONSENTED_TABLE, RAW_TABLE, SCRUBBED_TABLE

ROOT = Path(__file__).resolve().parents[1]
START_NIGHT = date(2026, 1, 5)
INSTITUTION = "inst_000"
NIGHT_LAYERS = (
    "bronze",
    "consent",
    "scrub",
    "filter_models",
    "curate",
    "ledger",
    "reward_model",
    "reward_score",
)
RELEASE_LAYERS = ("exports", "warehouse")
LAYERS = NIGHT_LAYERS + RELEASE_LAYERS
MARKER = ".scale-bench-home"
BENCH_ENV = {
    "RAY_AUTH_MODE": "disabled",
    "HF_HUB_OFFLINE": "1",
    "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
}
DEFAULT_KEY = "5ca1ab1e" * 8  # a benchmark-only pseudonym key (64 hex chars) when none is set


# --------------------------------------------------------------------------------------------
# child side: one layer of one partition (or of a release), timed after its imports
# --------------------------------------------------------------------------------------------


@dataclass
class Clock:
    started: float = 0.0
    cpu_started: float = 0.0

    def start(self) -> None:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu_started = usage.ru_utime + usage.ru_stime
        self.started = time.perf_counter()


def _rows(files: Sequence[Path]) -> int:
    if not files:
        return 0
    return int(pl.scan_parquet(list(files)).select(pl.len()).collect().item())


def _partition_rows(home: Any, layer: str, table: str, ref: Any) -> int:
    return _rows(sorted(home.partition_dir(layer, table, ref).glob("*.parquet")))


def _scrubbed_before(home: Any, ref: Any, *, first: date | None, last_n: int | None) -> int:
    """Scrubbed rows of this institution's nights before `ref.night` (from `first`, or the
    `last_n` latest): what the filter models (last n) or the reward model (calendar window) read."""
    table = home.table_dir("silver", SCRUBBED_TABLE) / f"institution={ref.institution_id}"
    nights = sorted(
        d
        for d in table.glob("night=*")
        if date.fromisoformat(d.name.removeprefix("night=")) < ref.night
        and (first is None or date.fromisoformat(d.name.removeprefix("night=")) >= first)
    )
    if last_n is not None:
        nights = nights[-last_n:]
    return _rows([f for d in nights for f in sorted(d.glob("*.parquet"))])


def _layer_bronze(home: Any, ref: Any, opts: dict[str, Any], clock: Clock) -> dict[str, Any]:
    from lakehouse.stages.bronze import bronze_partition

    clock.start()
    result = bronze_partition(home=home, ref=ref)
    return {"rows_in": result.landed, "rows_out": result.accepted}


def _layer_consent(home: Any, ref: Any, opts: dict[str, Any], clock: Clock) -> dict[str, Any]:
    from lakehouse.stages.consent import consent_partition

    rows_in = _partition_rows(home, "bronze", RAW_TABLE, ref)
    clock.start()
    result = consent_partition(home=home, ref=ref)
    return {"rows_in": rows_in, "rows_out": result.consented_rows}


def _layer_scrub(home: Any, ref: Any, opts: dict[str, Any], clock: Clock) -> dict[str, Any]:
    from lakehouse.pseudonym import load_key
    from lakehouse.stages.silver import silver_partition

    rows_in = _partition_rows(home, "bronze", CONSENTED_TABLE, ref)
    key = load_key()
    clock.start()
    result, _ = silver_partition(home=home, ref=ref, key=key)
    return {"rows_in": rows_in, "rows_out": result.rows}


def _layer_filter_models(home: Any, ref: Any, opts: dict[str, Any], clock: Clock) -> dict[str, Any]:
    from lakehouse.stages.curated import filter_models

    history = _scrubbed_before(home, ref, first=None, last_n=opts["filter_history"])
    clock.start()
    folder = filter_models(home, ref, history_nights=opts["filter_history"])
    return {
        "rows_in": history,
        "rows_out": int(folder is not None),
        "note": f"trained on {history} rows" if folder else "no earlier night: no models",
    }


def _layer_curate(home: Any, ref: Any, opts: dict[str, Any], clock: Clock) -> dict[str, Any]:
    from lakehouse.pseudonym import load_key
    from lakehouse.stages.curated import curated_partition

    rows_in = _partition_rows(home, "silver", SCRUBBED_TABLE, ref)
    index_rows = _rows(sorted((home.dedup_index / "parts").glob("*/*/*.parquet")))
    key = load_key()
    clock.start()
    result, _ = curated_partition(
        home=home, ref=ref, key=key, history_nights=opts["filter_history"]
    )
    return {
        "rows_in": rows_in,
        "rows_out": result.kept,
        "index_entries": index_rows,
        "note": f"dedup index held {index_rows} entries",
    }


def _layer_ledger(home: Any, ref: Any, opts: dict[str, Any], clock: Clock) -> dict[str, Any]:
    from lakehouse.stages.ledger import ledger_partition, stage_counts

    rows_in = stage_counts(home, ref).height
    clock.start()
    ledger = ledger_partition(home=home, ref=ref)
    return {"rows_in": rows_in, "rows_out": ledger.height}


def _layer_reward_model(home: Any, ref: Any, opts: dict[str, Any], clock: Clock) -> dict[str, Any]:
    from lakehouse.stages.reward import choose_reward_model

    window = opts["reward_history"]
    history = _scrubbed_before(home, ref, first=ref.night - timedelta(days=window), last_n=None)
    clock.start()
    choice = choose_reward_model(home=home, ref=ref, history_nights=window)
    return {
        "rows_in": history,
        "rows_out": 1,
        "scope": choice.scope,
        "note": f"{choice.scope}" + (f", trained on {history} rows" if history else ""),
    }


def _score_sample(ref: Any, source: Path, rows: int, sample: int, work: Path) -> Path:
    """Every k-th row (submission_id order) of the night: a fixed, reproducible sample."""
    frame = pl.read_parquet(sorted(source.glob("*.parquet"))).sort("submission_id")
    picked = frame.gather_every(max(1, rows // sample)).head(sample)
    out = work / "_score_samples" / f"{ref.institution_id}-{ref.night.isoformat()}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    picked.write_parquet(out)
    return out


def _layer_reward_score(home: Any, ref: Any, opts: dict[str, Any], clock: Clock) -> dict[str, Any]:
    from lakehouse.stages.reward import choose_reward_model, write_reward_scores
    from ray_jobs.score import ScoreJobConfig, score_partitions

    source = home.partition_dir("silver", SCRUBBED_TABLE, ref)
    rows_in = _partition_rows(home, "silver", SCRUBBED_TABLE, ref)
    choice = choose_reward_model(home=home, ref=ref, history_nights=opts["reward_history"])
    sample = opts["score_sample"]
    inputs: list[Path] = [source]
    sampled = bool(sample) and rows_in > sample
    if sampled:
        inputs = [_score_sample(ref, source, rows_in, sample, Path(opts["work"]))]
    threshold = 0 if opts["ray_scoring"] else rows_in + 1
    config = ScoreJobConfig(local_threshold_rows=threshold, device=opts["device"])
    clock.start()
    job = score_partitions(inputs=inputs, model_path=choice.path, config=config)
    write_reward_scores(home, ref, job.scores)
    out: dict[str, Any] = {
        "rows_in": rows_in,
        "rows_out": job.scores.height,
        "note": f"{job.mode}, {job.device}",
    }
    if sampled:
        out["extrapolate"] = rows_in / max(job.scores.height, 1)
        out["note"] += f"; sample of {job.scores.height} rows, time extrapolated"
    return out


def _layer_exports(
    home: Any, refs: list[Any], opts: dict[str, Any], clock: Clock
) -> dict[str, Any]:
    from lakehouse.exports import build_release

    rows_in = sum(_partition_rows(home, "silver", SCRUBBED_TABLE, r) for r in refs)
    clock.start()
    release = build_release(home, refs)
    rows_out = sum(d.rows for d in release.datasets.values())
    return {
        "rows_in": rows_in,
        "rows_out": rows_out,
        "note": f"{len(refs)} partitions, {len(release.datasets)} datasets",
    }


def _layer_warehouse(
    home: Any, refs: list[Any], opts: dict[str, Any], clock: Clock
) -> dict[str, Any]:
    from lakehouse import warehouse

    build = getattr(warehouse, "build_warehouse", None)
    if build is None:
        raise RuntimeError("lakehouse.warehouse has no build_warehouse")
    rows_in = sum(_partition_rows(home, "silver", SCRUBBED_TABLE, r) for r in refs)
    clock.start()
    result = build(home)
    nodes = sum(result.statuses.values())
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(result.statuses.items()))
    return {"rows_in": rows_in, "rows_out": nodes, "note": f"dbt nodes: {statuses}"}


PARTITION_FUNCS: dict[str, Callable[..., dict[str, Any]]] = {
    "bronze": _layer_bronze,
    "consent": _layer_consent,
    "scrub": _layer_scrub,
    "filter_models": _layer_filter_models,
    "curate": _layer_curate,
    "ledger": _layer_ledger,
    "reward_model": _layer_reward_model,
    "reward_score": _layer_reward_score,
}
RELEASE_FUNCS: dict[str, Callable[..., dict[str, Any]]] = {
    "exports": _layer_exports,
    "warehouse": _layer_warehouse,
}


def peak_rss_mb() -> float:
    """This process's peak RSS in MB: VmHWM of /proc/self/status (Linux), else ru_maxrss.

    Not ru_maxrss where VmHWM exists: Linux carries the pre-exec high-water mark into a new
    program's ru_maxrss, and the pre-exec memory of a subprocess is the (v)forked parent's, so a
    small layer would report the benchmark driver's own size. VmHWM belongs to the address space
    that exec created, i.e. only to this program."""
    import resource

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_main(spec_json: str) -> None:
    """Run one layer as `spec` says and print one JSON line (counts and timings only)."""
    import resource

    from lakehouse.home import LakehouseHome, PartitionRef

    spec = json.loads(spec_json)
    home = LakehouseHome(spec["home"])
    layer = spec["layer"]
    clock = Clock()
    refs = [PartitionRef(i, date.fromisoformat(n)) for i, n in spec["refs"]]
    if layer in PARTITION_FUNCS:
        out = PARTITION_FUNCS[layer](home, refs[-1], spec["opts"], clock)
    else:
        out = RELEASE_FUNCS[layer](home, refs, spec["opts"], clock)
    seconds = time.perf_counter() - clock.started
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime - clock.cpu_started + kids.ru_utime + kids.ru_stime
    out.update(
        seconds=seconds,
        cpu_seconds=cpu,
        # dbt (the warehouse) is a child of this process: its peak counts too. A child's
        # ru_maxrss may include this process's size when it forked: no more than our own peak.
        peak_rss_mb=max(peak_rss_mb(), kids.ru_maxrss / 1024),
        import_rss_mb=spec.get("import_rss_mb", 0.0),
    )
    print("SCALE-RESULT " + json.dumps(out), flush=True)


CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
import json
spec = json.loads(sys.argv[2])
from benchmarks.scale import child_main, import_layer, peak_rss_mb
import_layer(spec["layer"])
spec["import_rss_mb"] = peak_rss_mb()
child_main(json.dumps(spec))
"""

TORCH_IMPORTS = (
    "torch",
    "transformers",
    "transformers.models.auto.modeling_auto",
    "transformers.models.auto.tokenization_auto",
    "transformers.models.bert.modeling_bert",
    "sklearn.linear_model",
)
LAYER_IMPORTS = {
    "bronze": ("lakehouse.stages.bronze",),
    "consent": ("lakehouse.stages.consent",),
    "scrub": ("lakehouse.stages.silver", "lakehouse.pii"),
    "filter_models": ("lakehouse.stages.curated",),
    "curate": ("lakehouse.stages.curated",),
    "ledger": ("lakehouse.stages.ledger",),
    "reward_model": ("lakehouse.stages.reward", *TORCH_IMPORTS),
    "reward_score": ("lakehouse.stages.reward", "ray_jobs.score", *TORCH_IMPORTS),
    "exports": ("lakehouse.exports",),
    "warehouse": ("lakehouse.warehouse",),
}


def import_layer(layer: str) -> None:
    """Import a layer's modules before its clock starts (imports are not the layer's cost)."""
    import importlib

    for name in LAYER_IMPORTS[layer]:
        importlib.import_module(name)


# --------------------------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    env = {**os.environ, **BENCH_ENV}
    env.setdefault("LAKEHOUSE_PSEUDONYM_KEY", DEFAULT_KEY)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def run_layer(
    layer: str, home: Path, refs: Sequence[tuple[str, date]], opts: dict[str, Any]
) -> dict[str, Any]:
    spec = {
        "layer": layer,
        "home": str(home),
        "refs": [(i, n.isoformat()) for i, n in refs],
        "opts": opts,
    }
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), json.dumps(spec)],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=ROOT,
        check=False,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("SCALE-RESULT "):
            result = json.loads(line.removeprefix("SCALE-RESULT "))
            result["ok"] = True
            return result
    # never echo the child's output (it could hold row contents): only the exception's type
    tail = [ln for ln in proc.stderr.splitlines() if ln and not ln.startswith(" ")]
    error = tail[-1].split(":", 1)[0] if tail else f"exit {proc.returncode}"
    return {"ok": False, "note": f"failed: {error}", "rows_in": 0, "rows_out": 0}


def generate(home: Path, *, nights: int, size: int, seed: int) -> float:
    """A fresh generated home (the CLI's generate: landing zone and institution settings)."""
    import contextlib
    import io

    from orchestration.cli import main as cli_main

    if home.exists():
        if not (home / MARKER).exists():
            raise SystemExit(f"{home} exists and was not made by this benchmark: not touching it")
        shutil.rmtree(home)
    home.mkdir(parents=True)
    (home / MARKER).write_text("scratch home of benchmarks/scale.py\n")
    started = time.perf_counter()
    args = ["--institutions", "1", "--nights", str(nights), "--submissions", str(size)]
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli_main(["generate", "--home", str(home), *args, "--seed", str(seed)])
    if code:
        raise SystemExit(f"generate failed with exit code {code}")
    return time.perf_counter() - started


def _seconds(r: dict[str, Any]) -> float | None:
    if not r.get("ok"):
        return None
    return r["seconds"] * r.get("extrapolate", 1.0)


def layer_row(layer: str, r: dict[str, Any]) -> dict[str, Any]:
    seconds = _seconds(r)
    rate = int(r["rows_in"] / seconds) if seconds and r["rows_in"] else None
    extrapolated = "extrapolate" in r
    return {
        "layer": layer,
        "rows_in": r["rows_in"],
        "rows_out": r["rows_out"],
        "seconds": None if seconds is None else round(seconds, 2),
        "cpu_s": None if not r.get("ok") else round(r["cpu_seconds"] * r.get("extrapolate", 1), 1),
        "rows_per_s": rate,
        "peak_RSS_MB": int(r["peak_rss_mb"]) if r.get("ok") else None,
        "import_MB": int(r["import_rss_mb"]) if r.get("ok") else None,
        "note": ("extrapolated; " if extrapolated else "") + r.get("note", ""),
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    show_table(pl.DataFrame(rows, infer_schema_length=None), max_str_len=90, width=250)
    print(flush=True)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_size(size: int, work: Path, layers: Sequence[str], opts: dict[str, Any]) -> None:
    home = work / f"size-{size}"
    generated = generate(home, nights=1, size=size, seed=opts["seed"])
    log(f"size {size}: generated in {generated:.1f}s")
    refs = [(INSTITUTION, START_NIGHT)]
    rows = []
    for layer in layers:
        r = run_layer(layer, home, refs, opts)
        log(f"size {size}: {layer} {_fmt(r)}")
        rows.append(layer_row(layer, r))
    total = sum(row["seconds"] or 0.0 for row in rows)
    rows.append(
        {"layer": "total", "seconds": round(total, 2), "rows_in": size, "rows_out": None}
        | {"note": f"generate {generated:.1f}s (not included)"}
    )
    print(f"### {size:,} submissions, one institution, one night (first night of a fresh home)\n")
    print_table(rows)


def _fmt(r: dict[str, Any]) -> str:
    if not r.get("ok"):
        return r["note"]
    s = _seconds(r) or 0.0
    return f"{r['rows_in']} rows in {s:.2f}s, peak {r['peak_rss_mb']:.0f} MB {r.get('note', '')}"


def run_nights(nights: int, size: int, work: Path, layers: Sequence[str], opts: dict[str, Any]):
    home = work / f"nights-{nights}x{size}"
    generated = generate(home, nights=nights, size=size, seed=opts["seed"])
    log(f"nights {nights}x{size}: generated in {generated:.1f}s")
    seconds_rows, cpu_rows, rss_rows, history_rows = [], [], [], []
    for k in range(nights):
        night = START_NIGHT + timedelta(days=k)
        refs = [(INSTITUTION, START_NIGHT + timedelta(days=j)) for j in range(k + 1)]
        results: dict[str, dict[str, Any]] = {}
        for layer in layers:
            results[layer] = run_layer(
                layer, home, refs if layer in RELEASE_LAYERS else [refs[-1]], opts
            )
            log(f"night {k + 1}: {layer} {_fmt(results[layer])}")
        sec: dict[str, Any] = {"night": k + 1}
        rss: dict[str, Any] = {"night": k + 1}
        cpu: dict[str, Any] = {"night": k + 1}
        for layer in layers:
            r = results[layer]
            s = _seconds(r)
            sec[layer] = None if s is None else round(s, 2)
            cpu[layer] = round(r["cpu_seconds"] * r.get("extrapolate", 1.0), 1) if r["ok"] else None
            rss[layer] = int(results[layer]["peak_rss_mb"]) if results[layer].get("ok") else None
        sec["night_total"] = round(
            sum(v for lay, v in sec.items() if lay in NIGHT_LAYERS and v is not None), 2
        )
        seconds_rows.append(sec)
        cpu_rows.append(cpu)
        rss_rows.append(rss)
        history_rows.append(
            {
                "night": k + 1,
                "date": night.isoformat(),
                "landed": results.get("bronze", {}).get("rows_in"),
                "scrubbed": results.get("scrub", {}).get("rows_out"),
                "filter_training_rows": results.get("filter_models", {}).get("rows_in"),
                "dedup_index_entries": results.get("curate", {}).get("index_entries"),
                "reward_training_rows": results.get("reward_model", {}).get("rows_in"),
                "reward_scope": results.get("reward_model", {}).get("scope"),
                "release_rows_in": results.get("exports", {}).get("rows_in"),
            }
        )
    title = f"{nights} nights x {size:,} submissions, one institution"
    print(f"### {title}: seconds per layer (night_total: the per-partition layers)\n")
    print_table(seconds_rows)
    print(f"### {title}: CPU seconds per layer (less sensitive to other load on the machine)\n")
    print_table(cpu_rows)
    print(f"### {title}: peak RSS MB per layer\n")
    print_table(rss_rows)
    print(f"### {title}: what each night read (the history-dependent inputs)\n")
    print_table(history_rows)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=[10_000, 100_000],
        help="submissions per night (one institution, one night); none: skip size mode",
    )
    parser.add_argument("--nights", type=int, default=4, help="nights mode; 0 skips it")
    parser.add_argument("--night-size", type=int, default=1_000, help="submissions per night")
    parser.add_argument("--work", type=Path, default=None, help="scratch dir (default: a tmp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated homes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-layers", nargs="*", default=[], choices=LAYERS, metavar="LAYER")
    parser.add_argument("--filter-history", type=int, default=7, help="nights (asset default 7)")
    parser.add_argument("--reward-history", type=int, default=28, help="nights (asset default 28)")
    parser.add_argument(
        "--score-sample",
        type=int,
        default=2_000,
        help="score at most this many rows of a night, extrapolating the time; 0: all",
    )
    parser.add_argument("--ray-scoring", action="store_true", help="score through Ray Data")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    layers = [layer for layer in LAYERS if layer not in set(args.skip_layers)]
    for name, value in BENCH_ENV.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("LAKEHOUSE_PSEUDONYM_KEY", DEFAULT_KEY)
    tmp = None
    if args.work is None:
        tmp = tempfile.mkdtemp(prefix="scale-bench-")
        work = Path(tmp)
    else:
        work = args.work
        work.mkdir(parents=True, exist_ok=True)
    opts = {
        "seed": args.seed,
        "filter_history": args.filter_history,
        "reward_history": args.reward_history,
        "score_sample": args.score_sample,
        "ray_scoring": args.ray_scoring,
        "device": args.device,
        "work": str(work),
    }
    print(
        f"# Scale benchmark: {os.cpu_count()} CPUs, in-process library calls (no Dagster), "
        f"each layer in a fresh process; scoring {'on Ray' if args.ray_scoring else 'in process'}"
        f", device {args.device}, score sample {args.score_sample or 'off'}\n"
    )
    try:
        for size in args.sizes:
            run_size(size, work, layers, opts)
        if args.nights > 0:
            run_nights(args.nights, args.night_size, work, layers, opts)
    finally:
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
