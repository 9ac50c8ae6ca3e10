"""essays-seed: load essays in bulk from JSON Lines / CSV files, list them, or remove them.

    essays-seed load FILE... (--table NAME | --stack STACK) [--endpoint-url URL] [--region R]
                             [--dry-run] [--skip-invalid] [--new-sections] [--preview-share 0.3]
    essays-seed list (--table NAME | --stack STACK) [--section S] [--search WORDS]
    essays-seed remove [ID...] [--title "exact title"] (--table NAME | --stack STACK)

Exit status: 0 all good, 1 some records were bad (or ids not found, or new sections refused),
2 the command could not run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)
from tqdm import tqdm

from essays_cli.loading.files import Problem
from essays_cli.loading.loader import Loader, Summary, Validation
from essays_cli.loading.previews import PreviewPolicy
from essays_cli.loading.record import EssayRecord
from essays_cli.loading.writer import WriteFailed
from shared.errors import Unavailable

TABLE_OUTPUT = "EssaysTableName"
LOCAL = (
    "AWS_ACCESS_KEY_ID=000000000000 AWS_SECRET_ACCESS_KEY=local "
    "essays-seed {command} --stack essay-library-local --endpoint-url http://127.0.0.1:3000 --region eu-west-2"
)
TARGET = "(--table NAME | --stack STACK_NAME) [--endpoint-url URL] [--region REGION]"
EXAMPLES = {
    "load": f"""examples:
  essays-seed load essays.csv --stack essay-library-dev --region eu-west-2 --dry-run
  essays-seed load samples/essays/*.jsonl samples/essays/*.csv --table EssaysTable-ABC123
  the local stack of `make dev` / `make dev-up` (any credentials do; these are its values):
  {LOCAL.format(command="load my-essays.csv")}

files: .jsonl (one JSON object per line) or .csv saved as "CSV UTF-8", with the columns
  title, level, subject, section, body (required), id, rating (1-5), teacherComment (optional).
  Header names may be in any case; other columns are ignored. In a CSV cell each line break
  starts a paragraph; in JSON Lines paragraphs are separated by a blank line.""",
    "list": f"""examples:
  essays-seed list --stack essay-library-dev --section "medicine through time"
  essays-seed list --stack essay-library-dev --search "cold war"
  {LOCAL.format(command="list")}

prints one essay a line: id, title, level / subject / section (tab-separated).""",
    "remove": f"""examples:
  essays-seed remove stalin-rise-to-power --stack essay-library-dev
  essays-seed remove --title "How deadly was the Black Death?" --stack essay-library-dev
  {LOCAL.format(command="remove stalin-rise-to-power")}

find ids with `essays-seed list`.""",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="essays-seed",
        description="Load, list or remove the essays of the library. `essays-seed COMMAND --help` shows examples.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{load,list,remove}")

    def command(name: str, usage: str, summary: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            usage=f"essays-seed {name} {usage}",
            help=summary,
            description=summary,
            epilog=EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        where = sub.add_argument_group("where the library is (one of --table or --stack is required)")
        exclusive = where.add_mutually_exclusive_group()
        exclusive.add_argument("--table", metavar="NAME", help="the essays table's name")
        exclusive.add_argument("--stack", metavar="STACK_NAME", help="a deployed stack: its EssaysTableName output")
        where.add_argument("--endpoint-url", metavar="URL", help="a local emulator, e.g. http://127.0.0.1:3000")
        where.add_argument("--region", help="AWS region (else AWS_DEFAULT_REGION or your AWS configuration)")
        sub.add_argument("--concurrency", type=int, default=8, help="parallel write requests (default: 8)")
        return sub

    load = command(
        "load",
        f"FILE... {TARGET}\n       [--dry-run] [--skip-invalid] [--new-sections] [--preview-share SHARE]",
        "load essays from .jsonl and .csv files (checked first: nothing is written if one is bad)",
    )
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument(
        "--dry-run", action="store_true", help="check the files and say what would change (no table: files only)"
    )
    load.add_argument("--skip-invalid", action="store_true", help="load the good records even if some are bad")
    load.add_argument(
        "--new-sections",
        action="store_true",
        help="allow a load to create levels, subjects or sections the library does not have yet",
    )
    load.add_argument(
        "--preview-share",
        type=float,
        default=PreviewPolicy.share,
        metavar="SHARE",
        help=f"largest share of an essay a preview may show (default: {PreviewPolicy.share})",
    )

    listing = command("list", f"{TARGET} [--section S] [--search WORDS]", "list essays: id, title and section")
    listing.add_argument("--section", metavar="S", help="a section's id, or words of its subject or name")
    listing.add_argument("--search", metavar="WORDS", help="only titles holding all these words")

    remove = command(
        "remove", f'[ID...] [--title "EXACT TITLE"] {TARGET}', "remove essays (and their previews, search entries...)"
    )
    remove.add_argument("ids", nargs="*", metavar="ID")
    remove.add_argument("--title", action="append", default=[], help="remove the essay with this exact title")
    return parser


def _client(service: str, args: argparse.Namespace) -> Any:
    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        max_pool_connections=max(10, args.concurrency * 2),
        parameter_validation=False,  # requests are built by the loader, not typed in: no need to re-check them
    )
    return boto3.client(service, region_name=args.region, endpoint_url=args.endpoint_url, config=config)  # type: ignore[call-overload]


class _Refused(Exception):
    """The command cannot run as asked; the message says what to do."""


def _table_name(args: argparse.Namespace) -> str:
    if args.table:
        return str(args.table)
    if not args.stack:
        raise _Refused("say where the library is: --table NAME or --stack STACK_NAME")
    stacks = _client("cloudformation", args).describe_stacks(StackName=args.stack)["Stacks"]
    for output in stacks[0].get("Outputs", []):
        if output["OutputKey"] == TABLE_OUTPUT:
            return str(output["OutputValue"])
    raise _Refused(f"the stack {args.stack} has no {TABLE_OUTPUT} output")


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def _print_problem(problem: Problem) -> None:
    _stderr(str(problem))


def _print_warning(problem: Problem) -> None:
    _stderr(f"warning: {problem}")


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
        raise _Refused(str(error)) from error
    validation_only = args.dry_run and not (args.table or args.stack)
    client = None if validation_only else _client("dynamodb", args)
    table = "" if validation_only else _table_name(args)
    loader = Loader(client, table, policy, concurrency=args.concurrency, report=_print_problem, warn=_print_warning)

    validation = loader.validate(args.files)
    if not _validation_allows(validation, args):
        return 1
    if validation_only:
        rows = validation.rejected_rows
        print(f"Dry run: {validation.valid} valid, {rows} rejected (files checked only)")
        return 1 if validation.rejected_lines else 0

    taxonomy = loader.read_taxonomy()
    had_sections = bool(taxonomy.sections)
    new_names = taxonomy.new_names(validation.sections)
    for name in new_names:
        print(f"{'Would add' if args.dry_run else 'Adds'} a {name}")
    if new_names and had_sections and not args.new_sections and not args.dry_run:
        _stderr(
            "Nothing was written: the library already has sections, and this load would add the ones above. "
            "Fix the names in the files, or rerun with --new-sections if they are meant."
        )
        return 1

    with tempfile.TemporaryFile("w+", encoding="utf-8") as new_ids:  # 150,000 ids would not fit a screen's memory

        def heard_new(record: EssayRecord, original: str | None) -> None:
            new_ids.write(f"  {record.essay_id}\t{record.title}\n")
            if original:
                _stderr(
                    f"warning: '{record.essay_id}' (\"{record.title}\") looks like an edited copy of '{original}' "
                    f"in {record.section}; give it that id to update it instead"
                )

        with tqdm(total=validation.valid, unit="essay", disable=None, file=sys.stderr) as bar:
            loader.progress = bar.update
            summary = loader.load(args.files, validation, dry_run=args.dry_run, taxonomy=taxonomy, on_new=heard_new)
        _print_summary(summary, dry_run=args.dry_run)
        if summary.loaded:
            print(f"New essays ({'would be ' if args.dry_run else ''}added, id and title):")
            new_ids.seek(0)
            for line in new_ids:
                print(line, end="")
    return 1 if summary.rejected or validation.unreadable_files else 0


def _validation_allows(validation: Validation, args: argparse.Namespace) -> bool:
    """Says what validation found; False when nothing may be written."""
    files = validation.unreadable_files
    rows = validation.rejected_rows
    if not validation.rejected_lines:
        return True
    if files:
        _stderr(f"{len(files)} file(s) could not be read at all; what to do is said above for each.")
    if rows:
        _stderr(f"{rows} bad record(s), {validation.problems} problem(s) listed above.")
    if args.skip_invalid or args.dry_run:
        return validation.valid > 0 or args.dry_run
    if validation.valid == 0:
        _stderr("Nothing was written: nothing could be loaded.")
    else:
        _stderr("Nothing was written. Fix them, or rerun with --skip-invalid to load the good ones.")
    return False


def _list(args: argparse.Namespace) -> int:
    loader = Loader(_client("dynamodb", args), _table_name(args))
    count = 0
    for essay in loader.essays(args.section, args.search):
        print(essay)
        count += 1
    _stderr(f"{count} essay(s)")
    return 0


def _remove(args: argparse.Namespace) -> int:
    if not args.ids and not args.title:
        raise _Refused('say which essays to remove: their ids, or --title "exact title" (ids: essays-seed list)')
    loader = Loader(_client("dynamodb", args), _table_name(args))
    ids = list(args.ids)
    missing_titles = []
    for title in args.title:
        found = loader.titled(title)
        ids += [essay.essay_id for essay in found]
        if not found:
            missing_titles.append(title)
    summary = loader.remove(ids) if ids else Summary()
    print(f"{summary.removed} removed, {summary.not_found + len(missing_titles)} not found")
    for essay_id in summary.missing_ids:
        _stderr(f"not found: no essay has the id '{essay_id}' (essays-seed list shows the ids)")
    for title in missing_titles:
        _stderr(f'not found: no essay has the title "{title}" (essays-seed list --search shows titles)')
    return 1 if summary.not_found or missing_titles else 0


def _aws_advice(error: Exception) -> str:
    """Local mistakes said in plain words, with what to set; AWS's own refusals as they are."""
    local = (
        "for the local stack of `make dev`, any values do: AWS_ACCESS_KEY_ID=000000000000 "
        "AWS_SECRET_ACCESS_KEY=local, with --endpoint-url http://127.0.0.1:3000 --region eu-west-2"
    )
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return (
            "no AWS credentials were found on this machine: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            f"(or AWS_PROFILE, or run `aws configure`); {local}"
        )
    if isinstance(error, NoRegionError):
        return "say which AWS region the library is in: --region eu-west-2 (or set AWS_DEFAULT_REGION)"
    if isinstance(error, EndpointConnectionError):
        return f"cannot reach {error.kwargs.get('endpoint_url')}: is the local stack up (make dev-up)? {local}"
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in ("UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException"):
            return f"AWS did not accept these credentials ({code}): check AWS_PROFILE or your keys; {local}"
        if code == "ResourceNotFoundException":
            return "no such table here: check --table (or --stack), --region and --endpoint-url"
        if code == "ValidationError" and "does not exist" in str(error):
            return f"no such stack here: check --stack, --region and --endpoint-url ({error})"
    return f"AWS refused the request: {error}"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run = {"load": _load, "list": _list, "remove": _remove}[args.command]
    try:
        return run(args)
    except _Refused as error:
        _stderr(f"essays-seed: {error}")
    except WriteFailed as error:
        _stderr(f"essays-seed: {error}")
    except Unavailable:
        _stderr("essays-seed: DynamoDB is too busy right now; nothing was lost: run the same command again")
    except (ClientError, BotoCoreError) as error:
        _stderr(f"essays-seed: {_aws_advice(error)}")
    except KeyboardInterrupt:
        _stderr("essays-seed: interrupted; run the same command again to finish")
    return 2


if __name__ == "__main__":
    sys.exit(main())
