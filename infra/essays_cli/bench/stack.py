"""The local stack the measures run against: a DynamoDB endpoint with the sample essays and one
subscriber, and a JWKS endpoint for the authorizer."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, redirect_stdout
from datetime import UTC, datetime

from essays_cli.aws import EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY
from essays_cli.bench.common import METER, ROOT, SUBSCRIPTIONS, TABLE, USER


@contextmanager
def dynamodb_endpoint() -> Iterator[str]:
    """The local DynamoDB to measure against: ministack (pinned, in its own environment, see the
    Makefile) when installed; else moto's server, whose Query reads the whole table, so bulk
    loads there measure the emulator more than the loader."""
    ministack = ROOT / ".venv-ministack" / "bin" / "ministack"
    if ministack.exists():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen(
            [str(ministack)],
            env={**os.environ, "GATEWAY_PORT": str(port), "MINISTACK_HOST": "127.0.0.1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{url}/_ministack/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)
        return
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    emulator = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    emulator.start()
    host, port = emulator.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        emulator.stop()


@contextmanager
def local_stack() -> Iterator[dict[str, str]]:
    """A local DynamoDB with the samples and one subscriber, and a JWKS endpoint; yields the
    environment the functions (and the bench's programs) run with, the subscriber's token as TOKEN."""
    import boto3

    from essays_cli import seed
    from essays_cli.issuer import CLIENT_ID, JwksServer, LocalIssuer
    from essays_cli.template import table_definition
    from shared.access.billing import operator_grant
    from shared.access.subscriptions import Status, Subscription
    from shared.store.subscriptions import SubscriptionStore

    stack = ExitStack()
    dynamodb_url = stack.enter_context(dynamodb_endpoint())

    jwks = JwksServer()
    issuer_url = jwks.base
    issuer = LocalIssuer(issuer_url)
    jwks.document = issuer.jwks()
    env = {
        "AWS_ACCESS_KEY_ID": EMULATOR_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": EMULATOR_SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_url,
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": dynamodb_url,  # the same emulator serves both
        "ESSAYS_TABLE": TABLE,
        "SUBSCRIPTIONS_TABLE": SUBSCRIPTIONS,
        "METER_TABLE": METER,  # the essay function's (the bench's reader subscribes: never counted)
        "CURSOR_SECRET_ARN": "bench-cursor-secret",  # a name serves as well as an ARN
        "TOKEN_ISSUER": issuer_url,
        "TOKEN_AUDIENCE": CLIENT_ID,
        "TOKEN_USE": "access",
        "JWKS_URL": jwks.url,
        "JWKS_LOCAL_EMULATOR": "true",  # the keys are served on 127.0.0.1 over http
        "POWERTOOLS_SERVICE_NAME": "bench",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "TOKEN": issuer.token(USER),
    }
    os.environ.update(env)
    boto3.client("secretsmanager").create_secret(
        Name=env["CURSOR_SECRET_ARN"], SecretString="bench-cursor-secret-0123456789abcdef0123"
    )
    client = boto3.client("dynamodb")
    client.create_table(TableName=TABLE, **table_definition("EssaysTable"))
    client.create_table(TableName=SUBSCRIPTIONS, **table_definition("SubscriptionsTable"))
    client.create_table(TableName=METER, **table_definition("MeterTable"))
    samples = sorted(str(p) for p in (ROOT / "samples" / "essays").glob("*.*"))
    with redirect_stdout(sys.stderr):
        seed.main(["load", *samples, "--table", TABLE])
    now = datetime.now(UTC)
    operator_grant(
        SubscriptionStore(SUBSCRIPTIONS, client), Subscription.for_days(USER, "Monthly", Status.ACTIVE, 30, now), now
    )
    try:
        yield env
    finally:
        jwks.stop()
        stack.close()
