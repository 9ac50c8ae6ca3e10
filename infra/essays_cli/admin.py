"""essays-admin: manage subscription records, for support staff and local development; restore a table.

    essays-admin subscription grant USER [--plan Monthly] [--days 30] [--status active|trialing]
    essays-admin subscription cancel USER
    essays-admin subscription show USER
    (each with --table NAME | --stack STACK_NAME, and [--endpoint-url URL] [--region R])

    essays-admin table restore essays|subscriptions|billing|meter --to 2026-12-03T08:00:00Z --stack STACK
        [--keep-copy] [--yes]

    essays-admin secret set stripe-key|stripe-webhook-secret|cursor-key --stack STACK [--generate]

USER is the identity provider's user id: the `sub` claim of the user's tokens.

`secret set` puts a new value into one of the stack's secrets, read from the terminal without echo
(or standard input), never from the command line (shell history); --generate makes a random one
(the cursor key). Warm functions read it within SecretsMaxAgeMinutes.

`table restore` brings a stack's table back to a second of the last 35 days and keeps it the stack's:
DynamoDB restores point-in-time into a new table only, so the command restores into
<table>-restored-<time>, then makes the stack's own table hold exactly that copy's items (writes the
copy's, deletes those the copy lacks), then deletes the copy (--keep-copy keeps it). The stack's
table keeps its name, settings, alarms and permissions: no template change, no resource import.
"""

from __future__ import annotations

import argparse
import getpass
import json
import secrets
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from essays_cli.aws import NoSuchOutput, stack_output
from shared.access.billing import operator_cancel, operator_grant
from shared.access.subscriptions import Status, Subscription
from shared.store.subscriptions import SubscriptionStore, item_of

