"""essays-admin: manage subscription records, for support staff and local development.

    essays-admin subscription grant USER [--plan Monthly] [--days 30] [--status active|trialing]
    essays-admin subscription cancel USER
    essays-admin subscription show USER
    (each with --table NAME | --stack STACK_NAME, and [--endpoint-url URL] [--region R])

USER is the identity provider's user id: the `sub` claim of the user's tokens.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from shared.access.subscriptions import Status, Subscription
from shared.store.subscriptions import SubscriptionStore, item_of

TABLE_OUTPUT = "SubscriptionsTableName"


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
    return parser


def _store(args: argparse.Namespace) -> SubscriptionStore:
    table = args.table
    if args.stack:
        cloudformation = boto3.client("cloudformation", region_name=args.region, endpoint_url=args.endpoint_url)
        outputs = cloudformation.describe_stacks(StackName=args.stack)["Stacks"][0].get("Outputs", [])
        table = next((o["OutputValue"] for o in outputs if o["OutputKey"] == TABLE_OUTPUT), None)
        if table is None:
            raise SystemExit(f"essays-admin: the stack {args.stack} has no {TABLE_OUTPUT} output")
    client = boto3.client("dynamodb", region_name=args.region, endpoint_url=args.endpoint_url)
    return SubscriptionStore(table, client)


def run(args: argparse.Namespace) -> int:
    store = _store(args)
    now = datetime.now(UTC).replace(microsecond=0)
    if args.action == "grant":
        if not 1 <= args.days <= 3660:
            print("essays-admin: --days must be from 1 to 3660", file=sys.stderr)
            return 2
        record = Subscription.for_days(args.user, args.plan, Status(args.status), args.days, now)
        store.put(record)
    else:
        current = store.get(args.user)
        if current is None:
            print(f"essays-admin: {args.user} has no subscription", file=sys.stderr)
            return 1
        record = current
        if args.action == "cancel":
            record = replace(current, status=Status.CANCELED, current_period_end=now, updated_at=now)
            store.put(record)
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
