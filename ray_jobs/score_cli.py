"""`python -m ray_jobs.score`: the scoring job's command line (`ray_jobs.score` holds the job)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from ray_jobs.score import DEFAULT_LOCAL_THRESHOLD_ROWS, ScoreJobConfig, score_partitions


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m ray_jobs.score",
        description="Score scrubbed_submissions Parquet partitions with a reward model on Ray.",
    )
    ap.add_argument("--input", action="append", required=True, help="partition folder or file")
    ap.add_argument("--model", type=Path, required=True, help="reward model folder")
    ap.add_argument(
        "--embeddings", action="append", default=[], help="text_embeddings partition or file"
    )
    ap.add_argument("--output", type=Path, required=True, help="scores Parquet file to write")
    ap.add_argument("--actors", type=int, default=None)
    ap.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--local-threshold", type=int, default=DEFAULT_LOCAL_THRESHOLD_ROWS)
    ap.add_argument("--num-cpus", type=int, default=None, help="CPUs of a local Ray")
    ap.add_argument(
        "--actor-resource",
        action="append",
        default=[],
        metavar="NAME=AMOUNT",
        help="custom resource each scoring actor needs (pins actors to nodes that have it)",
    )
    return ap


def main(argv: Sequence[str] | None = None) -> None:
    """CLI entrypoint; prints a JSON summary (counts and timing only, never ids or text)."""
    args = _parser().parse_args(argv)
    config = ScoreJobConfig(
        actors=args.actors,
        device=args.device,
        batch_size=args.batch_size,
        local_threshold_rows=args.local_threshold,
        num_cpus=args.num_cpus,
        actor_resources={
            name: float(amount)
            for name, _, amount in (item.partition("=") for item in args.actor_resource)
        }
        or None,
    )
    result = score_partitions(
        inputs=args.input,
        model_path=args.model,
        config=config,
        output=args.output,
        embeddings=args.embeddings,
    )
    print(
        json.dumps(
            {
                "rows": result.scores.height,
                "mode": result.mode,
                "actors": result.actors,
                "device": result.device,
                "model_version": result.model_version,
                "seconds": round(result.seconds, 3),
                "output": str(args.output),
            }
        )
    )


if __name__ == "__main__":
    main()
