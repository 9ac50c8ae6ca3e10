"""What operators read in CloudWatch Logs: every line a function writes is Powertools' structured JSON with
the Lambda context, `cold_start` and API Gateway's request id as the correlation id, even though
Powertools is only imported when a container logs its first line. Each scenario runs in a fresh
interpreter, as a Lambda container does, with moto standing in for DynamoDB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

_CONTAINER = textwrap.dedent(
    """
    import json, sys
    from moto import mock_aws
    sys.path.insert(0, "infra")
    from tests.conftest import LambdaContext, api_event, create_table_from_template, SAMPLES, TABLE

    def invoke(handler, event, request_id):
        context = LambdaContext(aws_request_id=request_id)
        response = handler(event, context)
        print(json.dumps({"probe": request_id, "status": response["statusCode"],
                          "powertools": "aws_lambda_powertools" in sys.modules}), flush=True)

    with mock_aws():
        import boto3
        from essays_cli.seed import main
        create_table_from_template(boto3.client("dynamodb"), "EssaysTable", TABLE)
        assert main(["load", str(SAMPLES[0]), "--table", TABLE]) == 0
        essay_id = json.loads(SAMPLES[0].read_text().splitlines()[0]).get("id")
        import functions.preview.app as preview
        for request_id, essay in REQUESTS:
            event = api_event("preview", path_parameters={"essayId": essay or essay_id})
            event["requestContext"]["requestId"] = "api-" + request_id
            invoke(preview.handler, event, request_id)
    """
)


def _container(requests: list[tuple[str, str | None]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run the preview function in a fresh interpreter: (what each invocation saw, the log lines)."""
    script = f"REQUESTS = {requests!r}\n{_CONTAINER}"
    env = {**os.environ, "POWERTOOLS_SERVICE_NAME": "essay-library-tests", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    probes = [line for line in lines if "probe" in line]
    return probes, [line for line in lines if "probe" not in line]


def test_a_quiet_container_never_imports_powertools_and_its_first_line_carries_that_request() -> None:
    probes, logs = _container([("first", None), ("second", None), ("third", "no-such-essay")])
    assert [p["status"] for p in probes] == [200, 200, 404]
    assert [p["powertools"] for p in probes] == [False, False, True]
    [line] = logs
    assert line["message"] == "request refused" and line["status"] == 404
    assert line["service"] == "essay-library-tests" and line["level"] == "INFO"
    assert line["cold_start"] is False
    assert line["function_request_id"] == "third" and line["correlation_id"] == "api-third"
    assert line["function_name"] == "essay-library-test" and line["function_memory_size"] == 512
    assert line["function_arn"].startswith("arn:aws:lambda:")


def test_lines_of_later_requests_carry_their_own_request_ids() -> None:
    _, logs = _container([("first", "no-such-essay"), ("second", None), ("third", "Not An Id!")])
    assert [(line["status"], line["cold_start"]) for line in logs] == [(404, True), (400, False)]
    assert [(line["function_request_id"], line["correlation_id"]) for line in logs] == [
        ("first", "api-first"),
        ("third", "api-third"),
    ]
