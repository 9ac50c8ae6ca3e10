"""One cold start, in a fresh interpreter: import a handler and serve its first request.

    python -m essays_cli.bench.first_request baseline
    python -m essays_cli.bench.first_request baseline-read
    python -m essays_cli.bench.first_request baseline-secret
    python -m essays_cli.bench.first_request function NAME EVENT_FILE

Prints the milliseconds from this module's start to the response, wall clock and CPU time of
this process (which waiting for a shared machine's cores does not inflate), or -1 -1 when the
function did not answer 200 (the authorizer: Allow). The clock starts before anything else is imported, so
imports are timed alike for the baselines and the functions. The baselines are the floor every
function stands on: `baseline` imports boto3 and creates a DynamoDB client, `baseline-read` also
makes the GetItem a function's first request makes (botocore resolves the endpoint, loads the
operation's model and signs on the first call); `baseline-secret` also makes the GetSecretValue of
the cursor key that search and sections make on a first request that pages (they sign cursors).
"""

import time

START, START_CPU = time.perf_counter(), time.process_time()

import os  # noqa: E402 - imported at interpreter start-up anyway
import sys  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _elapsed_ms() -> tuple[float, float]:
    return (time.perf_counter() - START) * 1000, (time.process_time() - START_CPU) * 1000


def baseline(read: bool, secret: bool = False) -> tuple[float, float]:
    import json

    import boto3

    client = boto3.client("dynamodb")
    if read:
        key = {"pk": {"S": "ESSAY#stalin-rise-to-power"}, "sk": {"S": "CARD"}}
        client.get_item(TableName=os.environ["ESSAYS_TABLE"], Key=key)
    if secret:
        boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["CURSOR_SECRET_ARN"])
    json.dumps({"statusCode": 200, "body": json.dumps({"ok": True})})
    return _elapsed_ms()


def function(name: str, event_file: str) -> tuple[float, float]:
    import contextlib
    import importlib
    import io
    import json

    from essays_cli.bench.context import LambdaContext  # imports nothing (common.py would load pathlib)

    sys.path.insert(0, ROOT)
    with open(event_file, encoding="utf-8") as handle:
        event = json.load(handle)
    with contextlib.redirect_stdout(io.StringIO()):  # the functions log to stdout
        app = importlib.import_module(f"functions.{name}.app")
        response = app.handler(event, LambdaContext())
    elapsed = _elapsed_ms()
    policy = response.get("policyDocument", {}).get("Statement", [{}])[0]
    ok = response.get("statusCode") == 200 or policy.get("Effect") == "Allow"
    return elapsed if ok else (-1.0, -1.0)


def main(argv: list[str]) -> None:
    kind = argv[0]
    if kind in ("baseline", "baseline-read", "baseline-secret"):
        print(*baseline(read=kind != "baseline", secret=kind == "baseline-secret"))
    elif kind == "function":
        print(*function(argv[1], argv[2]))
    else:
        raise SystemExit(f"unknown run: {kind}")


if __name__ == "__main__":
    main(sys.argv[1:])