TABLE_OUTPUT = "SubscriptionsTableName"
# The secrets `secret set` writes: the stack output naming each, and how its values start.
SECRET_OUTPUTS = {
    "stripe-key": ("StripeSecretKeyArn", ("sk_live_", "sk_test_", "rk_live_", "rk_test_")),
    "stripe-webhook-secret": ("StripeWebhookSecretArn", ("whsec_",)),
    "cursor-key": ("CursorSecretArn", ("",)),
}
MIN_CURSOR_KEY = 32  # shared/library/cursor.py refuses shorter keys
# The tables `table restore` can bring back, by the stack output naming each.
TABLE_OUTPUTS = {
    "essays": "EssaysTableName",
    "subscriptions": "SubscriptionsTableName",
    "billing": "BillingTableName",
    "meter": "MeterTableName",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="essays-admin", description="Manage subscriptions.")
    groups = parser.add_subparsers(dest="group", required=True)
    subscription = groups.add_parser("subscription", help="grant, cancel or show a user's subscription")
    actions = subscription.add_subparsers(dest="action", required=True)
    for name, text in (
        ("grant", "give USER an active (or trialing) subscription"),
        ("cancel", "cancel USER's subscription (access ends now, after the authorizer cache TTL)"),
        ("show", "print USER's subscription"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("user")
        where = action.add_mutually_exclusive_group(required=True)
        where.add_argument("--table", help="the subscriptions table's name")
        where.add_argument("--stack", help="a deployed stack: its SubscriptionsTableName output is used")
        action.add_argument("--endpoint-url", help="a local DynamoDB endpoint")
        action.add_argument("--region")
        if name == "grant":
            action.add_argument("--plan", default="Monthly")
            action.add_argument("--days", type=int, default=30, help="length of the paid period (default 30)")
            action.add_argument("--status", choices=["active", "trialing"], default="active")
    table = groups.add_parser("table", help="restore one of the stack's tables to a point in time")
    table_actions = table.add_subparsers(dest="action", required=True)
    restore = table_actions.add_parser("restore", help="make TABLE hold what it held at --to (point-in-time recovery)")
    restore.add_argument("table", choices=sorted(TABLE_OUTPUTS))
    restore.add_argument(
        "--to", required=True, help="ISO 8601 time with its offset (2026-12-03T08:00:00Z), or 'latest'"
    )
    restore.add_argument("--stack", required=True, help="the deployed stack whose table it is")
    restore.add_argument("--keep-copy", action="store_true", help="keep the restored copy afterwards")
    restore.add_argument("--yes", action="store_true", help="do not ask before changing the stack's table")
    restore.add_argument("--endpoint-url", help="a local AWS endpoint")
    restore.add_argument("--region")
    secret = groups.add_parser("secret", help="put a new value into one of the stack's secrets")
    secret_actions = secret.add_subparsers(dest="action", required=True)
    put = secret_actions.add_parser("set", help="the value is read from the terminal (no echo) or standard input")
    put.add_argument("secret", choices=sorted(SECRET_OUTPUTS))
    put.add_argument("--stack", required=True, help="the deployed stack whose secret it is")
    put.add_argument("--generate", action="store_true", help="a random value (the cursor key)")
    put.add_argument("--endpoint-url", help="a local AWS endpoint")
    put.add_argument("--region")
    return parser


def run_secret(args: argparse.Namespace) -> int:
    output, prefixes = SECRET_OUTPUTS[args.secret]
    if args.generate:
        if args.secret != "cursor-key":
            print("essays-admin: only the cursor key is ours to generate; Stripe issues the others", file=sys.stderr)
            return 2
        value = secrets.token_urlsafe(48)
    elif sys.stdin.isatty():
        value = getpass.getpass(f"{args.secret}: ")
    else:
        value = sys.stdin.readline()
    value = value.strip()
    if not value.startswith(prefixes) or (args.secret == "cursor-key" and len(value) < MIN_CURSOR_KEY):
        wanted = " or ".join(p + "..." for p in prefixes if p) or f"at least {MIN_CURSOR_KEY} characters"
        print(f"essays-admin: that is not a {args.secret} ({wanted}); nothing changed", file=sys.stderr)
        return 2
    arn = _stack_output(args, output)
    client = boto3.client("secretsmanager", region_name=args.region, endpoint_url=args.endpoint_url)
    version = client.put_secret_value(SecretId=arn, SecretString=value)["VersionId"]
    print(f"{args.secret}: new version {version} in {arn}; warm functions read it within SecretsMaxAgeMinutes")
    return 0


def _stack_output(args: argparse.Namespace, name: str) -> str:
    cloudformation = boto3.client("cloudformation", region_name=args.region, endpoint_url=args.endpoint_url)
    try:
        return stack_output(cloudformation, args.stack, name)
    except NoSuchOutput as missing:
        raise SystemExit(f"essays-admin: {missing}") from missing


def _store(args: argparse.Namespace) -> SubscriptionStore:
    table = _stack_output(args, TABLE_OUTPUT) if args.stack else args.table
    client = boto3.client("dynamodb", region_name=args.region, endpoint_url=args.endpoint_url)
    return SubscriptionStore(table, client)


@dataclass(frozen=True)
class Restored:
    table: str
    copy: str
    written: int
    deleted: int


def _items(client: Any, table: str) -> Iterator[dict[str, Any]]:
    pages = client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    for page in pages:
        yield from page.get("Items", [])


def _batches(requests: list[dict[str, Any]], size: int = 25) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(requests), size):
        yield requests[start : start + size]


def _write_all(client: Any, table: str, requests: list[dict[str, Any]]) -> None:
    for batch in _batches(requests):
        pending = {table: batch}
        while pending:  # what DynamoDB left unprocessed (throttling) goes again
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def restore_table(client: Any, table: str, when: datetime | None, *, keep_copy: bool = False) -> Restored:
    """`table` made to hold exactly what it held at `when` (None: the latest restorable time)."""
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    copy = f"{table}-restored-{stamp}"
    point = {"RestoreDateTime": when} if when else {"UseLatestRestorableTime": True}
    client.restore_table_to_point_in_time(SourceTableName=table, TargetTableName=copy, **point)
    client.get_waiter("table_exists").wait(TableName=copy, WaiterConfig={"Delay": 10, "MaxAttempts": 360})
    keys = [k["AttributeName"] for k in client.describe_table(TableName=table)["Table"]["KeySchema"]]

    def key_of(item: dict[str, Any]) -> str:
        return json.dumps([item[k] for k in keys], sort_keys=True)

    then = {key_of(item): item for item in _items(client, copy)}
    gone = [{k: item[k] for k in keys} for item in _items(client, table) if key_of(item) not in then]
    _write_all(client, table, [{"PutRequest": {"Item": item}} for item in then.values()])
    _write_all(client, table, [{"DeleteRequest": {"Key": key}} for key in gone])
    if not keep_copy:
        client.delete_table(TableName=copy)
    return Restored(table, copy, len(then), len(gone))


def run_restore(args: argparse.Namespace) -> int:
    when = None
    if args.to != "latest":
        try:
            when = datetime.fromisoformat(args.to)
        except ValueError:
            print(f"essays-admin: --to {args.to!r} is not an ISO 8601 time", file=sys.stderr)
            return 2
        if when.tzinfo is None:
            print("essays-admin: --to needs its UTC offset (e.g. 2026-12-03T08:00:00Z)", file=sys.stderr)
            return 2
    table = _stack_output(args, TABLE_OUTPUTS[args.table])
    if not args.yes:
        answer = input(f"Make {table} hold what it held at {args.to}? Later writes to it are lost. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("essays-admin: nothing changed", file=sys.stderr)
            return 1
    client = boto3.client("dynamodb", region_name=args.region, endpoint_url=args.endpoint_url)
    restored = restore_table(client, table, when, keep_copy=args.keep_copy)
    kept = f", copy kept as {restored.copy}" if args.keep_copy else ""
    print(f"{table}: restored to {args.to} ({restored.written} items written, {restored.deleted} deleted{kept})")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.group == "table":
        return run_restore(args)
    if args.group == "secret":
        return run_secret(args)
    store = _store(args)
    now = datetime.now(UTC).replace(microsecond=0)
    if args.action == "grant":
        if not 1 <= args.days <= 3660:
            print("essays-admin: --days must be from 1 to 3660", file=sys.stderr)
            return 2
        operator_grant(store, Subscription.for_days(args.user, args.plan, Status(args.status), args.days, now), now)
    elif args.action == "cancel" and store.get(args.user) is not None:
        operator_cancel(store, args.user, now)
    record = store.get(args.user)
    if record is None:
        print(f"essays-admin: {args.user} has no subscription", file=sys.stderr)
        return 1
    print(json.dumps(item_of(record), indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return run(args)
    except (ClientError, BotoCoreError) as error:
        print(f"essays-admin: AWS refused the request: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
