"""essays-seed: load essays in bulk from JSON Lines / CSV files, or remove them.

    essays-seed load FILE... (--table NAME | --stack STACK) [--endpoint-url URL] [--region R]
                             [--dry-run] [--skip-invalid] [--preview-share 0.3]
    essays-seed remove ID... (--table NAME | --stack STACK) [--endpoint-url URL] [--region R]

Exit status: 0 all good, 1 some records were bad (or ids not found), 2 the command could not run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from tqdm import tqdm

from essays_cli.loading.files import Problem
from essays_cli.loading.loader import Loader, Summary
from essays_cli.loading.previews import PreviewPolicy
from essays_cli.loading.writer import WriteFailed

TABLE_OUTPUT = "EssaysTableName"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="essays-seed", description="Load or remove essays of the library.")
    commands = parser.add_subparsers(dest="command", required=True)

    def target(command: argparse.ArgumentParser) -> None:
        where = command.add_mutually_exclusive_group()
        where.add_argument("--table", help="the essays table's name")
        where.add_argument("--stack", help="a deployed stack: its EssaysTableName output is used")
        command.add_argument("--endpoint-url", help="a local DynamoDB endpoint, e.g. http://127.0.0.1:5000")
        command.add_argument("--region", help="AWS region (default: from your AWS configuration)")
        command.add_argument("--concurrency", type=int, default=4, help="parallel write requests (default 4)")

    load = commands.add_parser("load", help="load essays from .jsonl and .csv files")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    target(load)
    load.add_argument("--dry-run", action="store_true", help="check the files and say what would change")
    load.add_argument("--skip-invalid", action="store_true", help="load the good records even if some are bad")
    load.add_argument(
        "--preview-share",
        type=float,
        default=PreviewPolicy.share,
        help="largest share of an essay's words its preview may show (default 0.3)",
    )

    remove = commands.add_parser("remove", help="remove essays (and their previews, search entries...)")
    remove.add_argument("ids", nargs="+", metavar="ID")
    target(remove)
    return parser


def _client(service: str, args: argparse.Namespace) -> Any:
    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        max_pool_connections=max(10, args.concurrency * 2),
        parameter_validation=False,  # requests are built by the loader, not typed in: no need to re-check them
    )
    return boto3.client(service, region_name=args.region, endpoint_url=args.endpoint_url, config=config)  # type: ignore[call-overload]


def _table_name(args: argparse.Namespace) -> str:
    if args.table:
        return str(args.table)
    stacks = _client("cloudformation", args).describe_stacks(StackName=args.stack)["Stacks"]
    for output in stacks[0].get("Outputs", []):
        if output["OutputKey"] == TABLE_OUTPUT:
            return str(output["OutputValue"])
    raise SystemExit(f"essays-seed: the stack {args.stack} has no {TABLE_OUTPUT} output")


def _print_problem(problem: Problem) -> None:
    print(problem, file=sys.stderr)


def _print_summary(summary: Summary, *, dry_run: bool = False) -> None:
    verb = "would be " if dry_run else ""
    print(
        f"{'Dry run: ' if dry_run else ''}{summary.loaded} {verb}loaded, {summary.updated} {verb}updated, "
        f"{summary.unchanged} unchanged, {summary.rejected} rejected"
        + (f"; {summary.sections_rebuilt} sections refreshed" if summary.sections_rebuilt else "")
    )


def _load(args: argparse.Namespace) -> int:
    try:
        policy = PreviewPolicy(share=args.preview_share)
    except ValueError as error:
        print(f"essays-seed: {error}", file=sys.stderr)
        return 2
    validation_only = args.dry_run and not (args.table or args.stack)
    if not (args.table or args.stack or validation_only):
        print("essays-seed: say where to load: --table NAME or --stack STACK_NAME", file=sys.stderr)
        return 2
    client = None if validation_only else _client("dynamodb", args)
    table = "" if validation_only else _table_name(args)
    loader = Loader(client, table, policy, concurrency=args.concurrency, report=_print_problem)

    validation = loader.validate(args.files)
    if validation.rejected_lines:
        print(
            f"{len(validation.rejected_lines)} bad record(s), {validation.problems} problem(s) listed above.",
            file=sys.stderr,
        )
        if not args.skip_invalid and not args.dry_run:
            print("Nothing was written. Fix them, or rerun with --skip-invalid to load the good ones.", file=sys.stderr)
            return 1
    if validation_only:
        print(f"Dry run: {validation.valid} valid, {len(validation.rejected_lines)} rejected (files checked only)")
        return 1 if validation.rejected_lines else 0

    with tqdm(total=validation.valid, unit="essay", disable=None, file=sys.stderr) as bar:
        loader.progress = bar.update
        summary = loader.load(args.files, validation, dry_run=args.dry_run)
    _print_summary(summary, dry_run=args.dry_run)
    return 1 if summary.rejected else 0


def _remove(args: argparse.Namespace) -> int:
    loader = Loader(_client("dynamodb", args), _table_name(args))
    summary = loader.remove(args.ids)
    print(f"{summary.removed} removed, {summary.not_found} not found")
    return 1 if summary.not_found else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _load(args) if args.command == "load" else _remove(args)
    except WriteFailed as error:
        print(f"essays-seed: {error}", file=sys.stderr)
    except (ClientError, BotoCoreError) as error:
        print(f"essays-seed: AWS refused the request: {error}", file=sys.stderr)
    except KeyboardInterrupt:
        print("essays-seed: interrupted; run the same command again to finish", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
