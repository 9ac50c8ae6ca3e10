"""What operators read in CloudWatch Logs. The functions log through the standard library's `logging`;
on Lambda the Python runtime formats each line as JSON (the template's `LogFormat: JSON`), with a call's
`extra` as top-level keys. These scenarios run the runtime's own logging set-up (awslambdaric, the
runtime interface client Lambda's Python images run) in a fresh interpreter, as a Lambda container
does, with moto standing in for DynamoDB: the lines below are the lines Lambda writes. Where no runtime
formats them (the local emulator), the functions write the same shape themselves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from tests.conftest import SAMPLES

ROOT = Path(__file__).resolve().parents[2]

_CONTAINER = textwrap.dedent(
    """
    import json, sys
    from moto import mock_aws
    sys.path.insert(0, "infra")
    from tests.conftest import LambdaContext, api_event, create_table_from_template, SAMPLES, TABLE

    if ON_LAMBDA:  # what the runtime does before it imports a handler, and before each invocation
        from awslambdaric import bootstrap
        from awslambdaric.lambda_runtime_log_utils import LogFormat
        bootstrap._setup_logging(LogFormat.JSON, "INFO", bootstrap.StandardLogSink())

    def invoke(handler, event, request_id):
        if ON_LAMBDA:
            bootstrap._GLOBAL_AWS_REQUEST_ID = request_id
        response = handler(event, LambdaContext(aws_request_id=request_id))
        print(json.dumps({"probe": request_id, "status": response["statusCode"],
                          "powertools": "aws_lambda_powertools" in sys.modules}), flush=True)

    with mock_aws():
        import boto3
        from essays_cli.seed import main
        create_table_from_template(boto3.client("dynamodb"), "EssaysTable", TABLE)
        assert main(["load", str(SAMPLES[0]), "--table", TABLE]) == 0
        essay_id = json.loads(SAMPLES[0].read_text().splitlines()[0]).get("id")
        import functions.preview.app as preview
        import functions.essay.app as essay
        for request_id, name, wanted in REQUESTS:
            event = api_event(name, path_parameters={"essayId": wanted or essay_id})
            event["requestContext"]["requestId"] = "api-" + request_id
            if name == "essay":
                event["requestContext"]["authorizer"].update(userId="reader-1", plan="monthly", access="subscription")
            invoke({"preview": preview, "essay": essay}[name].handler, event, request_id)
    """
)


def _container(requests: list[tuple[str, str, str | None]], *, on_lambda: bool) -> tuple[list[Any], list[Any]]:
    """Run the functions in a fresh interpreter: (what each invocation saw, the log lines)."""
    script = f"ON_LAMBDA = {on_lambda}\nREQUESTS = {requests!r}\n{_CONTAINER}"
    env = {**os.environ, "POWERTOOLS_SERVICE_NAME": "essay-library-tests", "PYTHONPATH": str(ROOT)}
    env.pop("_X_AMZN_TRACE_ID", None)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Logging error" not in result.stderr  # a line the formatter could not encode is lost
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    probes = [line for line in lines if "probe" in line]
    return probes, [line for line in lines if "probe" not in line and line.get("logger") == "essay-library"]


QUIET_THEN_REFUSED = [("first", "preview", None), ("second", "preview", None), ("third", "preview", "no-such-essay")]


def test_on_lambda_a_line_is_the_runtimes_json_with_our_keys_at_the_top_level() -> None:
    probes, logs = _container(QUIET_THEN_REFUSED, on_lambda=True)
    assert [p["status"] for p in probes] == [200, 200, 404]
    assert not any(p["powertools"] for p in probes)  # not even for the line: Powertools is never imported
    [line] = logs
    assert line["message"] == "request refused" and line["level"] == "INFO" and line["logger"] == "essay-library"
    assert line["status"] == 404 and line["code"] == "not_found"  # the call's `extra`, as top-level keys
    assert line["requestId"] == "third"  # the runtime's own key, beside ours
    assert line["function_request_id"] == "third" and line["correlation_id"] == "api-third"
    assert line["cold_start"] is False and line["service"] == "essay-library-tests"
    assert line["function_name"] == "essay-library-test" and line["function_memory_size"] == 512
    assert line["function_arn"].startswith("arn:aws:lambda:")
    assert "xray_trace_id" not in line  # None values are left out, not written as null
    assert line["timestamp"].endswith("Z")


def test_on_lambda_nested_extras_stay_json_objects_that_filters_can_reach() -> None:
    probes, logs = _container([("read", "essay", None)], on_lambda=True)
    assert [p["status"] for p in probes] == [200]
    [line] = logs
    assert line["message"] == "full essay served" and line["cold_start"] is True
    assert line["essayId"] == json.loads(SAMPLES[0].read_text().splitlines()[0])["id"]
    assert line["userId"] == "reader-1" and line["plan"] == "monthly"
    assert line["access"]["kind"] == "subscription"  # what `$.access.kind` in a metric filter matches


def test_without_a_runtime_the_functions_write_the_same_keys_themselves() -> None:
    _, on_lambda = _container(QUIET_THEN_REFUSED, on_lambda=True)
    _, local = _container(QUIET_THEN_REFUSED, on_lambda=False)
    assert [sorted(line) for line in local] == [sorted(line) for line in on_lambda]
    drop = {"timestamp"}
    assert [{k: v for k, v in line.items() if k not in drop} for line in local] == [
        {k: v for k, v in line.items() if k not in drop} for line in on_lambda
    ]


def test_lines_of_later_requests_carry_their_own_request_ids() -> None:
    requests = [("first", "preview", "no-such-essay"), ("second", "preview", None), ("third", "preview", "Not An Id!")]
    _, logs = _container(requests, on_lambda=True)
    assert [(line["status"], line["cold_start"]) for line in logs] == [(404, True), (400, False)]
    assert [(line["requestId"], line["function_request_id"], line["correlation_id"]) for line in logs] == [
        ("first", "first", "api-first"),
        ("third", "third", "api-third"),
    ]


def test_no_function_or_layer_module_imports_powertools_logger() -> None:
    for path in [*(ROOT / "shared").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        assert "import Logger" not in source and "logging.logger" not in source, path
