"""essays-seed: load essays in bulk from JSON Lines / CSV files, list them, or remove them.

    essays-seed load FILE... (--table NAME | --stack STACK) [--endpoint-url URL] [--region R]
                             [--dry-run] [--skip-invalid] [--new-sections] [--preview-share 0.3]
    essays-seed list (--table NAME | --stack STACK) [--section S] [--search WORDS]
    essays-seed remove [ID...] [--title "exact title" [--id ID | --all]] (--table NAME | --stack STACK)

Exit status: 0 all good, 1 some records were bad (or ids not found, or new sections refused),
2 the command could not run.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)
from tqdm import tqdm

from essays_cli import invalidation
from essays_cli.aws import EMULATOR_CREDENTIALS, stack_outputs
from essays_cli.loading.files import Problem
from essays_cli.loading.loader import Loader, Summary, Validation
from essays_cli.loading.previews import PreviewPolicy
from essays_cli.loading.progress import CHECKING, REBUILDING, WRITING
from essays_cli.loading.record import EssayRecord
from essays_cli.loading.writer import WriteFailed
from shared.errors import Unavailable

TABLE_OUTPUT = "EssaysTableName"
LOCAL = (
    f"{EMULATOR_CREDENTIALS} "
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
  Header names may be in any case; other columns are ignored. Semicolon- or tab-separated files
  are read too. In a CSV cell each line break starts a paragraph, unless the cell has blank lines
  between paragraphs (pasted text): then single line breaks are joined. In JSON Lines paragraphs
  are separated by a blank line. Interrupted? Run the same command again: it finishes the load.""",
    "list": f"""examples:
  essays-seed list --stack essay-library-dev --section "medicine through time"
  essays-seed list --stack essay-library-dev --search "cold war"
  {LOCAL.format(command="list")}

prints one essay a line: id, title, level / subject / section (tab-separated).""",
    "remove": f"""examples:
  essays-seed remove stalin-rise-to-power --stack essay-library-dev
  essays-seed remove --title "How deadly was the Black Death?" --stack essay-library-dev
  (when several essays have the title, they are listed and nothing is removed: add --id ID or --all)
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
        "remove",
        f'[ID...] [--title "EXACT TITLE" [--id ID | --all]] {TARGET}',
        "remove essays (and their previews, search entries...)",
    )
    remove.add_argument("ids", nargs="*", metavar="ID")
    remove.add_argument("--title", action="append", default=[], help="remove the essay with this exact title")
    remove.add_argument(
        "--id",
        action="append",
        default=[],
        metavar="ID",
        help="when several essays have the title: the one to remove (the refusal lists their ids)",
    )
    remove.add_argument("--all", action="store_true", help="when several essays have the title: remove them all")
    return parser


def _client(service: str, args: argparse.Namespace) -> Any:
    config = Config(
        connect_timeout=5,  # a wrong or stopped endpoint is said in seconds, not after minutes
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
    outputs = _outputs(args)
    if TABLE_OUTPUT in outputs:
        return outputs[TABLE_OUTPUT]
    raise _Refused(f"the stack {args.stack} has no {TABLE_OUTPUT} output")


def _outputs(args: argparse.Namespace) -> dict[str, str]:
    """The stack's outputs (one DescribeStacks a run)."""
    if getattr(args, "outputs", None) is None:
        args.outputs = stack_outputs(_client("cloudformation", args), args.stack)
    return dict(args.outputs)


def _edge(args: argparse.Namespace) -> invalidation.Edge | None:
    """Where the stack's answers are cached: its distribution, or the local stack's site (none with --table)."""
    if not args.stack:
        return None
    distribution = _outputs(args).get(invalidation.DISTRIBUTION_OUTPUT)
    if distribution:
        return invalidation.CloudFront(_client("cloudfront", args), distribution)
    return invalidation.local_site(args.stack, args.endpoint_url)


def _invalidate(args: argparse.Namespace, summary: Summary, dry_run: bool = False) -> bool:
    """The edge told what changed (one place, after the writes); False when that failed."""
    try:
        said = invalidation.after_writes(_edge(args), summary.changed_ids, summary.changed_sections, dry_run)
    except invalidation.NotInvalidated as error:
        _stderr(str(error))
        return False
    if said:
        print(said)
    return True


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


_PHASES = {
    CHECKING: ("Checking the files", "record"),
    WRITING: ("Writing", "essay"),
    REBUILDING: ("Rebuilding sections", "section"),
}


