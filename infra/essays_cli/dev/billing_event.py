"""essays-dev billing-event TYPE --user EMAIL [--status S]: a correctly signed Stripe event of TYPE
about a reader of the local stack, sent to its webhook (the stack's test signing secret, from
.dev/stack.json)."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from essays_cli.aws import emulator_client
from essays_cli.dev.local import STATE_FILE
from essays_cli.dev.state import read_state


def main(argv: list[str]) -> int:
    from essays_cli.stripefake import EVENT_TYPES, Reader, event_for, signed

    parser = argparse.ArgumentParser(
        prog="essays-dev billing-event", description="Send a signed Stripe event about a local reader."
    )
    parser.add_argument("type", choices=EVENT_TYPES)
    parser.add_argument("--user", required=True, help="the reader's email in the local user pool")
    parser.add_argument("--status", help="the subscription's status (subscription events; default active/canceled)")
    parser.add_argument("--state-file", type=Path, default=STATE_FILE)
    args = parser.parse_args(argv)
    state: dict[str, Any] | None = read_state(args.state_file)
    if state is None:
        print(f"essays-dev: no local stack ({args.state_file}); start one with `make dev-up`", file=sys.stderr)
        return 2
    cognito = emulator_client("cognito-idp", state["endpointUrl"], state["region"])
    try:
        user = cognito.admin_get_user(UserPoolId=state["userPoolId"], Username=args.user)
    except ClientError:
        print(f"essays-dev: no reader {args.user} in the local user pool", file=sys.stderr)
        return 2
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    body = json.dumps(event_for(args.type, Reader(sub), status=args.status))
    request = urllib.request.Request(
        state["webhookUrl"],
        data=body.encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json", "Stripe-Signature": signed(body, state["stripeWebhookSecret"])},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, answer = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, answer = error.code, error.read().decode()
    print(f"{args.type} for {args.user} ({sub}): {status} {answer}")
    return 0 if status == 200 else 1
