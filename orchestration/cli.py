"""`lakehouse`: the operator CLI (generate sample data, run partitions through Dagster, status).

Every argument is checked before any work starts: a mistake is one `error:` line on stderr that
says what was wrong and what is allowed, exit code 2, and nothing written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date

from orchestration.cli_common import Parser, UsageError, count_arg, institution_arg, night_arg
from orchestration.cli_generate import cmd_generate
from orchestration.cli_run import cmd_run
from orchestration.cli_status import cmd_status


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="lakehouse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{generate,run,status}")
    home_help = "lakehouse home (default: $LAKEHOUSE_HOME or ./lakehouse_home)"

    gen = sub.add_parser("generate", help="write a realistic sample landing zone")
    gen.add_argument("--home", help=home_help)
    gen.add_argument("--institutions", type=count_arg(1), default=3, help=">= 1 (default 3)")
    gen.add_argument("--nights", type=count_arg(1), default=3, help=">= 1 (default 3)")
    gen.add_argument(
        "--submissions",
        type=count_arg(1),
        default=200,
        help="records per institution per night: >= 50, or >= 1 with --clean (default 200)",
    )
    gen.add_argument("--seed", type=count_arg(0), default=0, help=">= 0 (default 0)")
    gen.add_argument(
        "--start-night", type=night_arg, default=date(2026, 1, 5), help="YYYY-MM-DD (2026-01-05)"
    )
    gen.add_argument("--clean", action="store_true", help="no malformed input")
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="materialise landed partitions through every asset")
    run.add_argument("--home", help=home_help)
    run.add_argument("--institution", type=institution_arg, help="only this landed institution")
    run.add_argument("--night", type=night_arg, help="only this landed night (YYYY-MM-DD)")
    run.add_argument(
        "--no-publish",
        action="store_true",
        help="skip the exports release and the warehouse rebuild after the partitions",
    )
    run.set_defaults(func=cmd_run)

    status = sub.add_parser(
        "status", help="each landed partition: its state, counts, gate verdicts, what to do"
    )
    status.add_argument("--home", help=home_help)
    status.set_defaults(func=cmd_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