class _Shown:
    """A load's progress: each phase said in one line on stderr, and drawn as a bar on a terminal."""

    def __init__(self, dry_run: bool = False) -> None:
        self.phase = ""
        self.dry_run = dry_run
        self.bar: tqdm[Any] | None = None

    def start(self, phase: str, total: int | None) -> None:
        self.close()
        self.phase = phase
        label, unit = _PHASES[phase]
        if phase == WRITING:
            line = f"{'Comparing' if self.dry_run else 'Writing'} {total:,} essay(s)"
            line += " with the library (nothing is written)…" if self.dry_run else "…"
        elif phase == REBUILDING:
            if not total:
                return
            line = f"Rebuilding {total:,} section(s): related lists and essay counts…"
        else:
            line = "Checking the files…"
        _stderr(line)
        self.bar = tqdm(total=total, unit=unit, desc=label, disable=None, file=sys.stderr, leave=False)

    def advance(self, done: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _load(args: argparse.Namespace) -> int:
    try:
        policy = PreviewPolicy(share=args.preview_share)
    except ValueError as error:
        raise _Refused(str(error)) from error
    validation_only = args.dry_run and not (args.table or args.stack)
    client = None if validation_only else _client("dynamodb", args)
    table = "" if validation_only else _table_name(args)
    args.progress = progress = _Shown(args.dry_run)
    loader = Loader(
        client,
        table,
        policy,
        concurrency=args.concurrency,
        report=_print_problem,
        warn=_print_warning,
        progress=progress,
    )
    try:
        return _run_load(args, loader, validation_only)
    finally:
        progress.close()


def _run_load(args: argparse.Namespace, loader: Loader, validation_only: bool) -> int:

    validation = loader.validate(args.files)
    args.progress.close()
    if not _validation_allows(validation, args):
        return 1
    if validation_only:
        rows = validation.rejected_rows
        print(f"Dry run: {validation.valid} valid, {rows} rejected (files checked only)")
        return 1 if validation.rejected_lines else 0

    taxonomy = loader.read_taxonomy()  # with the sections an interrupted load left to finish
    had_sections = taxonomy.published > 0
    new_names = taxonomy.new_names(validation.sections)
    for name in new_names:
        print(f"{'Would add' if args.dry_run else 'Adds'} a {name} ({validation.rows_of(name.section_id)})")
    if new_names and had_sections and not args.new_sections:
        # the dry run refuses as the real run would: same check, same exit status
        _stderr(
            f"Nothing {'would be' if args.dry_run else 'was'} written: the library already has sections, and this "
            "load would add the ones above. Fix the names in the files, or rerun with --new-sections if they are meant."
        )
        return 1

    with tempfile.TemporaryFile("w+", encoding="utf-8") as new_ids:  # 150,000 ids would not fit a screen's memory

        def note_new_essay(record: EssayRecord, original: str | None) -> None:
            new_ids.write(f"  {record.essay_id}\t{record.title}\n")
            if original:
                _stderr(
                    f"warning: '{record.essay_id}' (\"{record.title}\") looks like an edited copy of '{original}' "
                    f"in {record.section}; give it that id to update it instead"
                )

        def note_retyped_title(record: EssayRecord, essay_id: str) -> None:
            _stderr(
                f"note: \"{record.title}\" is the essay '{essay_id}' of {record.section} with its title's quotes, "
                f"dashes, spacing or case changed: {'it would be' if args.dry_run else 'it is'} updated, not added "
                "again (give the row an id to make it a separate essay)"
            )

        summary = loader.load(
            args.files,
            validation,
            dry_run=args.dry_run,
            taxonomy=taxonomy,
            on_new=note_new_essay,
            on_same=note_retyped_title,
        )
        args.progress.close()
        _print_summary(summary, dry_run=args.dry_run)
        edge_told = _invalidate(args, summary, args.dry_run)
        if summary.loaded:
            print(f"New essays ({'would be ' if args.dry_run else ''}added, id and title):")
            new_ids.seek(0)
            for line in new_ids:
                print(line, end="")
    return 1 if summary.rejected or validation.unreadable_files or not edge_told else 0


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
    if not args.ids and not args.title and not args.id:
        raise _Refused('say which essays to remove: their ids, or --title "exact title" (ids: essays-seed list)')
    if (args.id or args.all) and not args.title:
        if args.all:
            raise _Refused("--all goes with --title: it removes every essay of that title")
        args.ids += args.id  # --id alone: the same as ids given as they are
        args.id = []
    loader = Loader(_client("dynamodb", args), _table_name(args))
    ids = list(args.ids)
    missing_titles = []
    ambiguous = False
    chosen = set(args.id)
    for title in args.title:
        found = loader.titled(title)
        if not found:
            missing_titles.append(title)
        elif len(found) == 1 or args.all:
            ids += [essay.essay_id for essay in found]
        elif picked := [essay for essay in found if essay.essay_id in chosen]:
            ids += [essay.essay_id for essay in picked]
            chosen -= {essay.essay_id for essay in picked}
        else:
            ambiguous = True
            _stderr(f'{len(found)} essays have the title "{title}" (id, section, level):')
            for essay in found:
                _stderr(f"  {essay.essay_id}\t{essay.subject} / {essay.section_name}\t{essay.level}")
    if ambiguous:
        _stderr("Nothing was removed: say which one with --id ID (one of the ids above), or remove them all with --all")
        return 1
    if chosen:
        raise _Refused(f"--id {', '.join(sorted(chosen))}: not an essay with the title given (--title)")
    summary = loader.remove(ids) if ids else Summary()
    print(f"{summary.removed} removed, {summary.not_found + len(missing_titles)} not found")
    edge_told = _invalidate(args, summary)
    for essay_id in summary.missing_ids:
        _stderr(f"not found: no essay has the id '{essay_id}' (essays-seed list shows the ids)")
    for title in missing_titles:
        _stderr(f'not found: no essay has the title "{title}" (essays-seed list --search shows titles)')
    return 1 if summary.not_found or missing_titles or not edge_told else 0


def _aws_advice(error: Exception) -> str:
    """Local mistakes said in plain words, with what to set; AWS's own refusals as they are."""
    local = (
        f"for the local stack of `make dev`, any values do: {EMULATOR_CREDENTIALS}, "
        "with --endpoint-url http://127.0.0.1:3000 --region eu-west-2"
    )
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return (
            "no AWS credentials were found on this machine: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            f"(or AWS_PROFILE, or run `aws configure`); {local}"
        )
    if isinstance(error, NoRegionError):
        return "say which AWS region the library is in: --region eu-west-2 (or set AWS_DEFAULT_REGION)"
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in ("UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException"):
            return f"AWS did not accept these credentials ({code}): check AWS_PROFILE or your keys; {local}"
        if code == "ResourceNotFoundException":
            return "no such table here: check --table (or --stack), --region and --endpoint-url"
        if code == "ValidationError" and "does not exist" in str(error):
            return f"no such stack here: check --stack, --region and --endpoint-url ({error})"
    return f"AWS refused the request: {error}"


def _connection_error(error: BaseException) -> BaseException | None:
    """The failure to reach the endpoint behind an error (a refused connection, a timeout), if any:
    the store reports those as Unavailable, like throttling, but they need another remedy."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ConnectionError | HTTPClientError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _unreachable(error: BaseException, args: argparse.Namespace) -> str:
    """Cannot reach the endpoint: which one, and for a local one whether anything listens there."""
    endpoint = args.endpoint_url
    if not endpoint:
        region = args.region or "your configured region"
        return (
            f"cannot reach AWS (DynamoDB in {region}): check your network connection and --region; nothing was written"
        )
    where = urlsplit(endpoint)
    host, port = where.hostname or "", where.port or (443 if where.scheme == "https" else 80)
    said = f"cannot reach the endpoint {endpoint} ({type(error).__name__}); nothing was written. "
    if host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0"):
        return said + "Check --endpoint-url, and that the emulator there is running"
    if not _listening(host, port):
        return said + (
            f"Nothing is listening on {host}:{port}: the local stack is not running. Start it with `make dev` "
            "(or `make dev-up`) and run the same command again; its endpoint is http://127.0.0.1:3000"
        )
    return said + (
        f"Something listens on {host}:{port} but did not answer as DynamoDB: check --endpoint-url "
        "(the local stack of `make dev` is http://127.0.0.1:3000), or restart the stack (make dev-down, make dev)"
    )


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run = {"load": _load, "list": _list, "remove": _remove}[args.command]
    try:
        return run(args)
    except _Refused as error:
        _stderr(f"essays-seed: {error}")
    except WriteFailed as error:
        _stderr(f"essays-seed: {error}")
    except Unavailable as error:
        unreachable = _connection_error(error)
        if unreachable is not None:
            _stderr(f"essays-seed: {_unreachable(unreachable, args)}")
        else:
            _stderr("essays-seed: DynamoDB is too busy right now; nothing was lost: run the same command again")
    except (ClientError, BotoCoreError) as error:
        unreachable = _connection_error(error)
        _stderr(f"essays-seed: {_unreachable(unreachable, args) if unreachable else _aws_advice(error)}")
    except KeyboardInterrupt:
        _stderr(f"essays-seed: {_interrupted(args)}")
    return 2


def _interrupted(args: argparse.Namespace) -> str:
    """What Ctrl-C left, said in one line, for the phase it came in."""
    progress = getattr(args, "progress", None)
    phase = progress.phase if progress is not None else ""
    if progress is not None:
        progress.close()
    if args.command == "list":
        return "interrupted"
    if args.command == "load" and phase in ("", CHECKING):
        return "interrupted while checking the files; nothing was written"
    if args.command == "load" and args.dry_run:
        return "interrupted; nothing was written (a dry run writes nothing)"
    doing = {WRITING: " while writing essays", REBUILDING: " while rebuilding sections"}.get(phase, "")
    return f"interrupted{doing}; nothing is lost: run the same command again to finish"


if __name__ == "__main__":
    sys.exit(main())
