"""One place for logs and traces.

Logs: the standard library's `logging`, formatted by Lambda itself. The template sets every function's
`LoggingConfig: LogFormat: JSON`, so the Python runtime puts a handler on the root logger that writes each
record as one JSON object: `timestamp`, `level`, `message`, `logger`, `requestId`, and every attribute a
record carries beyond the standard ones (the `extra` of a call) as a top-level key, keys whose value is
None left out (awslambdaric's `JsonFormatter`; tests/unit/test_log_lines.py runs it). `InvocationKeys`
puts on every line of ours the keys operators query: `cold_start`, `function_name`, `function_request_id`,
`function_arn`, `function_memory_size`, `correlation_id` (API Gateway's request id), `service`
(POWERTOOLS_SERVICE_NAME, the template's name for it) and, when tracing, `xray_trace_id`. The level is
POWERTOOLS_LOG_LEVEL's (INFO by default). Nothing is imported for this beyond `logging` and `json`,
which boto3 loads anyway: Powertools' Logger cost 1.13-1.19x of the floor at cold start.

Where no runtime formats the lines (the local emulator, the tests' fresh interpreters), `_stand_in`
writes them to stdout in the same shape.

Extras must be JSON values (str, numbers, bools, None, lists, dicts of them): the runtime's formatter
encodes without a fallback, and a line it cannot encode is lost.

Metrics: none of our own. API Gateway already counts requests, 4xx and 5xx per stage (the
alarms use those), and Lambda reports each cold start's init duration.

Tracing: the functions run with Lambda's active tracing, which records every invocation in
X-Ray with no code of ours. The Powertools Tracer (X-Ray SDK subsegments, patched boto calls)
costs about 250 ms of cold start, measured, so it is only switched on with TRACE_WITH_SDK=true,
for a debugging session.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

Handler = Callable[[Any, Any], Any]

# What a LogRecord holds of its own: everything else on a record is an `extra` (the runtime's rule too).
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class InvocationKeys(logging.Filter):
    """Adds the current invocation's keys to each record of our logger (a call's own `extra` wins)."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, Any] = {"service": os.environ.get("POWERTOOLS_SERVICE_NAME", "service_undefined")}

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in self.keys.items():
            if key not in record.__dict__:
                record.__dict__[key] = value
        return True


class _StandIn(logging.Formatter):
    """Lambda's JSON line where no Lambda runtime formats it: the same keys, values and omissions."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": logging.getLevelName(min(50, max(0, record.levelno)) // 10 * 10),
            "message": record.getMessage(),
            "logger": record.name,
            "requestId": record.__dict__.get("function_request_id"),
        }
        if record.exc_info and record.exc_info[0] is not None:
            import traceback

            line["errorType"] = record.exc_info[0].__name__
            line["errorMessage"] = str(record.exc_info[1])
            line["stackTrace"] = traceback.format_tb(record.exc_info[2])
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and key not in line:
                line[key] = value
        return json.dumps({key: value for key, value in line.items() if value is not None}, ensure_ascii=False)


def _stand_in(root: logging.Logger) -> None:
    """Format our lines as Lambda does when nothing else will: the runtime puts its handler on the root
    logger before it imports a handler, so a root without handlers is not on Lambda."""
    if not root.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(_StandIn())
        root.addHandler(handler)


KEYS = InvocationKeys()
logger = logging.getLogger("essay-library")
logger.addFilter(KEYS)
logger.setLevel(os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO").upper())
_stand_in(logging.getLogger())
_cold_start = True


def api_gateway_request_id(event: Mapping[str, Any]) -> str | None:
    """The correlation id of a REST API event: API Gateway's request id."""
    request_id = (event.get("requestContext") or {}).get("requestId")
    return request_id if isinstance(request_id, str) else None


def logged(correlation_id: Callable[[Mapping[str, Any]], str | None] | None = None) -> Callable[[Handler], Handler]:
    """Give every line an invocation logs the Lambda context, `cold_start` and (when given a way to
    find it in the event) the correlation id. Never logs the event: authorizers' events hold tokens."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def with_log_keys(event: Any, context: Any) -> Any:
            global _cold_start
            cold_start = _cold_start and os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != "provisioned-concurrency"
            _cold_start = False
            trace = os.environ.get("_X_AMZN_TRACE_ID", "")
            KEYS.keys = {
                "service": KEYS.keys["service"],
                "cold_start": cold_start,
                "function_name": context.function_name,
                "function_memory_size": context.memory_limit_in_mb,
                "function_arn": context.invoked_function_arn,
                "function_request_id": context.aws_request_id,
                # None drops the key from the line, as the runtime's formatter does with any None
                "correlation_id": correlation_id(event) if correlation_id else None,
                "xray_trace_id": trace.split(";")[0].removeprefix("Root=") or None,
            }
            return handler(event, context)

        return with_log_keys

    return decorate


def traced(handler: Handler) -> Handler:
    if os.environ.get("TRACE_WITH_SDK", "").lower() != "true":
        return handler
    from aws_lambda_powertools import Tracer

    return Tracer().capture_lambda_handler(handler, capture_response=False)
